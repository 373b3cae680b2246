// mlc viz, pan and zoom: drag the background to pan, wheel to zoom at the cursor, buttons for
// in/out/fit. Only the viewport <g>'s transform changes, once per animation frame.
"use strict";
(function (V) {
  /** Attaches pan/zoom to `svg`, transforming `viewport`; returns {fit, zoomBy, centerOn}. */
  V.panZoom = function (svg, viewport) {
    const t = { x: 0, y: 0, k: 1 };
    let frame = 0, size = { width: 0, height: 0 };
    const apply = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        viewport.setAttribute("transform", "translate(" + t.x.toFixed(1) + "," + t.y.toFixed(1) + ") scale(" + t.k.toFixed(4) + ")");
        svg.dataset.zoom = t.k.toFixed(3);
      });
    };
    const zoomAt = (factor, cx, cy) => {
      const k = Math.min(4, Math.max(0.02, t.k * factor));
      t.x = cx - ((cx - t.x) * k) / t.k;
      t.y = cy - ((cy - t.y) * k) / t.k;
      t.k = k;
      apply();
    };
    let drag = null;
    svg.addEventListener("pointerdown", (ev) => {
      if (ev.button !== 0 || ev.target.closest(".v")) return;
      drag = { x: ev.clientX, y: ev.clientY, tx: t.x, ty: t.y, moved: false };
      svg.setPointerCapture(ev.pointerId);
      svg.classList.add("panning");
    });
    svg.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      t.x = drag.tx + ev.clientX - drag.x;
      t.y = drag.ty + ev.clientY - drag.y;
      drag.moved = true;
      apply();
    });
    const end = () => { drag = null; svg.classList.remove("panning"); };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const r = svg.getBoundingClientRect();
      zoomAt(Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015)), ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    return {
      setSize(w, h) { size = { width: w, height: h }; },
      fit() {
        const r = svg.getBoundingClientRect();
        const pad = 30;
        const k = Math.min(1.2, Math.max(0.02, Math.min((r.width - pad * 2) / (size.width + 40 || 1), (r.height - pad * 2) / (size.height + 40 || 1))));
        t.k = k;
        t.x = (r.width - size.width * k) / 2;
        t.y = Math.max(pad, (r.height - size.height * k) / 2);
        apply();
      },
      zoomBy(f) { const r = svg.getBoundingClientRect(); zoomAt(f, r.width / 2, r.height / 2); },
      /** Pans just enough that graph point (x, y) is not hidden under a right-hand panel `inset` px wide. */
      ensureVisible(x, y, inset) {
        const r = svg.getBoundingClientRect();
        const sx = t.x + x * t.k, limit = r.width - inset - 60;
        if (sx > limit) { t.x -= sx - limit; apply(); }
      },
      centerOn(x, y) {
        const r = svg.getBoundingClientRect();
        t.k = Math.max(t.k, 0.6);
        t.x = r.width / 2 - x * t.k;
        t.y = r.height / 2 - y * t.k;
        apply();
      },
    };
  };
})((window.mlcViz = window.mlcViz || {}));
