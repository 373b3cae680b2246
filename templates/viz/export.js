// mlc viz, downloads and copying: the graph as SVG (styles inlined, so it stands alone), as PNG
// (that SVG drawn on a canvas at twice the size) and as Mermaid (the compiler's pipeline.mmd).
"use strict";
(function (V) {
  function save(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  // The CSS custom properties in force (light or dark), so the file looks like the page.
  function resolvedVars() {
    const css = getComputedStyle(document.documentElement);
    const names = [...document.styleSheets]
      .flatMap((s) => [...s.cssRules])
      .flatMap((r) => (r.style ? [...r.style].filter((p) => p.startsWith("--")) : []));
    return [...new Set(names)].map((n) => n + ":" + css.getPropertyValue(n)).join(";");
  }

  /** The graph as a standalone SVG document: whole graph, no pan/zoom, page styles inlined. */
  V.svgText = function (svg) {
    const vp = svg.querySelector("#viewport");
    const box = vp.getBBox();
    const clone = svg.cloneNode(true);
    clone.removeAttribute("data-testid");
    clone.querySelector("#viewport").removeAttribute("transform");
    const pad = 20;
    clone.setAttribute("viewBox", [box.x - pad, box.y - pad, box.width + 2 * pad, box.height + 2 * pad].join(" "));
    clone.setAttribute("width", Math.ceil(box.width + 2 * pad));
    clone.setAttribute("height", Math.ceil(box.height + 2 * pad));
    const style = document.createElementNS("http://www.w3.org/2000/svg", "style");
    style.textContent = "#graph{" + resolvedVars() + "}" + document.querySelector("style").textContent;
    clone.insertBefore(style, clone.firstChild);
    return new XMLSerializer().serializeToString(clone);
  };

  function png(svg, name) {
    const text = V.svgText(svg);
    const img = new Image();
    img.onload = () => {
      const scale = Math.min(2, 8000 / Math.max(img.width, img.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.ceil(img.width * scale);
      canvas.height = Math.ceil(img.height * scale);
      const c = canvas.getContext("2d");
      c.fillStyle = getComputedStyle(document.documentElement).getPropertyValue("--bg") || "#fff";
      c.fillRect(0, 0, canvas.width, canvas.height);
      c.drawImage(img, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((b) => save(b, name + ".png"), "image/png");
    };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
  }

  /** Wires the download buttons. */
  V.exports = function (ctx) {
    const base = () => (ctx.data().name || "pipeline").replace(/[^A-Za-z0-9_.-]+/g, "_");
    document.getElementById("download").addEventListener("click", (ev) => {
      const b = ev.target.closest("[data-download]");
      if (!b) return;
      const kind = b.dataset.download;
      if (kind === "svg") save(new Blob([V.svgText(ctx.svg)], { type: "image/svg+xml" }), base() + ".svg");
      else if (kind === "png") png(ctx.svg, base());
      else save(new Blob([ctx.data().mermaid || ""], { type: "text/plain" }), base() + ".mmd");
    });
  };

  /** Copies `text`, then says so on the button. */
  V.copy = function (text, btn) {
    const done = () => {
      btn.textContent = "Copied";
      setTimeout(() => (btn.textContent = "Copy"), 1200);
    };
    if (navigator.clipboard && window.isSecureContext)
      navigator.clipboard.writeText(text).then(done, () => legacyCopy(text, done));
    else legacyCopy(text, done);
  };
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
})((window.mlcViz = window.mlcViz || {}));
