// mlc viz, the minimap of a large graph: every vertex as a dot, the visible part as a frame;
// clicking or dragging on it pans the view there. Hidden for small graphs that fit anyway.
"use strict";
(function (V) {
  const LIMIT = 60,
    W = 200,
    MAX_H = 120;
  let H = MAX_H;
  let state = null;

  function paint() {
    if (!state) return;
    const { canvas, model, geo, pz } = state;
    const k = Math.min(W / (geo.width + 40 || 1), H / (geo.height + 40 || 1));
    state.k = k;
    const c = canvas.getContext("2d");
    c.clearRect(0, 0, W, H);
    const css = getComputedStyle(canvas);
    c.fillStyle = css.getPropertyValue("--mini-dot") || "#789";
    for (const v of model.vertices) c.fillRect(v.x * k - 1, v.y * k - 1, Math.max(2, v.w * k), Math.max(2, v.h * k));
    const r = pz.visible();
    c.strokeStyle = css.getPropertyValue("--mini-view") || "#e03131";
    c.lineWidth = 1.5;
    c.strokeRect(r.x * k, r.y * k, r.w * k, r.h * k);
  }

  /** Draws (or hides) the minimap for the laid-out `model`. */
  V.minimap = function (model, geo, pz) {
    const canvas = document.getElementById("minimap");
    canvas.hidden = model.vertices.length <= LIMIT;
    if (canvas.hidden) return void (state = null);
    // As tall as the graph's shape asks, so a long pipeline does not leave the map mostly empty.
    H = Math.round(Math.max(40, Math.min(MAX_H, (W * (geo.height + 40)) / (geo.width + 40 || 1))));
    canvas.width = W;
    canvas.height = H;
    canvas.style.height = H + "px";
    state = { canvas, model, geo, pz, k: 1 };
    if (!canvas.dataset.wired) {
      canvas.dataset.wired = "1";
      const go = (ev) => {
        const b = canvas.getBoundingClientRect();
        state.pz.panTo((ev.clientX - b.left) / state.k, (ev.clientY - b.top) / state.k);
      };
      canvas.addEventListener("pointerdown", (ev) => {
        canvas.setPointerCapture(ev.pointerId);
        go(ev);
      });
      canvas.addEventListener("pointermove", (ev) => ev.buttons & 1 && go(ev));
    }
    paint();
  };
  V.onViewChange = paint;
})((window.mlcViz = window.mlcViz || {}));
