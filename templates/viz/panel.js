// mlc viz, the details panel: what a node, dataset, parameter or collapsed namespace is, its
// neighbours, its last-run result and the `mlc run` command that runs just that part.
"use strict";
(function (V) {
  const esc = (s) => V.esc(s);
  const q = (s) => (/^[A-Za-z0-9_.@:,\/=-]+$/.test(s) ? s : "'" + String(s).replace(/'/g, "'\\''") + "'");

  /** `mlc run` with the given flags (values shell-quoted when needed). */
  V.runCommand = function (flags) {
    return "mlc run" + flags.map(([f, v]) => " " + f + " " + q(v)).join("");
  };

  function row(k, v) {
    return v == null || v === "" ? "" : "<tr><th>" + esc(k) + "</th><td>" + v + "</td></tr>";
  }
  function chips(list, cls) {
    return list.length
      ? list.map((t) => '<span class="chip ' + (cls || "") + '">' + esc(t) + "</span>").join(" ")
      : '<span class="muted">none</span>';
  }
  function links(list, prefixOf) {
    if (!list.length) return '<li class="muted">none</li>';
    return list.map((n) => '<li><a href="#" data-goto="' + esc(prefixOf(n) + n) + '">' + esc(n) + "</a></li>").join("");
  }
  function command(cmd, testid) {
    return (
      '<div class="cmd" data-testid="' +
      testid +
      '"><code>' +
      esc(cmd) +
      '</code><button class="copy" data-copy="' +
      esc(cmd) +
      '" title="Copy">Copy</button></div>'
    );
  }
  const refPrefix = (n) => (n === "parameters" || n.startsWith("params:") ? "param:" : "ds:");

  function runBox(rn, run) {
    if (!run) return "";
    if (!rn) return '<div class="run-box st-no_record">Not part of the last run</div>';
    let html =
      '<div class="run-box st-' +
      esc(rn.status) +
      '" data-testid="run-status"><b>' +
      esc(rn.status.replace("_", " ")) +
      "</b>";
    if (rn.status === "completed" || rn.status === "failed") html += " in " + esc(V.formatDuration(rn.duration_ms));
    if (rn.status === "cached") html += " (up to date, not re-run)";
    if (rn.attempts > 1) html += " · " + rn.attempts + " attempts";
    if (rn.error) {
      html +=
        '<div class="error" data-testid="run-error"><span class="code">' +
        esc(rn.error.code) +
        "</span> " +
        esc(rn.error.message) +
        "</div>";
    }
    if (rn.status === "failed" && run.resume_command) html += command(run.resume_command, "resume-command");
    return html + "</div>";
  }

  function nodeHtml(n, ctx) {
    const datasets = n.inputs.filter((i) => refPrefix(i) === "ds:");
    const params = n.inputs.filter((i) => refPrefix(i) === "param:");
    // With the run overlay on, the values that run used; otherwise today's configuration.
    const runParams = ctx.run && ctx.run.params;
    const paramVals = new Map(ctx.data.params.map((p) => [p.name, runParams ? runParams[p.name] : p.value]));
    let html =
      '<div class="kind k-node">node</div><h2>' +
      esc(n.name) +
      "</h2>" +
      runBox(ctx.run && ctx.run.nodes[n.name], ctx.run);
    html +=
      "<table>" +
      row("func", "<code>" + esc(n.func) + "</code>") +
      row("namespace", n.namespace ? esc(n.namespace) : "") +
      row("tags", chips(n.tags)) +
      row("source", n.source ? "<code>" + esc(n.source) + "</code>" : "") +
      "</table>";
    html += '<h3>Inputs</h3><ul class="io" data-testid="node-inputs">' + links(datasets, refPrefix) + "</ul>";
    html += '<h3>Outputs</h3><ul class="io" data-testid="node-outputs">' + links(n.outputs, refPrefix) + "</ul>";
    if (params.length) {
      html +=
        '<h3>Parameters used</h3><ul class="io" data-testid="node-params">' +
        params
          .map(
            (p) =>
              '<li><a href="#" data-goto="param:' +
              esc(p) +
              '">' +
              esc(p) +
              "</a>" +
              (paramVals.get(p) != null ? ' <code class="val">' + esc(paramVals.get(p)) + "</code>" : "") +
              "</li>",
          )
          .join("") +
        "</ul>" +
        (runParams ? '<p class="hint">Values the run <code>' + esc(ctx.run.run_id) + "</code> used.</p>" : "");
    }
    if (n.code)
      html += '<h3>Code</h3><pre class="code scroll" data-testid="node-code" tabindex="0">' + esc(n.code) + "</pre>";
    html += "<h3>Run just this node</h3>" + command(V.runCommand([["--nodes", n.name]]), "node-command");
    html += '<p class="hint">Shift-click a second node to get the command for the path between them.</p>';
    return html;
  }

  function datasetHtml(d, ctx) {
    const producers = ctx.data.nodes.filter((n) => n.outputs.includes(d.name)).map((n) => n.name);
    const consumers = ctx.data.nodes.filter((n) => n.inputs.includes(d.name)).map((n) => n.name);
    let html =
      '<div class="kind k-dataset">dataset</div><h2>' +
      esc(d.name) +
      "</h2><table>" +
      row("type", "<code>" + esc(d.type) + "</code>") +
      row("filepath", d.filepath ? "<code>" + esc(d.filepath) + "</code>" : "") +
      row("layer", d.layer ? esc(d.layer) : "") +
      row("persistent", d.persistent ? "yes" : "no (in memory)") +
      V.sizeRows(ctx.data.stats && ctx.data.stats[d.name]) +
      row(
        "credentials",
        d.config && typeof d.config.credentials === "string"
          ? esc(d.config.credentials) + ' <span class="muted">(name only)</span>'
          : "",
      ) +
      "</table>";
    html += '<h3>Written by</h3><ul class="io">' + links(producers, () => "node:") + "</ul>";
    html += '<h3>Read by</h3><ul class="io">' + links(consumers, () => "node:") + "</ul>";
    html += V.previewHtml(d, ctx.data);
    html +=
      '<h3>Config</h3><pre class="config scroll" data-testid="dataset-config" tabindex="0">' +
      esc(JSON.stringify(d.config, null, 2)) +
      "</pre>";
    if (producers.length)
      html += "<h3>Rebuild it</h3>" + command(V.runCommand([["--to-outputs", d.name]]), "dataset-command");
    return html;
  }

  function paramHtml(p, ctx) {
    const users = ctx.data.nodes.filter((n) => n.inputs.includes(p.name)).map((n) => n.name);
    return (
      '<div class="kind k-param">parameter</div><h2>' +
      esc(p.name) +
      "</h2>" +
      (p.value != null ? '<pre class="config">' + esc(p.value) + "</pre>" : "") +
      '<h3>Used by</h3><ul class="io">' +
      links(users, () => "node:") +
      "</ul>"
    );
  }

  function namespaceHtml(g) {
    return (
      '<div class="kind k-namespace">namespace</div><h2>' +
      esc(g.name) +
      "</h2>" +
      '<p><button class="btn" data-testid="namespace-expand" data-expand="' +
      esc(g.name) +
      '">Expand namespace</button></p>' +
      "<h3>" +
      g.nodes.length +
      ' nodes</h3><ul class="io">' +
      links(
        g.nodes.map((n) => n.name),
        () => "node:",
      ) +
      "</ul>" +
      "<h3>Run this namespace</h3>" +
      command(V.runCommand([["--namespaces", g.name]]), "namespace-command")
    );
  }

  function pairHtml(pair, ctx) {
    const [a, b] = V.orderPair(ctx.data, pair[0], pair[1]);
    return (
      '<div class="kind k-node">path between two nodes</div><h2>' +
      esc(a) +
      " → " +
      esc(b) +
      "</h2>" +
      "<p>Runs <b>" +
      esc(a) +
      "</b>, everything downstream of it that leads to <b>" +
      esc(b) +
      "</b>, and <b>" +
      esc(b) +
      "</b>.</p>" +
      command(
        V.runCommand([
          ["--from-nodes", a],
          ["--to-nodes", b],
        ]),
        "pair-command",
      ) +
      '<p class="hint" data-testid="pair-path">' +
      (ctx.pathSize
        ? ctx.pathSize + " elements on the path are highlighted."
        : "No path between them: the command runs nothing between.") +
      " Click any element to clear the pair.</p>"
    );
  }

  function collapseButton(ns) {
    if (!ns) return "";
    return (
      '<p><button class="btn" data-testid="namespace-collapse" data-collapse="' +
      esc(ns) +
      '">Collapse ' +
      esc(ns) +
      "</button></p>"
    );
  }

  /** Lets the user widen or narrow the panel by dragging its left edge (the width is kept). */
  V.resizablePanel = function (panel) {
    const grip = panel.querySelector(".grip");
    grip.addEventListener("pointerdown", (ev) => {
      ev.preventDefault();
      grip.setPointerCapture(ev.pointerId);
      const right = panel.getBoundingClientRect().right;
      const move = (e) =>
        (panel.style.width = Math.max(260, Math.min(window.innerWidth * 0.8, right - e.clientX)) + "px");
      const up = () => {
        grip.removeEventListener("pointermove", move);
        grip.removeEventListener("pointerup", up);
      };
      grip.addEventListener("pointermove", move);
      grip.addEventListener("pointerup", up);
    });
    grip.addEventListener("keydown", (ev) => {
      const step = ev.key === "ArrowLeft" ? 40 : ev.key === "ArrowRight" ? -40 : 0;
      if (step) panel.style.width = Math.max(260, panel.offsetWidth + step) + "px";
    });
  };

  /** Fills the panel for the selected vertex (or the node pair); empty selection shows help. */
  V.renderDetails = function (el, v, ctx) {
    let html;
    if (ctx.pair && ctx.pair.length === 2) html = pairHtml(ctx.pair, ctx);
    else if (!v)
      html =
        '<div class="empty"><h2>' +
        esc(ctx.data.name) +
        "</h2><p>Click a node, dataset or parameter to see its details. Shift-click two nodes for the command that runs the path between them.</p></div>";
    else if (v.kind === "node") html = nodeHtml(v.item, ctx) + collapseButton(v.item.namespace);
    else if (v.kind === "dataset") html = datasetHtml(v.item, ctx);
    else if (v.kind === "param") html = paramHtml(v.item, ctx);
    else html = namespaceHtml(v.item);
    el.innerHTML = html;
  };
})((window.mlcViz = window.mlcViz || {}));
