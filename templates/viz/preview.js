// mlc viz, what a dataset holds: its size, the first rows embedded with --include-previews, and
// reporting datasets drawn in place: a `plotly` figure as a small SVG of its scatter, line and bar
// traces (no plotly.js: the page stays one small offline file), an `image` as itself.
"use strict";
(function (V) {
  const esc = (s) => V.esc(s);

  /** "12.4 KB" from a byte count. */
  V.formatBytes = function (n) {
    if (n < 1024) return n + " B";
    const u = ["KB", "MB", "GB", "TB"];
    let i = -1;
    do ((n /= 1024), i++);
    while (n >= 1024 && i < u.length - 1);
    return n.toFixed(n < 10 ? 1 : 0) + " " + u[i];
  };

  /** Table rows for a dataset's size on disk (and its row count when known). */
  V.sizeRows = function (st) {
    if (!st) return "";
    if (st.missing) return '<tr><th>size</th><td class="muted" data-testid="dataset-size">not written yet</td></tr>';
    return (
      '<tr><th>size</th><td data-testid="dataset-size">' +
      esc(V.formatBytes(st.bytes)) +
      (st.rows != null ? " · " + st.rows.toLocaleString("en") + " rows" : "") +
      "</td></tr>"
    );
  };

  function table(p) {
    return (
      '<div class="scroll preview" tabindex="0" data-testid="dataset-preview"><table><thead><tr>' +
      p.columns.map((c) => "<th>" + esc(c) + "</th>").join("") +
      "</tr></thead><tbody>" +
      p.rows.map((r) => "<tr>" + r.map((c) => "<td>" + esc(c == null ? "" : c) + "</td>").join("") + "</tr>").join("") +
      "</tbody></table></div>"
    );
  }

  const PALETTE = ["#3b5bdb", "#e8590c", "#2b8a3e", "#c2255c", "#7048e8", "#1098ad"];

  // A plotly figure's scatter/line/bar traces on shared axes; other trace types are listed by name.
  function plotlySvg(fig) {
    const traces = (fig.data || []).filter((t) => !t.type || ["scatter", "bar", "line"].includes(t.type));
    if (!traces.length) return "";
    const W = 320,
      H = 180,
      L = 36,
      B = 24;
    const cats = [];
    const xOf = (x) => (typeof x === "number" ? x : (cats.includes(x) || cats.push(x), cats.indexOf(x)));
    const pts = traces.map((t) => (t.y || []).map((y, i) => [xOf(t.x ? t.x[i] : i), Number(y)]));
    const all = pts.flat();
    const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
    const [y0, y1] = [Math.min(0, ...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
    const sx = (x) => L + ((x - x0 + 0.5) / (x1 - x0 + 1)) * (W - L - 6);
    const sy = (y) => H - B - ((y - y0) / (y1 - y0 || 1)) * (H - B - 8);
    let body = "";
    traces.forEach((t, i) => {
      const c = PALETTE[i % PALETTE.length];
      const bw = (W - L) / (x1 - x0 + 1) / (traces.length + 1);
      if (t.type === "bar")
        body += pts[i]
          .map(
            ([x, y]) =>
              '<rect x="' +
              (sx(x) - bw * (traces.length / 2 - i)).toFixed(1) +
              '" y="' +
              sy(Math.max(y, 0)).toFixed(1) +
              '" width="' +
              bw.toFixed(1) +
              '" height="' +
              Math.abs(sy(y) - sy(0)).toFixed(1) +
              '" fill="' +
              c +
              '"/>',
          )
          .join("");
      else {
        const d = pts[i].map(([x, y], j) => (j ? "L" : "M") + sx(x).toFixed(1) + "," + sy(y).toFixed(1)).join(" ");
        body += (t.mode || "lines").includes("lines")
          ? '<path d="' + d + '" fill="none" stroke="' + c + '" stroke-width="1.5"/>'
          : "";
        body += pts[i]
          .map(
            ([x, y]) =>
              '<circle cx="' + sx(x).toFixed(1) + '" cy="' + sy(y).toFixed(1) + '" r="2.5" fill="' + c + '"/>',
          )
          .join("");
      }
    });
    const ticks = cats.length
      ? cats
          .map(
            (c, i) =>
              '<text x="' +
              sx(i).toFixed(1) +
              '" y="' +
              (H - 8) +
              '" text-anchor="middle">' +
              esc(String(c).slice(0, 12)) +
              "</text>",
          )
          .join("")
      : '<text x="' +
        L +
        '" y="' +
        (H - 8) +
        '">' +
        esc(x0) +
        '</text><text x="' +
        (W - 6) +
        '" y="' +
        (H - 8) +
        '" text-anchor="end">' +
        esc(x1) +
        "</text>";
    const title =
      fig.layout &&
      (typeof fig.layout.title === "string" ? fig.layout.title : fig.layout.title && fig.layout.title.text);
    return (
      '<svg class="plot" data-testid="plotly-figure" viewBox="0 0 ' +
      W +
      " " +
      H +
      '" role="img" aria-label="' +
      esc("chart" + (title ? ": " + title : "") + ", " + traces.length + " traces") +
      '">' +
      '<line x1="' +
      L +
      '" y1="' +
      sy(y0) +
      '" x2="' +
      W +
      '" y2="' +
      sy(y0) +
      '" class="axis"/>' +
      '<text x="2" y="12">' +
      esc(+y1.toPrecision(3)) +
      '</text><text x="2" y="' +
      sy(y0) +
      '">' +
      esc(+y0.toPrecision(3)) +
      "</text>" +
      body +
      ticks +
      "</svg>"
    );
  }

  function mediaHtml(m) {
    if (m.missing) return '<p class="muted" data-testid="dataset-media-missing">' + esc(m.missing) + "</p>";
    if (m.kind === "image")
      return '<img class="media" data-testid="image-preview" alt="' + esc(m.alt) + '" src="' + esc(m.src) + '">';
    const svg = plotlySvg(m.figure);
    return (
      (svg || '<p class="muted">This figure has no scatter or bar traces to draw here.</p>') +
      '<details><summary>Figure JSON</summary><pre class="config scroll" tabindex="0">' +
      esc(JSON.stringify(m.figure, null, 2)) +
      "</pre></details>"
    );
  }

  /** The dataset's embedded preview (first rows) or rendered figure/image, if the page has one. */
  V.previewHtml = function (d, data) {
    const media = data.media && data.media[d.name];
    if (media) return "<h3>Preview</h3>" + mediaHtml(media);
    const p = data.previews && data.previews[d.name];
    if (!p) return "";
    return "<h3>First " + p.rows.length + " rows</h3>" + table(p);
  };
})((window.mlcViz = window.mlcViz || {}));
