// Filters for every list page (the roadmap views, OKRs, KPIs, launches, what changed, customer
// asks): team, status, horizon, quarter, owner, tag, confidence, tier, kind, segment, source and
// free text, and on the board a choice of grouping (by horizon, or by team as swimlanes). The
// state lives in the address (?team=payments&status=in-progress), so a view can be shared as a link.
//
// Progressive enhancement: the pages list everything without JavaScript; this script only
// hides what does not match. Every filterable element (data-po-item) inside a .po-filterable
// carries its facets as data-* attributes, read once, so a filter over thousands of items is a
// loop over plain arrays; a facet shows a choice only where the page has two values of it or
// more. data-<facet>-label gives the words a choice shows (a person's name for a handle).
//
// Long lists collapse: a list or table body marked data-po-collapse="N" shows its first N
// matching entries and a "Show all (213)" button for the rest.
(function () {
  var FACETS = [
    ["team", "Team"], ["level", "Level"], ["status", "Status"], ["horizon", "Horizon"],
    ["quarter", "Quarter"], ["owner", "Owner"], ["confidence", "Confidence"], ["tier", "Tier"],
    ["kind", "Kind"], ["unit", "Unit"], ["tags", "Tag"], ["segments", "Segment"], ["sources", "Source"]
  ];
  // Facets an element may have several values of, separated by spaces.
  var MULTI = { tags: true, segments: true, sources: true, confidence: true };
  // A list is collapsed only when that hides more than this many entries: a button for two is noise.
  var SLACK = 3;

  // How many entries a collapsed list shows: its data-po-collapse, a third of it on a phone
  // where a column of cards or a stacked table row takes a screen's height for a few entries.
  // The timeline keeps its rows: it scrolls sideways on a phone, and its arrows join rows.
  var PHONE = "(max-width: 40em)";
  function phone(list) { return !!(window.matchMedia && window.matchMedia(PHONE).matches && !list.closest(".po-tl")); }
  function limitOf(list) {
    var limit = parseInt(list.getAttribute("data-po-collapse") || "", 10);
    return limit && phone(list) ? Math.max(1, Math.ceil(limit / 3)) : limit;
  }

  // On a phone a card is most of a screen: a button is worth it from two hidden entries.
  function slack(list) { return phone(list) ? 1 : SLACK; }

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
    // An empty marker with data-po-page filters the whole page below its headings (Markdown
    // headings cannot sit inside an HTML wrapper); otherwise the wrapper holds what it filters.
    var scope = root.hasAttribute("data-po-page") ? (root.closest("article") || root.parentNode) : root;
    var nodes = Array.prototype.slice.call(scope.querySelectorAll("[data-po-item]"));
    if (!nodes.length) { return; }
    var labels = {};
    var items = nodes.map(function (node) {
      var facets = {};
      FACETS.forEach(function (facet) {
        var value = node.getAttribute("data-" + facet[0]) || "";
        facets[facet[0]] = MULTI[facet[0]] ? value.split(" ").filter(Boolean) : value;
        var label = node.getAttribute("data-" + facet[0] + "-label");
        if (label && value && !MULTI[facet[0]]) { labels[facet[0] + "=" + value] = label; }
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
      var words = function (name) { return labels[facet[0] + "=" + name] || name.replace(/-/g, " "); };
      var names = Object.keys(values).sort(function (a, b) { return words(a).localeCompare(words(b)); });
      if (names.length < 2 && !state[facet[0]]) { return; }
      var label = element("label", { "class": "po-filters__field" }, facet[1] + " ");
      var select = element("select", { name: facet[0] });
      select.appendChild(element("option", { value: "" }, "any"));
      names.forEach(function (name) { select.appendChild(element("option", { value: name }, words(name))); });
      select.value = state[facet[0]];
      label.appendChild(select);
      bar.appendChild(label);
      controls[facet[0]] = select;
    });
    var textLabel = element("label", { "class": "po-filters__field" }, "Text ");
    var text = element("input", { type: "search", name: "q", placeholder: root.getAttribute("data-po-text") || "title, id, owner", size: "16" });
    text.value = state.q;
    textLabel.appendChild(text);
    bar.appendChild(textLabel);
    var board = scope === root ? root.querySelector(".po-board") : null;  // one board to regroup, not a page of them
    var timeline = scope.querySelector(".po-tl");
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
        lane.appendChild(element("h" + level, { "class": "po-lane__head" }, labels["team=" + team] || team));
        var row = element("div", { "class": "po-board" });
        columns.forEach(function (horizon) {
          var col = element("section", { "class": "po-board__col", "aria-label": team + ", " + horizon });
          col.appendChild(element("h" + (level + 1), { "class": "po-board__head" }, horizon));
          var list = element("ul", { "class": "po-cards", "data-po-collapse": board.getAttribute("data-po-lane-collapse") || "" });
          teams[team].forEach(function (item) { if (item.facets.horizon === horizon) { list.appendChild(item.node); } });
          col.appendChild(list);
          row.appendChild(col);
        });
        lane.appendChild(row);
        lanes.appendChild(lane);
      });
      board.parentNode.insertBefore(lanes, board.nextSibling);
    }

    function matches(item, wanted) {
      for (var key in controls) {
        var value = wanted[key];
        if (!value) { continue; }
        var have = item.facets[key];
        if (MULTI[key] ? have.indexOf(value) < 0 : have !== value) { return false; }
      }
      return !(wanted.q && item.text.indexOf(wanted.q) < 0);
    }

    function apply() {
      var wanted = { q: text.value.trim().toLowerCase(), group: group ? group.value : "" };
      Object.keys(controls).forEach(function (key) { wanted[key] = controls[key].value; });
      var shown = 0, perColumn = new Map(), perList = new Map();
      // How many entries match in each collapsible list, first, so a list only a few entries too long stays whole.
      items.forEach(function (item) { item.node.parentNode.poFull = 0; });
      for (var j = 0; j < items.length; j++) {
        if (matches(items[j], wanted)) { items[j].node.parentNode.poFull++; }
      }
      for (var i = 0; i < items.length; i++) {
        var item = items[i], ok = matches(item, wanted), folded = false;
        if (ok) {
          shown++;
          if (item.badge) { perColumn.set(item.badge, (perColumn.get(item.badge) || 0) + 1); }
          // A long list shows its first entries until the reader asks for all of them.
          var list = item.node.parentNode, seen = (perList.get(list) || 0) + 1;
          perList.set(list, seen);
          var limit = limitOf(list);
          if (limit && seen > limit && !list.poExpanded && (list.poFull || 0) > limit + slack(list)) { ok = false; folded = true; }
        }
        // A folded entry matches the filters but waits for "Show all": it says so (data-po-collapsed).
        if (!!item.folded !== folded) { item.folded = folded; item.node.toggleAttribute("data-po-collapsed", folded); }
        if (item.shown !== ok) { item.node.hidden = !ok; item.shown = ok; }  // touch the page only on change
      }
      perList.forEach(function (seen, list) { moreButton(list, seen); });
      scope.querySelectorAll("[data-po-collapse]").forEach(function (list) { if (!perList.has(list)) { moreButton(list, 0); } });
      if (lanes) {  // under a filter, only the lanes that have a card to show
        lanes.querySelectorAll(".po-lane").forEach(function (lane) {
          var has = false;
          lane.querySelectorAll("[data-po-item]").forEach(function (node) { if (!node.hidden) { has = true; } });
          var collapsed = false;
          lane.querySelectorAll("[data-po-collapse]").forEach(function (list) { if (perList.get(list)) { collapsed = true; } });
          lane.hidden = !has && !collapsed;
        });
      }
      count.textContent = shown === items.length ? items.length + " shown" : shown + " of " + items.length + " shown";
      badges.forEach(function (badge) { badge.textContent = "(" + (perColumn.get(badge) || 0) + ")"; });
      writeState(wanted);
      if (timeline) { drawArrows(timeline); }
    }

    // The "Show all (213)" button after a collapsed list (after its table, for a table's body).
    function moreButton(list, matching) {
      var limit = limitOf(list);
      var needed = limit && matching > limit + slack(list);
      if (!needed && !list.poMore) { return; }
      if (!list.poMore) {
        var button = element("button", { type: "button", "class": "md-button po-more" });
        button.addEventListener("click", function () {
          list.poExpanded = !list.poExpanded;
          apply();
          if (!list.poExpanded) { (list.closest("section, .po-board__col, .po-scroll") || list).scrollIntoView({ block: "nearest" }); }
        });
        var after = list.closest(".po-scroll") || (list.tagName === "TBODY" ? list.closest("table") : list);
        after.parentNode.insertBefore(button, after.nextSibling);
        list.poMore = button;
      }
      list.poMore.hidden = !needed;
      list.poMore.textContent = list.poExpanded ? "Show the first " + limit : "Show all (" + matching + ")";
      list.poMore.setAttribute("aria-expanded", list.poExpanded ? "true" : "false");
    }

    Object.keys(controls).forEach(function (key) { controls[key].addEventListener("change", apply); });
    text.addEventListener("input", apply);
    if (group) { group.addEventListener("change", function () { regroup(group.value === "team"); apply(); }); }
    reset.addEventListener("click", function () {
      Object.keys(controls).forEach(function (key) { controls[key].value = ""; });
      text.value = "";
      apply();
    });
    scope.addEventListener("po-sorted", function () {
      items.sort(function (a, b) { return a.node.compareDocumentPosition(b.node) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1; });
      apply();
    });
    if (group && group.value === "team") { regroup(true); }
    apply();
  }

  // On the timeline, an arrow from the end of a dependency's bar to the start of the bar of the item
  // that depends on it, for every pair whose two rows are in this window and shown by the filters.
  // The rows carry data-po-id and data-po-deps; the arrows are one SVG over the chart, made here
  // once (a path per pair of rows on the chart), then only moved, shown and hidden.
  var SVG = "http://www.w3.org/2000/svg";
  function arrowLayer(chart) {
    if (chart.poArrows) { return chart.poArrows; }
    var rows = {}, pairs = [];
    Array.prototype.forEach.call(chart.querySelectorAll(".po-tl__row[data-po-id]"), function (row) {
      rows[row.getAttribute("data-po-id")] = { row: row, bar: row.querySelector(".po-tl__bar") };
    });
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "po-tl__arrows");
    svg.setAttribute("aria-hidden", "true");
    var marker = document.createElementNS(SVG, "marker");
    [["id", "po-tl-arrowhead"], ["viewBox", "0 0 8 8"], ["refX", "7"], ["refY", "4"], ["markerWidth", "7"],
     ["markerHeight", "7"], ["orient", "auto-start-reverse"]].forEach(function (a) { marker.setAttribute(a[0], a[1]); });
    var head = document.createElementNS(SVG, "path");
    head.setAttribute("d", "M0,0 L8,4 L0,8 z");
    marker.appendChild(head);
    var defs = document.createElementNS(SVG, "defs");
    defs.appendChild(marker);
    svg.appendChild(defs);
    Object.keys(rows).forEach(function (id) {
      (rows[id].row.getAttribute("data-po-deps") || "").split(" ").forEach(function (dep) {
        if (!dep || !rows[dep] || !rows[dep].bar || !rows[id].bar) { return; }  // not on this chart: no arrow
        var path = document.createElementNS(SVG, "path");
        path.setAttribute("class", "po-tl__arrow");
        path.setAttribute("marker-end", "url(#po-tl-arrowhead)");
        path.setAttribute("data-from", dep);
        path.setAttribute("data-to", id);
        pairs.push({ from: rows[dep], to: rows[id], path: path, shown: true });
        svg.appendChild(path);
      });
    });
    // First in the chart, so the bars, their dates and the sticky axis are painted over the arrows.
    if (pairs.length) { chart.insertBefore(svg, chart.firstChild); }
    chart.poArrows = { svg: svg, pairs: pairs };
    return chart.poArrows;
  }

  function drawArrows(chart) {
    var layer = arrowLayer(chart);
    if (!layer.pairs.length) { return; }
    var origin = chart.getBoundingClientRect();
    var boxes = new Map();
    function place(end) {  // every position is read before anything is written: one layout
      if (end.row.hidden) { return null; }
      if (!boxes.has(end.bar)) {
        var box = end.bar.getBoundingClientRect();
        boxes.set(end.bar, box.width ? { left: box.left - origin.left, right: box.right - origin.left,
                                         y: box.top - origin.top + box.height / 2 } : null);
      }
      return boxes.get(end.bar);
    }
    var moves = layer.pairs.map(function (pair) {
      var from = place(pair.from), to = place(pair.to);
      if (!from || !to) { return null; }
      var x1 = from.right, y1 = from.y, x2 = to.left, y2 = to.y;
      if (x2 - x1 >= 16) {  // the dependent starts after the dependency ends: one smooth curve
        var bend = Math.min(60, (x2 - x1) / 2);
        return "M" + x1 + "," + y1 + " C" + (x1 + bend) + "," + y1 + " " + (x2 - bend) + "," + y2 + " " + x2 + "," + y2;
      }
      // It starts before: out to the right, along the gap beside the dependent's bar, in from the left.
      var lane = y2 + (y1 < y2 ? -7 : 7);
      return "M" + x1 + "," + y1 + " H" + (x1 + 8) + " V" + lane + " H" + (x2 - 8) + " V" + y2 + " H" + x2;
    });
    layer.svg.setAttribute("width", String(chart.scrollWidth));
    layer.svg.setAttribute("height", String(chart.scrollHeight));
    layer.pairs.forEach(function (pair, i) {
      var d = moves[i];
      if (d) { pair.path.setAttribute("d", d); }
      if (pair.shown !== !!d) {
        pair.shown = !!d;
        if (d) { layer.svg.appendChild(pair.path); } else { layer.svg.removeChild(pair.path); }
      }
    });
  }

  // A long list or table body outside any filtered view: its first N entries, then a button.
  function collapse(list) {
    if (list.poMore || list.querySelector("[data-po-item]")) { return; }  // the filters handle theirs
    var limit = limitOf(list);
    var entries = Array.prototype.slice.call(list.children);
    if (!limit || entries.length <= limit + slack(list)) { return; }
    var button = element("button", { type: "button", "class": "md-button po-more", "aria-expanded": "false" });
    function show(all) {
      entries.forEach(function (entry, i) {
        entry.hidden = !all && i >= limit;
        entry.toggleAttribute("data-po-collapsed", entry.hidden);
      });
      button.textContent = all ? "Show the first " + limit : "Show all (" + entries.length + ")";
      button.setAttribute("aria-expanded", all ? "true" : "false");
    }
    button.addEventListener("click", function () { show(button.getAttribute("aria-expanded") !== "true"); });
    var after = list.closest(".po-scroll") || (list.tagName === "TBODY" ? list.closest("table") : list);
    after.parentNode.insertBefore(button, after.nextSibling);
    list.poMore = button;
    show(false);
  }

  // Paper cannot click "Show all": a printed page has every folded list open.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.po-more-list").forEach(function (details) { details.open = true; });
  });

  function setupAll() {
    document.querySelectorAll(".po-filterable").forEach(setup);
    document.querySelectorAll("[data-po-collapse]").forEach(collapse);
  }
  if (typeof document$ !== "undefined") { document$.subscribe(setupAll); } else { document.addEventListener("DOMContentLoaded", setupAll); }
})();
