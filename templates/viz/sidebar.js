// mlc viz, the sidebar and header: the pipeline picker, tag filters, the namespace tree (each
// namespace lists its elements; its checkbox collapses it) and the run summary in the header.
"use strict";
(function (V) {
  const esc = (s) => V.esc(s);
  const $ = (sel) => document.querySelector(sel);

  function pipelineOptions(data, state) {
    const pipes = Object.keys(data.pipelines).sort((a, b) =>
      a === "__default__" ? -1 : b === "__default__" ? 1 : a < b ? -1 : 1,
    );
    const opt = (value, text) => '<option value="' + esc(value) + '">' + esc(text) + "</option>";
    $("#pipeline").innerHTML =
      (data.selection ? opt("__selection__", data.selection.label) : "") +
      pipes.map((p) => opt(p, p === "__default__" ? "__default__ (all nodes)" : p)).join("");
    $("#pipeline").value = state.pipeline;
  }

  function tagChecks(data, state) {
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
  }

  // The tree: one <details> per namespace (nested), its nodes as links; top-level nodes last.
  function tree(data, state) {
    const nss = V.allNamespaces(data);
    const byNs = new Map([["", []]]);
    for (const ns of nss) byNs.set(ns, []);
    for (const n of data.nodes) byNs.get(n.namespace || "").push(n);
    const item = (n) =>
      '<li><a href="#node=' +
      encodeURIComponent(n.name) +
      '" data-goto="node:' +
      esc(n.name) +
      '" data-testid="tree-node">' +
      esc(n.namespace ? n.name.slice(n.namespace.length + 1) : n.name) +
      "</a></li>";
    const branch = (ns) => {
      const kids = nss.filter((c) => c.startsWith(ns + ".") && !c.slice(ns.length + 1).includes("."));
      // The checkbox sits beside the <summary>, not in it: an input inside a summary is nested interaction.
      return (
        '<li class="ns"><input type="checkbox" data-testid="ns-toggle" aria-label="collapse ' +
        esc(ns) +
        '" data-name="' +
        esc(ns) +
        '"' +
        (state.collapsed.has(ns) ? " checked" : "") +
        '><details data-ns="' +
        esc(ns) +
        '"' +
        (state.openTree.has(ns) ? " open" : "") +
        '><summary><span class="ns-name" data-testid="tree-namespace">' +
        esc(ns.split(".").pop()) +
        '</span> <span class="muted small">' +
        data.nodes.filter((n) => (n.namespace || "") === ns || (n.namespace || "").startsWith(ns + ".")).length +
        "</span></summary><ul>" +
        kids.map(branch).join("") +
        byNs.get(ns).map(item).join("") +
        "</ul></details></li>"
      );
    };
    $("#namespaces").innerHTML =
      '<ul class="tree" data-testid="tree">' +
      nss
        .filter((ns) => !ns.includes("."))
        .map(branch)
        .join("") +
      byNs.get("").map(item).join("") +
      "</ul>";
  }

  /** Fills the sidebar and the header from the data and the state. */
  V.sidebar = function (data, state) {
    pipelineOptions(data, state);
    tagChecks(data, state);
    tree(data, state);
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
    V.runSummary(data);
  };

  /** The header: the run's status, id, start, counts per status and links to failed nodes. */
  V.runSummary = function (data) {
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
      "</span> " +
      (r.status === "running" ? "run" : "last run") +
      " <code>" +
      esc(r.run_id) +
      "</code> · " +
      esc(started) +
      ' · <span data-testid="run-counts">' +
      V.STATUSES.filter((s) => counts[s])
        .map((s) => '<span class="count st-' + s + '">' + counts[s] + " " + s.replace("_", " ") + "</span>")
        .join(" ") +
      "</span>" +
      Object.keys(r.nodes)
        .filter((n) => r.nodes[n].status === "failed")
        .map(
          (n) =>
            ' <a href="#node=' +
            encodeURIComponent(n) +
            '" class="failed-link" data-goto="node:' +
            esc(n) +
            '" data-testid="run-failed-link">✗ ' +
            esc(n) +
            "</a>",
        )
        .join("");
  };
})((window.mlcViz = window.mlcViz || {}));
