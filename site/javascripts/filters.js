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
    var timeline = root.querySelector(".po-tl");
    if (timeline) {
      var redraw = null;
      window.addEventListener("resize", function () {
        if (redraw) { window.cancelAnimationFrame(redraw); }
        redraw = window.requestAnimationFrame(function () { redraw = null; drawArrows(timeline); });
      });
    }
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
      if (timeline) { drawArrows(timeline); }
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

  // On the timeline, an arrow from the end of a dependency's bar to the start of the bar of the item
  // that depends on it, for every pair whose two rows are in this window and shown by the filters.
  // The rows carry data-po-id and data-po-deps; the arrows are one SVG over the chart, drawn here.
  var SVG = "http://www.w3.org/2000/svg";
  function drawArrows(chart) {
    var old = chart.querySelector(":scope > svg.po-tl__arrows");
    if (old) { chart.removeChild(old); }
    var rows = chart.querySelectorAll(".po-tl__row[data-po-id]");
    var bars = {};
    var origin = chart.getBoundingClientRect();
    var pairs = [];
    for (var i = 0; i < rows.length; i++) {  // read every position first, then write once
      var row = rows[i];
      if (row.hidden) { continue; }
      var bar = row.querySelector(".po-tl__bar");
      if (!bar) { continue; }
      var box = bar.getBoundingClientRect();
      if (!box.width) { continue; }
      var id = row.getAttribute("data-po-id");
      bars[id] = { left: box.left - origin.left, right: box.right - origin.left, y: box.top - origin.top + box.height / 2 };
      (row.getAttribute("data-po-deps") || "").split(" ").forEach(function (dep) { if (dep) { pairs.push([dep, id]); } });
    }
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "po-tl__arrows");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("width", String(chart.scrollWidth));
    svg.setAttribute("height", String(chart.scrollHeight));
    var defs = document.createElementNS(SVG, "defs");
    var marker = document.createElementNS(SVG, "marker");
    [["id", "po-tl-arrowhead"], ["viewBox", "0 0 8 8"], ["refX", "7"], ["refY", "4"], ["markerWidth", "7"],
     ["markerHeight", "7"], ["orient", "auto-start-reverse"]].forEach(function (a) { marker.setAttribute(a[0], a[1]); });
    var head = document.createElementNS(SVG, "path");
    head.setAttribute("d", "M0,0 L8,4 L0,8 z");
    marker.appendChild(head);
    defs.appendChild(marker);
    svg.appendChild(defs);
    var drawn = 0;
    pairs.forEach(function (pair) {
      var from = bars[pair[0]], to = bars[pair[1]];
      if (!from || !to) { return; }
      var x1 = from.right, y1 = from.y, x2 = to.left, y2 = to.y;
      var d;
      if (x2 - x1 >= 16) {  // the dependent starts after the dependency ends: one smooth curve
        var bend = Math.min(60, (x2 - x1) / 2);
        d = "M" + x1 + "," + y1 + " C" + (x1 + bend) + "," + y1 + " " + (x2 - bend) + "," + y2 + " " + x2 + "," + y2;
      } else {  // it starts before: out to the right, along the gap beside the dependent's bar, in from the left
        var lane = y2 + (y1 < y2 ? -7 : 7);
        d = "M" + x1 + "," + y1 + " H" + (x1 + 8) + " V" + lane + " H" + (x2 - 8) + " V" + y2 + " H" + x2;
      }
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d);
      path.setAttribute("class", "po-tl__arrow");
      path.setAttribute("marker-end", "url(#po-tl-arrowhead)");
      path.setAttribute("data-from", pair[0]);
      path.setAttribute("data-to", pair[1]);
      svg.appendChild(path);
      drawn++;
    });
    // First in the chart, so the bars, their dates and the sticky axis are painted over the arrows.
    if (drawn) { chart.insertBefore(svg, chart.firstChild); }
  }

  function setupAll() { document.querySelectorAll(".po-filterable").forEach(setup); }
  if (typeof document$ !== "undefined") { document$.subscribe(setupAll); } else { document.addEventListener("DOMContentLoaded", setupAll); }
})();
