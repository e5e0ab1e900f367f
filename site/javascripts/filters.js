// Filters for the roadmap views: team, status, horizon, quarter, owner, tag and free text, and on
// the board a choice of grouping (by horizon, or by team as swimlanes). The state lives in the
// address (?team=payments&status=in-progress), so a view can be shared as a link.
//
// Progressive enhancement: the pages list everything without JavaScript; this script only
// hides what does not match. Every filterable element carries its facets as data-* attributes,
// read once, so a filter over thousands of items is a loop over plain arrays.
(function () {
  var FACETS = [
    ["team", "Team"], ["status", "Status"], ["horizon", "Horizon"],
    ["quarter", "Quarter"], ["owner", "Owner"], ["tags", "Tag"],
    ["segments", "Segment"], ["sources", "Source"]
  ];
  // Facets an element may have several values of, separated by spaces.
  var MULTI = { tags: true, segments: true, sources: true };

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var state = { q: params.get("q") || "", group: params.get("group") || "" };
    FACETS.forEach(function (facet) { state[facet[0]] = params.get(facet[0]) || ""; });
    return state;
  }

  function writeState(state) {
    var params = new URLSearchParams(window.location.search);
    Object.keys(state).forEach(function (key) {
      if (state[key]) { params.set(key, state[key]); } else { params.delete(key); }
    });
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function setup(root) {
    if (root.dataset.poFilterReady) { return; }
    root.dataset.poFilterReady = "1";
    var nodes = Array.prototype.slice.call(root.querySelectorAll("[data-po-item]"));
    if (!nodes.length) { return; }
    var items = nodes.map(function (node) {
      var facets = {};
      FACETS.forEach(function (facet) {
        var value = node.getAttribute("data-" + facet[0]) || "";
        facets[facet[0]] = MULTI[facet[0]] ? value.split(" ").filter(Boolean) : value;
      });
      var column = node.closest(".po-board__col");
      // The free text matches the title (the item's first link: a card's, a row's, a timeline label)
      // and data-text (its id and owner's name), not the rest of the card.
      var link = node.querySelector("a");
      var words = (link ? link.textContent : "") + " " + (node.getAttribute("data-text") || "");
      return { node: node, facets: facets, text: words.toLowerCase(),
               home: node.parentNode, next: node.nextSibling, badge: column ? column.querySelector(".po-count") : null,
               shown: true };
    });
    var badges = [];
    items.forEach(function (item) { if (item.badge && badges.indexOf(item.badge) < 0) { badges.push(item.badge); } });
    var state = readState();
    var bar = element("div", { "class": "po-filters", role: "search", "aria-label": "Filter these items" });
    var controls = {};
    FACETS.forEach(function (facet) {
      var values = {};
      items.forEach(function (item) {
        [].concat(item.facets[facet[0]]).forEach(function (v) { if (v) { values[v] = true; } });
      });
      var names = Object.keys(values).sort();
      if (names.length < 2 && !state[facet[0]]) { return; }
      var label = element("label", { "class": "po-filters__field" }, facet[1] + " ");
      var select = element("select", { name: facet[0] });
      select.appendChild(element("option", { value: "" }, "any"));
      names.forEach(function (name) { select.appendChild(element("option", { value: name }, name)); });
      select.value = state[facet[0]];
      label.appendChild(select);
      bar.appendChild(label);
      controls[facet[0]] = select;
    });
    var textLabel = element("label", { "class": "po-filters__field" }, "Text ");
    var text = element("input", { type: "search", name: "q", placeholder: "title, id, owner", size: "16" });
    text.value = state.q;
    textLabel.appendChild(text);
    bar.appendChild(textLabel);
    var board = root.querySelector(".po-board");
    var group = null;
    if (board) {
      var groupLabel = element("label", { "class": "po-filters__field" }, "Group by ");
      group = element("select", { name: "group" });
      group.appendChild(element("option", { value: "" }, "horizon"));
      group.appendChild(element("option", { value: "team" }, "team (swimlanes)"));
      group.value = state.group === "team" ? "team" : "";
      groupLabel.appendChild(group);
      bar.appendChild(groupLabel);
    }
    var count = element("span", { "class": "po-filters__count", "aria-live": "polite" });
    bar.appendChild(count);
    var reset = element("button", { type: "button", "class": "md-button po-filters__reset" }, "Show all");
    bar.appendChild(reset);
    root.parentNode.insertBefore(bar, root);

    var lanes = null;
    function regroup(byTeam) {
      if (!board) { return; }
      if (lanes) { lanes.parentNode.removeChild(lanes); lanes = null; }
      items.forEach(function (item) { item.home.insertBefore(item.node, item.next); });
      board.hidden = byTeam;
      if (!byTeam) { return; }
      var columns = Array.prototype.slice.call(board.querySelectorAll(".po-board__col")).map(function (col) {
        return col.getAttribute("aria-label");
      });
      var teams = {};
      items.forEach(function (item) { (teams[item.facets.team] = teams[item.facets.team] || []).push(item); });
      // A lane heading takes the columns' level (one below the page's heading), its columns the next.
      var head = board.querySelector(".po-board__head");
      var level = head ? Math.min(parseInt(head.tagName.slice(1), 10) || 3, 5) : 3;
      lanes = element("div", { "class": "po-lanes" });
      Object.keys(teams).sort().forEach(function (team) {
        var lane = element("section", { "class": "po-lane", "data-team": team });
        lane.appendChild(element("h" + level, { "class": "po-lane__head" }, team));
        var row = element("div", { "class": "po-board" });
        columns.forEach(function (horizon) {
          var col = element("section", { "class": "po-board__col", "aria-label": team + ", " + horizon });
          col.appendChild(element("h" + (level + 1), { "class": "po-board__head" }, horizon));
          var list = element("ul", { "class": "po-cards" });
          teams[team].forEach(function (item) { if (item.facets.horizon === horizon) { list.appendChild(item.node); } });
          col.appendChild(list);
          row.appendChild(col);
        });
        lane.appendChild(row);
        lanes.appendChild(lane);
      });
      board.parentNode.insertBefore(lanes, board.nextSibling);
    }

    function apply() {
      var wanted = { q: text.value.trim().toLowerCase(), group: group ? group.value : "" };
      Object.keys(controls).forEach(function (key) { wanted[key] = controls[key].value; });
      var shown = 0, perColumn = new Map();
      for (var i = 0; i < items.length; i++) {
        var item = items[i], ok = true;
        for (var key in controls) {
          var value = wanted[key];
          if (!value) { continue; }
          var have = item.facets[key];
          if (MULTI[key] ? have.indexOf(value) < 0 : have !== value) { ok = false; break; }
        }
        if (ok && wanted.q && item.text.indexOf(wanted.q) < 0) { ok = false; }
        if (item.shown !== ok) { item.node.hidden = !ok; item.shown = ok; }  // touch the page only on change
        if (ok) {
          shown++;
          if (item.badge) { perColumn.set(item.badge, (perColumn.get(item.badge) || 0) + 1); }
        }
      }
      count.textContent = shown === items.length ? items.length + " shown" : shown + " of " + items.length + " shown";
      badges.forEach(function (badge) { badge.textContent = "(" + (perColumn.get(badge) || 0) + ")"; });
      writeState(wanted);
    }

    Object.keys(controls).forEach(function (key) { controls[key].addEventListener("change", apply); });
    text.addEventListener("input", apply);
    if (group) { group.addEventListener("change", function () { regroup(group.value === "team"); apply(); }); }
    reset.addEventListener("click", function () {
      Object.keys(controls).forEach(function (key) { controls[key].value = ""; });
      text.value = "";
      apply();
    });
    if (group && group.value === "team") { regroup(true); }
    apply();
  }

  function setupAll() { document.querySelectorAll(".po-filterable").forEach(setup); }
  if (typeof document$ !== "undefined") { document$.subscribe(setupAll); } else { document.addEventListener("DOMContentLoaded", setupAll); }
})();
