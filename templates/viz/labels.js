// mlc viz, labels and sizes: a vertex inside a namespace frame drops the frame's prefix (the frame
// names it), a long name wraps at its `_`/`.`/`-` joints onto two lines, and only a name that still
// does not fit is cut in the middle, keeping both ends (`compare_passe…capacity_exp`). Labels that
// would still read alike in one frame are drawn in full. The full name is always the accessible name.
"use strict";
(function (V) {
  const SIZES = {
    node: { h: 38, pad: 28, min: 90 },
    dataset: { h: 28, pad: 32, min: 80 },
    param: { h: 22, pad: 30, min: 60 },
    namespace: { h: 46, pad: 44, min: 150 },
  };
  const MAX_W = 220;
  const LINE_H = 14;
  const FONTS = {
    param: "11px system-ui, sans-serif",
    node: "600 12px system-ui, sans-serif",
    namespace: "600 12px system-ui, sans-serif",
    dataset: "12px system-ui, sans-serif",
  };
  let ctx2d = null;
  const cache = new Map();

  function textWidth(text, font) {
    const key = font + "|" + text;
    if (cache.has(key)) return cache.get(key);
    if (!ctx2d) ctx2d = document.createElement("canvas").getContext("2d");
    ctx2d.font = font;
    const w = ctx2d.measureText(text).width;
    if (cache.size > 20000) cache.clear();
    cache.set(key, w);
    return w;
  }

  /** The name as shown: without "params:" and without the prefix of the frame it is drawn in. */
  V.labelOf = function (v) {
    let name = v.kind === "param" && v.name !== "parameters" ? v.name.slice(7) : v.name;
    if (v.frame && name.startsWith(v.frame + ".")) name = name.slice(v.frame.length + 1);
    return v.kind === "namespace" ? name + "  (" + v.item.nodes.length + ")" : name;
  };

  // Cuts the middle out of `text` so it fits `max` px: both ends stay readable.
  function middleCut(text, font, max) {
    if (textWidth(text, font) <= max) return text;
    let keep = text.length - 1;
    while (keep > 4) {
      const head = Math.ceil(keep / 2);
      const cut = text.slice(0, head) + "…" + text.slice(text.length - (keep - head));
      if (textWidth(cut, font) <= max) return cut;
      keep--;
    }
    return text.slice(0, 2) + "…" + text.slice(-2);
  }

  /** Up to two lines: break at the joint nearest the middle that makes both fit, else middle-cut. */
  function wrap(text, font, max, full) {
    if (textWidth(text, font) <= max) return [text];
    const joints = [];
    for (let i = 1; i < text.length - 1; i++) if ("_.-".includes(text[i])) joints.push(i + 1);
    joints.sort((a, b) => Math.abs(a - text.length / 2) - Math.abs(b - text.length / 2));
    for (const j of joints) {
      const a = text.slice(0, j),
        b = text.slice(j);
      if (textWidth(a, font) <= max && textWidth(b, font) <= max) return [a, b];
    }
    if (full) return joints.length ? [text.slice(0, joints[0]), text.slice(joints[0])] : [text];
    const j = joints[0];
    return j
      ? [middleCut(text.slice(0, j), font, max), middleCut(text.slice(j), font, max)]
      : [middleCut(text, font, max)];
  }

  /** Sets lines, label, w and h on each vertex; no two vertices of one frame read alike. */
  V.sizeVertices = function (model) {
    const seen = new Map(); // frame + label -> first vertex with it
    const clash = new Set();
    for (const v of model.vertices) {
      const font = FONTS[v.kind];
      v.lines = wrap(V.labelOf(v), font, MAX_W - SIZES[v.kind].pad, false);
      const key = (v.frame || "") + "\u0000" + v.lines.join("\n");
      if (seen.has(key)) clash.add(seen.get(key)).add(v);
      else seen.set(key, v);
    }
    for (const v of clash) v.lines = wrap(V.labelOf(v), FONTS[v.kind], MAX_W - SIZES[v.kind].pad, true);
    for (const v of model.vertices) {
      const s = SIZES[v.kind];
      const widest = Math.max(...v.lines.map((l) => textWidth(l, FONTS[v.kind])));
      v.label = v.lines.join(" ");
      v.w = Math.max(s.min, Math.ceil(widest + s.pad));
      v.h = s.h + (v.lines.length - 1) * LINE_H;
    }
  };
  V.LINE_H = LINE_H;
})((window.mlcViz = window.mlcViz || {}));
