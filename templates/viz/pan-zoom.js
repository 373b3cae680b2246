// mlc viz, pan and zoom: drag the background to pan, wheel to zoom at the cursor, buttons for
// in/out/fit. Only the viewport <g>'s transform changes, once per animation frame.
"use strict";
(function (V) {
  /** Attaches pan/zoom to `svg`, transforming `viewport`; returns {fit, zoomBy, centerOn}. */
  V.panZoom = function (svg, viewport) {
    const t = { x: 0, y: 0, k: 1 };
    let frame = 0,
      size = { width: 0, height: 0 };
    const apply = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        viewport.setAttribute(
          "transform",
          "translate(" + t.x.toFixed(1) + "," + t.y.toFixed(1) + ") scale(" + t.k.toFixed(4) + ")",
        );
        svg.dataset.zoom = t.k.toFixed(3);
        svg.classList.toggle("far", t.k < 0.3); // labels unreadable this small: skip drawing them
        if (V.onViewChange) V.onViewChange();
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
      if (ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, tx: t.x, ty: t.y, moved: false };
      delete svg.dataset.panned;
    });
    svg.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      const dx = ev.clientX - drag.x,
        dy = ev.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return; // a click, not a drag (yet)
      if (!drag.moved) {
        drag.moved = true;
        svg.setPointerCapture(ev.pointerId);
        svg.classList.add("panning");
      }
      t.x = drag.tx + dx;
      t.y = drag.ty + dy;
      apply();
    });
    // A drag that started on an element must not also select it: the click handler checks this.
    const end = () => {
      if (drag && drag.moved) svg.dataset.panned = "1";
      drag = null;
      svg.classList.remove("panning");
    };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener(
      "wheel",
      (ev) => {
        ev.preventDefault();
        const r = svg.getBoundingClientRect();
        zoomAt(Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015)), ev.clientX - r.left, ev.clientY - r.top);
      },
      { passive: false },
    );
    return {
      setSize(w, h) {
        size = { width: w, height: h };
      },
      /** Fits the whole graph; with `minK`, never zooms below it (then shows the graph's left end). */
      fit(minK) {
        const r = svg.getBoundingClientRect();
        const pad = 30;
        const all = Math.min(
          1.2,
          Math.max(
            0.02,
            Math.min((r.width - pad * 2) / (size.width + 40 || 1), (r.height - pad * 2) / (size.height + 40 || 1)),
          ),
        );
        const k = Math.max(all, minK || 0);
        t.k = k;
        t.x = k > all && size.width * k > r.width ? pad : (r.width - size.width * k) / 2;
        t.y =
          size.height * k > r.height
            ? (r.height - size.height * k) / 2
            : Math.max(pad, (r.height - size.height * k) / 2);
        apply();
      },
      zoomBy(f) {
        const r = svg.getBoundingClientRect();
        zoomAt(f, r.width / 2, r.height / 2);
      },
      /** Pans just enough that graph point (x, y) is not hidden under a right-hand panel `inset` px wide. */
      ensureVisible(x, y, inset) {
        const r = svg.getBoundingClientRect();
        const sx = t.x + x * t.k,
          limit = r.width - inset - 60;
        if (sx > limit) {
          t.x -= sx - limit;
          apply();
        }
      },
      /** Pans (if needed) so graph point (x, y) is on screen, clear of a right-hand panel `inset` px wide. */
      reveal(x, y, inset) {
        const r = svg.getBoundingClientRect();
        const sx = t.x + x * t.k,
          sy = t.y + y * t.k;
        if (sx < 60 || sx > r.width - inset - 60 || sy < 40 || sy > r.height - 40) {
          t.x = (r.width - inset) / 2 - x * t.k;
          t.y = r.height / 2 - y * t.k;
          apply();
        }
      },
      /** The visible part of the graph, in graph coordinates (for the minimap). */
      visible() {
        const r = svg.getBoundingClientRect();
        return { x: -t.x / t.k, y: -t.y / t.k, w: r.width / t.k, h: r.height / t.k };
      },
      /** Centres the view on graph point (x, y) at the current zoom. */
      panTo(x, y) {
        const r = svg.getBoundingClientRect();
        t.x = r.width / 2 - x * t.k;
        t.y = r.height / 2 - y * t.k;
        apply();
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
