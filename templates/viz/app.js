// mlc viz, the app: state (pipeline, filters, collapsed namespaces, selection), the sidebar
// controls, clicks, search and the served page's live reload. Everything is redrawn from state.
"use strict";
(function (V) {
  const $ = (sel) => document.querySelector(sel);
  const esc = (s) => V.esc(s);
  let data = JSON.parse(document.getElementById("mlc-data").textContent);
  const state = {
    pipeline: data.selection ? "__selection__" : "__default__",
    tags: new Set(),
    collapsed: new Set(),
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

  function sidebar() {
    const pipes = Object.keys(data.pipelines).sort((a, b) =>
      a === "__default__" ? -1 : b === "__default__" ? 1 : a < b ? -1 : 1,
    );
    $("#pipeline").innerHTML =
      (data.selection ? '<option value="__selection__">' + esc(data.selection.label) + "</option>" : "") +
      pipes
        .map(
          (p) =>
            '<option value="' + esc(p) + '">' + esc(p === "__default__" ? "__default__ (all nodes)" : p) + "</option>",
        )
        .join("");
    $("#pipeline").value = state.pipeline;
    const tags = [...new Set(data.nodes.flatMap((n) => n.tags))].sort();
    $("#tags").innerHTML = tags.length
      ? tags
          .map(
            (t) =>
              '<label><input type="checkbox" data-testid="tag-filter" data-name="' +
              esc(t) +
              '"' +
              (state.tags.has(t) ? " checked" : "") +
              "> " +
              esc(t) +
              "</label>",
          )
          .join("")
      : '<span class="muted">no tags</span>';
    const nss = V.allNamespaces(data);
    $("#namespaces").innerHTML = nss.length
      ? nss
          .map(
            (ns) =>
              '<label style="padding-left:' +
              (ns.split(".").length - 1) * 12 +
              'px"><input type="checkbox" data-testid="ns-toggle" data-name="' +
              esc(ns) +
              '"' +
              (state.collapsed.has(ns) ? " checked" : "") +
              "> " +
              esc(ns.split(".").pop()) +
              "</label>",
          )
          .join("")
      : '<span class="muted">no namespaces</span>';
    $("#run-toggle").hidden = !data.run;
    const problems = data.problems || [];
    $("#problems").hidden = problems.length === 0;
    $("#problems").textContent = problems.length
      ? "The project no longer compiles (" +
        problems.length +
        " error" +
        (problems.length > 1 ? "s" : "") +
        "); showing the last version that did. Fix and save to refresh.\n" +
        problems.slice(0, 5).join("\n")
      : "";
    runSummary();
  }

  function runSummary() {
    const el = $("#run-summary");
    if (!data.run) {
      el.innerHTML = '<span class="muted">No runs yet: <code>mlc run</code> records one in .mlc/runs</span>';
      return;
    }
    const r = data.run,
      counts = {};
    for (const n of Object.values(r.nodes)) counts[n.status] = (counts[n.status] || 0) + 1;
    const started = r.started_at.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
    el.innerHTML =
      '<span class="badge st-' +
      esc(r.status) +
      '" data-testid="run-badge">' +
      esc(r.status) +
      "</span> last run <code>" +
      esc(r.run_id) +
      "</code> · " +
      esc(started) +
      " · " +
      ["completed", "failed", "skipped", "not_run"]
        .filter((s) => counts[s])
        .map((s) => '<span class="count st-' + s + '">' + counts[s] + " " + s.replace("_", " ") + "</span>")
        .join(" ") +
      Object.keys(r.nodes)
        .filter((n) => r.nodes[n].status === "failed")
        .map(
          (n) =>
            ' <a href="#" class="failed-link" data-goto="node:' +
            esc(n) +
            '" data-testid="run-failed-link">✗ ' +
            esc(n) +
            "</a>",
        )
        .join("");
  }

  /** Re-builds the model and re-draws; `refit` re-centres the view. */
  function render(refit) {
    const t0 = performance.now();
    model = V.buildModel(data, state);
    V.sizeVertices(model);
    const geo = V.layout(model, data.layerOrder || []);
    const t1 = performance.now();
    V.draw(viewport, model, geo, state.showRun ? data.run : null);
    svg.classList.toggle("run-on", !!(state.showRun && data.run));
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
    highlight();
    details();
  }

  function vertexById(id) {
    return model && model.vertices.find((v) => v.id === id);
  }

  function highlight() {
    const sel = state.selected;
    svg.classList.toggle("has-sel", !!sel || state.pair.length > 0);
    const marked = new Set(state.pair.map((n) => "node:" + n));
    if (sel) marked.add(sel);
    viewport.querySelectorAll(".v").forEach((g) => g.classList.toggle("sel", marked.has(g.dataset.id)));
    viewport.querySelectorAll(".edge").forEach((p) => {
      const on = marked.has(p.dataset.from) || marked.has(p.dataset.to);
      p.classList.toggle("hl", on);
      if (on)
        for (const id of [p.dataset.from, p.dataset.to]) {
          const g = viewport.querySelector('[data-id="' + CSS.escape(id) + '"]');
          if (g) g.classList.add("near");
        }
    });
    if (!sel && !state.pair.length) viewport.querySelectorAll(".near").forEach((g) => g.classList.remove("near"));
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
      run: state.showRun ? data.run : null,
      pair: state.pair,
    });
  }

  function select(id, shift) {
    const v = vertexById(id);
    if (v && v.kind === "namespace") {
      state.collapsed.delete(v.name);
      state.selected = null;
      sidebar();
      render(false);
      return;
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
      state.selected = id;
    }
    viewport.querySelectorAll(".near").forEach((g) => g.classList.remove("near"));
    highlight();
    details();
    if (v && !$("#details").hidden) pz.ensureVisible(v.x + v.w / 2, v.y, $("#details").offsetWidth + 10);
  }

  svg.addEventListener("click", (ev) => {
    if (svg.dataset.panned) {
      delete svg.dataset.panned;
      return;
    }
    const g = ev.target.closest(".v");
    if (g) select(g.dataset.id, ev.shiftKey);
    else {
      state.selected = null;
      state.pair = [];
      highlight();
      details();
    }
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
  $("#run-summary").addEventListener("click", (ev) => {
    const a = ev.target.closest("[data-goto]");
    const v = a && vertexById(a.dataset.goto);
    if (!a) return;
    ev.preventDefault();
    if (v) {
      select(v.id, false);
      pz.centerOn(v.x, v.y);
    }
  });
  $("#details-body").addEventListener("click", (ev) => {
    const a = ev.target.closest("[data-goto]"),
      c = ev.target.closest("[data-copy]"),
      x = ev.target.closest("[data-expand]");
    if (a) {
      ev.preventDefault();
      const v = vertexById(a.dataset.goto);
      if (v) {
        select(v.id, false);
        pz.centerOn(v.x, v.y);
      }
    }
    if (c) copy(c.dataset.copy, c);
    if (x) {
      state.collapsed.delete(x.dataset.expand);
      state.selected = null;
      sidebar();
      render(false);
    }
  });
  function copy(text, btn) {
    const done = () => {
      btn.textContent = "Copied";
      setTimeout(() => (btn.textContent = "Copy"), 1200);
    };
    if (navigator.clipboard && window.isSecureContext)
      navigator.clipboard.writeText(text).then(done, () => legacyCopy(text, done));
    else legacyCopy(text, done);
  }
  function legacyCopy(text, done) {
    const ta = document.createElement("textarea");
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    try {
      document.execCommand("copy");
      done();
    } catch (e) {
      /* the command stays visible to copy by hand */
    }
    ta.remove();
  }
  $("#sidebar").addEventListener("change", (ev) => {
    const el = ev.target;
    if (el.id === "pipeline") state.pipeline = el.value;
    else if (el.dataset.testid === "tag-filter")
      el.checked ? state.tags.add(el.dataset.name) : state.tags.delete(el.dataset.name);
    else if (el.dataset.testid === "ns-toggle")
      el.checked ? state.collapsed.add(el.dataset.name) : state.collapsed.delete(el.dataset.name);
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
    const v = g && vertexById(g.dataset.id);
    if (v) {
      select(v.id, false);
      pz.centerOn(v.x, v.y);
    }
  });
  $("#details .close").addEventListener("click", () => {
    state.selected = null;
    state.pair = [];
    highlight();
    details();
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "/" && ev.target.tagName !== "INPUT") {
      ev.preventDefault();
      $("#search").focus();
      return;
    }
    if (ev.key !== "Escape") return;
    if (ev.target.id === "search") {
      ev.target.value = "";
      state.search = "";
      search();
      return;
    }
    state.selected = null;
    state.pair = [];
    highlight();
    details();
  });
  $("#zoom-in").addEventListener("click", () => pz.zoomBy(1.25));
  $("#zoom-out").addEventListener("click", () => pz.zoomBy(0.8));
  $("#zoom-fit").addEventListener("click", () => pz.fit());
  window.addEventListener("resize", () => pz.fit());

  // Served pages follow edits: the server bumps a version after each recompile.
  if (document.body.dataset.mode === "served" && location.protocol.startsWith("http")) {
    let version = Number(document.body.dataset.version);
    setInterval(async () => {
      try {
        const v = (await (await fetch("api/version")).json()).version;
        if (v !== version) {
          data = await (await fetch("api/graph")).json();
          sidebar();
          render(false);
        }
        version = v;
      } catch (e) {
        /* server stopped: keep the last view */
      }
    }, 1500);
  }

  // A big graph opens as an overview (top-level namespaces collapsed) when that really shrinks it.
  if (data.nodes.length + data.datasets.length > V.DAGRE_LIMIT) {
    const top = V.allNamespaces(data).filter((ns) => !ns.includes("."));
    const full = V.buildModel(data, state).vertices.length;
    const small = V.buildModel(data, Object.assign({}, state, { collapsed: new Set(top) })).vertices.length;
    if (small <= full * 0.4) top.forEach((ns) => state.collapsed.add(ns));
  }
  sidebar();
  render(true);
  pz.fit(0.35); // first view: never so small that labels vanish (the Fit button shows it all)
  document.body.dataset.ready = "1";
  V.state = state;
})((window.mlcViz = window.mlcViz || {}));
