// mlc viz, drawing: the laid-out model as one SVG string set on the viewport <g> (fast for
// thousands of elements; pan and zoom only change that <g>'s transform, never re-draw).
"use strict";
(function (V) {
  const esc = (s) =>
    String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  V.esc = esc;

  /** "1.2 s", "340 ms", "2 m 05 s". */
  V.formatDuration = function (ms) {
    if (ms == null || isNaN(ms)) return "";
    if (ms < 1000) return Math.round(ms) + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 1 : 0) + " s";
    const m = Math.floor(ms / 60000),
      s = Math.round((ms % 60000) / 1000);
    return m + " m " + String(s).padStart(2, "0") + " s";
  };

  const STATUS_MARK = { completed: "✓", cached: "≡", failed: "✗", skipped: "↷", not_run: "○" };
  /** Statuses in the order counts are listed. */
  V.STATUSES = ["completed", "cached", "failed", "skipped", "not_run"];
  const timed = (st) => st === "completed" || st === "failed";

  /**
   * What a screen reader says for a vertex: its full name and the status line as drawn (so the
   * visible words come in the same order, WCAG 2.5.3), then its kind and status in words.
   */
  V.accessibleName = function (v, run, sub) {
    const kind = { node: "node", dataset: "dataset", param: "parameter", namespace: "namespace" }[v.kind];
    const rn = v.kind === "node" && run ? run.nodes[v.name] : null;
    const name = v.kind === "namespace" ? v.name + " (" + v.item.nodes.length + ")" : v.name;
    const extra = rn ? ", " + rn.status.replace("_", " ") : run && v.kind === "node" ? ", not in the run" : "";
    return name + (sub ? " " + sub : "") + ", " + kind + (v.kind === "namespace" ? ", collapsed" : "") + extra;
  };

  function edgePath(e, from, to) {
    if (e.points && e.points.length > 1) {
      const p = e.points;
      let d = "M" + p[0].x.toFixed(1) + "," + p[0].y.toFixed(1);
      for (let i = 1; i < p.length - 1; i++) {
        const mx = (p[i].x + p[i + 1].x) / 2,
          my = (p[i].y + p[i + 1].y) / 2;
        d += " Q" + p[i].x.toFixed(1) + "," + p[i].y.toFixed(1) + " " + mx.toFixed(1) + "," + my.toFixed(1);
      }
      return d + " L" + p[p.length - 1].x.toFixed(1) + "," + p[p.length - 1].y.toFixed(1);
    }
    const x1 = from.x + from.w / 2,
      y1 = from.y,
      x2 = to.x - to.w / 2,
      y2 = to.y;
    const c = Math.max(24, (x2 - x1) / 2);
    return (
      "M" +
      x1.toFixed(1) +
      "," +
      y1.toFixed(1) +
      " C" +
      (x1 + c).toFixed(1) +
      "," +
      y1.toFixed(1) +
      " " +
      (x2 - c).toFixed(1) +
      "," +
      y2.toFixed(1) +
      " " +
      x2.toFixed(1) +
      "," +
      y2.toFixed(1)
    );
  }

  function shape(v) {
    const x = -v.w / 2,
      y = -v.h / 2;
    if (v.kind === "dataset")
      return (
        '<rect class="shape" x="' +
        x +
        '" y="' +
        y +
        '" width="' +
        v.w +
        '" height="' +
        v.h +
        '" rx="' +
        v.h / 2 +
        '"/>'
      );
    if (v.kind === "param") {
      const a = v.h / 2,
        hw = v.w / 2;
      return (
        '<polygon class="shape" points="' +
        [
          [-hw, 0],
          [-hw + a, -a],
          [hw - a, -a],
          [hw, 0],
          [hw - a, a],
          [-hw + a, a],
        ]
          .map((p) => p.join(","))
          .join(" ") +
        '"/>'
      );
    }
    if (v.kind === "namespace") {
      return (
        '<rect class="shape back" x="' +
        (x + 5) +
        '" y="' +
        (y - 5) +
        '" width="' +
        v.w +
        '" height="' +
        v.h +
        '" rx="6"/>' +
        '<rect class="shape" x="' +
        x +
        '" y="' +
        y +
        '" width="' +
        v.w +
        '" height="' +
        v.h +
        '" rx="6"/>'
      );
    }
    return '<rect class="shape" x="' + x + '" y="' + y + '" width="' + v.w + '" height="' + v.h + '" rx="4"/>';
  }

  // A collapsed namespace shows its members' worst status: failed > not run > skipped > completed.
  function groupStatus(v, run) {
    const st = v.item.nodes.map((n) => (run.nodes[n.name] ? run.nodes[n.name].status : "no_record"));
    const counts = {};
    st.forEach((s) => (counts[s] = (counts[s] || 0) + 1));
    const worst = ["failed", "not_run", "no_record", "skipped", "cached", "completed"].find((s) => counts[s]);
    const sub = V.STATUSES.filter((s) => counts[s])
      .map((s) => counts[s] + " " + STATUS_MARK[s])
      .join(" · ");
    return { status: worst, sub: sub || "not in the last run" };
  }

  function vertexSvg(v, run) {
    const rn = v.kind === "node" && run ? run.nodes[v.name] : null;
    const group = v.kind === "namespace" && run ? groupStatus(v, run) : null;
    const status = rn ? rn.status : group ? group.status : v.kind === "node" && run ? "no_record" : "";
    const cls = ["v", "k-" + v.kind];
    if (status) cls.push("st-" + status);
    if (v.kind === "dataset" && !v.item.persistent) cls.push("memory");
    const lines = v.kind === "namespace" ? ["▸ " + v.lines[0]].concat(v.lines.slice(1)) : v.lines;
    const sub = rn
      ? (STATUS_MARK[rn.status] || "") +
        " " +
        (timed(rn.status) ? V.formatDuration(rn.duration_ms) : rn.status.replace("_", " "))
      : v.kind === "namespace"
        ? group
          ? group.sub
          : "click for details"
        : null;
    const top = -((lines.length - 1) * V.LINE_H) / 2 - (sub !== null ? 7 : 0) + 4;
    let text = lines
      .map(
        (l, i) =>
          '<text class="label" aria-hidden="true" y="' + (top + i * V.LINE_H).toFixed(1) + '">' + esc(l) + "</text>",
      )
      .join("");
    if (sub !== null)
      text +=
        '<text class="sub" aria-hidden="true" y="' +
        (top + lines.length * V.LINE_H).toFixed(1) +
        '">' +
        esc(sub) +
        "</text>";
    const testid = v.kind === "namespace" ? "namespace" : v.kind;
    return (
      '<g class="' +
      cls.join(" ") +
      '" transform="translate(' +
      v.x.toFixed(1) +
      "," +
      v.y.toFixed(1) +
      ')" data-id="' +
      esc(v.id) +
      '" data-testid="' +
      testid +
      '" data-name="' +
      esc(v.name) +
      '"' +
      (status ? ' data-status="' + status + '"' : "") +
      ' tabindex="0" role="button" aria-label="' +
      esc(V.accessibleName(v, run, sub)) +
      '"><title>' +
      esc(v.name) +
      "</title>" +
      shape(v) +
      text +
      "</g>"
    );
  }

  function bandsSvg(bands, height) {
    return bands
      .map(
        (b, i) =>
          '<g class="band' +
          (i % 2 ? " odd" : "") +
          '" data-testid="layer-band" data-name="' +
          esc(b.name) +
          '"><rect x="' +
          b.x0.toFixed(1) +
          '" y="-30" width="' +
          (b.x1 - b.x0).toFixed(1) +
          '" height="' +
          (height + 60).toFixed(1) +
          '"/><text x="' +
          ((b.x0 + b.x1) / 2).toFixed(1) +
          '" y="-10">' +
          esc(b.name) +
          "</text></g>",
      )
      .join("");
  }

  function framesSvg(frames) {
    return frames
      .map(
        (f) =>
          '<g class="frame" data-testid="namespace-frame" data-name="' +
          esc(f.name) +
          '"><rect x="' +
          f.x0.toFixed(1) +
          '" y="' +
          f.y0.toFixed(1) +
          '" width="' +
          (f.x1 - f.x0).toFixed(1) +
          '" height="' +
          (f.y1 - f.y0).toFixed(1) +
          '" rx="8"/><text x="' +
          (f.x0 + 8).toFixed(1) +
          '" y="' +
          (f.y0 + 12).toFixed(1) +
          '">' +
          esc(f.name) +
          "</text></g>",
      )
      .join("");
  }

  /** Draws into the viewport <g>; returns nothing. `run` is the run overlay or null. */
  V.draw = function (viewport, model, geo, run) {
    const byId = new Map(model.vertices.map((v) => [v.id, v]));
    const parts = ['<g class="bands">', bandsSvg(geo.bands, geo.height), "</g>"];
    parts.push('<g class="frames">', framesSvg(geo.frames || []), '</g><g class="edges">');
    for (const e of model.edges) {
      const a = byId.get(e.from),
        b = byId.get(e.to);
      parts.push(
        '<path class="edge" data-testid="edge" data-from="' +
          esc(e.from) +
          '" data-to="' +
          esc(e.to) +
          '" d="' +
          edgePath(e, a, b) +
          '" marker-end="url(#arrow)">' +
          (e.via.length ? "<title>" + esc(e.via.join(", ")) + "</title>" : "") +
          "</path>",
      );
    }
    parts.push('</g><g class="vertices">');
    for (const v of model.vertices) parts.push(vertexSvg(v, run));
    parts.push("</g>");
    viewport.innerHTML = parts.join("");
  };
})((window.mlcViz = window.mlcViz || {}));
