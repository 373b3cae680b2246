// mlc viz, the app: state (pipeline, filters, collapsed namespaces, selection), rendering, clicks,
// search, `#node=` deep links and the served page's live updates. Everything is drawn from state.
"use strict";
(function (V) {
  const $ = (sel) => document.querySelector(sel);
  let data = JSON.parse(document.getElementById("mlc-data").textContent);
  const state = {
    pipeline: data.selection ? "__selection__" : "__default__",
    tags: new Set(),
    collapsed: new Set(),
    openTree: new Set(),
    showDatasets: true,
    showParams: true,
    showRun: true,
    search: "",
    selected: null,
    pair: [],
  };
  const svg = $("#graph"),
    viewport = $("#viewport");
  const pz = V.panZoom(svg, viewport);
  let model = null;

  /** Re-builds the model and re-draws; `refit` re-centres the view. */
  function render(refit) {
    const t0 = performance.now();
    model = V.buildModel(data, state);
    V.sizeVertices(model);
    const geo = V.layout(model, data.layerOrder || []);
    const t1 = performance.now();
    V.draw(viewport, model, geo, runShown());
    svg.classList.toggle("run-on", !!runShown());
    pz.setSize(geo.width, geo.height);
    if (refit) pz.fit();
    const t2 = performance.now();
    const count = (k) => model.vertices.filter((v) => v.kind === k).length;
    $("#stats").textContent =
      count("node") +
      " nodes · " +
      count("dataset") +
      " datasets · " +
      count("param") +
      " parameters" +
      (count("namespace") ? " · " + count("namespace") + " collapsed" : "") +
      " · " +
      model.edges.length +
      " edges — " +
      geo.engine +
      " layout " +
      Math.round(t1 - t0) +
      " ms, draw " +
      Math.round(t2 - t1) +
      " ms";
    V.lastRender = { layoutMs: t1 - t0, drawMs: t2 - t1, engine: geo.engine, vertices: model.vertices.length };
    $("#empty").hidden = model.vertices.length > 0;
    V.minimap(model, geo, pz);
    highlight();
    details();
  }
  const runShown = () => (state.showRun ? data.run : null);
  const vertexById = (id) => model && model.vertices.find((v) => v.id === id);
  const gOf = (id) => viewport.querySelector('.v[data-id="' + CSS.escape(id) + '"]');

  // The selection lights up its whole upstream and downstream chain; a pair, the path between.
  function highlight() {
    const sel = state.selected;
    let marked = new Set(),
      chain = new Set();
    if (state.pair.length === 2) {
      const [a, b] = V.orderPair(data, state.pair[0], state.pair[1]).map((n) => "node:" + n);
      marked = new Set([a, b]);
      chain = V.pathBetween(model, a, b);
      state.pathSize = chain.size;
    } else if (sel) {
      marked = new Set([sel]);
      chain = new Set([...V.reach(model, sel, "up"), ...V.reach(model, sel, "down")]);
    }
    svg.classList.toggle("has-sel", marked.size > 0);
    viewport.querySelectorAll(".v").forEach((g) => {
      g.classList.toggle("sel", marked.has(g.dataset.id));
      g.classList.toggle("near", chain.has(g.dataset.id));
    });
    viewport.querySelectorAll(".edge").forEach((p) => {
      p.classList.toggle("hl", chain.has(p.dataset.from) && chain.has(p.dataset.to));
    });
    search();
  }

  function search() {
    const q = state.search.trim().toLowerCase();
    svg.classList.toggle("searching", q !== "");
    let hits = 0;
    viewport.querySelectorAll(".v").forEach((g) => {
      const hit = q !== "" && g.dataset.name.toLowerCase().includes(q);
      g.classList.toggle("match", hit);
      hits += hit ? 1 : 0;
    });
    $("#search-count").textContent = q ? hits + " match" + (hits === 1 ? "" : "es") : "";
  }

  function details() {
    $("#details").hidden = !state.selected && state.pair.length === 0;
    V.renderDetails($("#details-body"), vertexById(state.selected), {
      data,
      run: runShown(),
      pair: state.pair,
      pathSize: state.pathSize,
    });
  }

  function deepLink() {
    const v = vertexById(state.selected);
    const hash = v && v.kind !== "namespace" ? "#node=" + encodeURIComponent(v.name) : "";
    if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname + location.search);
  }

  /** Selects a vertex (shift: builds a node pair); a hidden node opens its collapsed namespaces first. */
  function select(id, shift) {
    let v = vertexById(id);
    if (!v && id && id.startsWith("node:")) {
      const n = data.nodes.find((x) => x.name === id.slice(5));
      if (n && V.nsChain(n.namespace).some((ns) => state.collapsed.has(ns))) {
        V.nsChain(n.namespace).forEach((ns) => state.collapsed.delete(ns));
        V.sidebar(data, state);
        render(false);
        v = vertexById(id);
      }
    }
    if (shift && v && v.kind === "node") {
      const cur = state.pair.length
        ? state.pair
        : state.selected && state.selected.startsWith("node:")
          ? [state.selected.slice(5)]
          : [];
      state.pair = cur.includes(v.name) ? cur : cur.concat(v.name).slice(-2);
      state.selected = state.pair.length === 1 ? id : null;
    } else {
      state.pair = [];
      state.selected = v ? v.id : null;
    }
    highlight();
    details();
    deepLink();
    if (v && !$("#details").hidden) pz.ensureVisible(v.x + v.w / 2, v.y, $("#details").offsetWidth + 10);
    return v;
  }
  function clearSelection() {
    state.selected = null;
    state.pair = [];
    highlight();
    details();
    deepLink();
  }
  function goto(id) {
    const v = select(id, false);
    if (v) pz.centerOn(v.x, v.y);
    return v;
  }

  /** Collapses or expands a namespace and refits the view to the new graph. */
  function setCollapsed(ns, on) {
    if (on) state.collapsed.add(ns);
    else state.collapsed.delete(ns);
    const keep = on ? "ns:" + ns : null;
    state.selected = keep;
    state.pair = [];
    V.sidebar(data, state);
    render(true);
    deepLink();
  }

  svg.addEventListener("click", (ev) => {
    if (svg.dataset.panned) {
      delete svg.dataset.panned;
      return;
    }
    const g = ev.target.closest(".v");
    if (g) select(g.dataset.id, ev.shiftKey);
    else clearSelection();
  });
  // Double-clicking a collapsed group expands it (a single click opens its details).
  svg.addEventListener("dblclick", (ev) => {
    const g = ev.target.closest(".v.k-namespace");
    if (g) setCollapsed(g.dataset.name, false);
  });
  // Hovering an element lights up its edges, so connections read without clicking.
  let hovered = null;
  svg.addEventListener("mouseover", (ev) => {
    const g = ev.target.closest(".v");
    if (!g || g === hovered) return;
    viewport.querySelectorAll(".edge.hov").forEach((p) => p.classList.remove("hov"));
    hovered = g;
    const id = CSS.escape(g.dataset.id);
    viewport
      .querySelectorAll('.edge[data-from="' + id + '"], .edge[data-to="' + id + '"]')
      .forEach((p) => p.classList.add("hov"));
  });
  svg.addEventListener("mouseout", (ev) => {
    if (!hovered || (ev.relatedTarget && hovered.contains(ev.relatedTarget))) return;
    viewport.querySelectorAll(".edge.hov").forEach((p) => p.classList.remove("hov"));
    hovered = null;
  });
  const onGoto = (ev) => {
    const a = ev.target.closest("[data-goto]");
    if (!a) return false;
    ev.preventDefault();
    goto(a.dataset.goto);
    return true;
  };
  $("#run-summary").addEventListener("click", onGoto);
  $("#namespaces").addEventListener("click", onGoto);
  $("#details-body").addEventListener("click", (ev) => {
    if (onGoto(ev)) return;
    const c = ev.target.closest("[data-copy]"),
      x = ev.target.closest("[data-expand]"),
      k = ev.target.closest("[data-collapse]");
    if (c) V.copy(c.dataset.copy, c);
    if (x) setCollapsed(x.dataset.expand, false);
    if (k) setCollapsed(k.dataset.collapse, true);
  });
  $("#namespaces").addEventListener(
    "toggle",
    (ev) => {
      const d = ev.target.closest("details");
      if (d) d.open ? state.openTree.add(d.dataset.ns) : state.openTree.delete(d.dataset.ns);
    },
    true,
  );
  $("#sidebar").addEventListener("change", (ev) => {
    const el = ev.target;
    if (el.dataset.testid === "ns-toggle") return setCollapsed(el.dataset.name, el.checked);
    if (el.id === "pipeline") state.pipeline = el.value;
    else if (el.dataset.testid === "tag-filter")
      el.checked ? state.tags.add(el.dataset.name) : state.tags.delete(el.dataset.name);
    else if (el.id === "show-datasets") state.showDatasets = el.checked;
    else if (el.id === "show-params") state.showParams = el.checked;
    else if (el.id === "show-run") state.showRun = el.checked;
    else return;
    render(el.id === "pipeline" || el.dataset.testid === "tag-filter");
  });
  $("#search").addEventListener("input", (ev) => {
    state.search = ev.target.value;
    search();
  });
  $("#search").addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    const g = viewport.querySelector(".v.match");
    if (g) goto(g.dataset.id);
  });
  $("#details .close").addEventListener("click", clearSelection);
  $("#zoom-in").addEventListener("click", () => pz.zoomBy(1.25));
  $("#zoom-out").addEventListener("click", () => pz.zoomBy(0.8));
  $("#zoom-fit").addEventListener("click", () => pz.fit());
  window.addEventListener("resize", () => pz.fit());
  window.addEventListener("hashchange", () => openHash());
  V.keys({
    viewport,
    model: () => model,
    select,
    clearSelection,
    gOf,
    reveal: (v) => pz.reveal(v.x, v.y, $("#details").hidden ? 0 : $("#details").offsetWidth + 10),
    focusSearch: () => $("#search").focus(),
  });
  V.exports({ svg, data: () => data });
  V.resizablePanel($("#details"));

  function openHash() {
    const m = /^#node=(.+)$/.exec(location.hash);
    if (!m) return;
    const name = decodeURIComponent(m[1]);
    for (const prefix of ["node:", "ds:", "param:"]) if (goto(prefix + name)) return;
  }

  // Served pages follow edits (a new graph version) and runs (the run record, polled to its end).
  if (document.body.dataset.mode === "served" && location.protocol.startsWith("http"))
    V.live({
      version: Number(document.body.dataset.version),
      onGraph(next) {
        data = next;
        V.sidebar(data, state);
        render(false);
      },
      onRun(run) {
        data = Object.assign({}, data, { run: run.run, stats: run.stats || data.stats });
        V.runSummary(data);
        $("#run-toggle").hidden = !data.run;
        render(false);
      },
      current: () => data.run,
    });

  // A large pipeline opens as an overview, its top-level namespaces collapsed, when that shrinks it.
  if (data.nodes.length + data.datasets.length > V.OVERVIEW_LIMIT) {
    const top = V.allNamespaces(data).filter((ns) => !ns.includes("."));
    const full = V.buildModel(data, state).vertices.length;
    const small = V.buildModel(data, Object.assign({}, state, { collapsed: new Set(top) })).vertices.length;
    if (top.length && small <= full * 0.4) top.forEach((ns) => state.collapsed.add(ns));
  }
  V.sidebar(data, state);
  render(true);
  pz.fit(0.35); // first view: never so small that labels vanish (the Fit button shows it all)
  openHash();
  document.body.dataset.ready = "1";
  V.state = state;
})((window.mlcViz = window.mlcViz || {}));
