// mlc viz, the keyboard: every element is a Tab stop; Enter (or Space) opens it, Shift+Enter adds
// it to a node pair, Esc closes, the arrow keys move along edges (right: downstream, left:
// upstream) and between neighbours in a column (up, down); "/" jumps to the search box.
"use strict";
(function (V) {
  // The vertex to move to from `v` with `key`, or null.
  function neighbour(model, v, key) {
    const byId = new Map(model.vertices.map((x) => [x.id, x]));
    if (key === "ArrowRight" || key === "ArrowLeft") {
      const ids = model.edges
        .filter((e) => (key === "ArrowRight" ? e.from === v.id : e.to === v.id))
        .map((e) => (key === "ArrowRight" ? e.to : e.from));
      const cand = ids.map((id) => byId.get(id)).filter(Boolean);
      cand.sort((a, b) => Math.abs(a.y - v.y) - Math.abs(b.y - v.y));
      return cand[0] || null;
    }
    const up = key === "ArrowUp";
    let best = null,
      score = Infinity;
    for (const x of model.vertices) {
      const dy = up ? v.y - x.y : x.y - v.y;
      if (x === v || dy <= 0) continue;
      const s = dy + 3 * Math.abs(x.x - v.x);
      if (s < score) ((score = s), (best = x));
    }
    return best;
  }

  /** Wires the keyboard to the app (see app.js for `ctx`). */
  V.keys = function (ctx) {
    ctx.viewport.addEventListener("keydown", (ev) => {
      const g = ev.target.closest(".v");
      if (!g) return;
      const model = ctx.model();
      const v = model.vertices.find((x) => x.id === g.dataset.id);
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        ctx.select(g.dataset.id, ev.shiftKey);
        ctx.gOf(g.dataset.id)?.focus();
      } else if (v && ev.key.startsWith("Arrow")) {
        ev.preventDefault();
        const n = neighbour(model, v, ev.key);
        if (n) ctx.gOf(n.id).focus();
      }
    });
    // A focused element scrolls into view (the SVG is panned, never scrolled).
    ctx.viewport.addEventListener("focusin", (ev) => {
      const g = ev.target.closest(".v");
      const v = g && ctx.model().vertices.find((x) => x.id === g.dataset.id);
      if (v) ctx.reveal(v);
    });
    document.addEventListener("keydown", (ev) => {
      const typing =
        ev.target.tagName === "INPUT" || ev.target.tagName === "SELECT" || ev.target.tagName === "TEXTAREA";
      if (ev.key === "/" && !typing) {
        ev.preventDefault();
        ctx.focusSearch();
        return;
      }
      if (ev.key !== "Escape") return;
      if (ev.target.id === "search") {
        ev.target.value = "";
        ev.target.dispatchEvent(new Event("input"));
        return;
      }
      const focused = ev.target.closest && ev.target.closest(".v");
      ctx.clearSelection();
      if (focused) ctx.gOf(focused.dataset.id)?.focus();
    });
  };
})((window.mlcViz = window.mlcViz || {}));
