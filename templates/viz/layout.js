// mlc viz, layout: sizes each vertex from its label, then places everything left to right.
// Small graphs use dagre (the real layered layout, with crossing reduction); its time grows much
// faster than the graph, so big graphs use a fast layered layout of our own (longest-path ranks,
// barycenter ordering, neighbour-pulled rows), O(sweeps * edges).
"use strict";
(function (V) {
  /** Above this many vertices a dagre re-layout is too slow to follow a click. */
  V.DAGRE_LIMIT = 250;
  const SIZES = {
    node: { h: 38, pad: 28, min: 90 },
    dataset: { h: 28, pad: 32, min: 80 },
    param: { h: 22, pad: 30, min: 60 },
    namespace: { h: 46, pad: 44, min: 150 },
  };
  const MAX_W = 200;
  let ctx2d = null;

  function textWidth(text, font) {
    if (!ctx2d) ctx2d = document.createElement("canvas").getContext("2d");
    ctx2d.font = font;
    return ctx2d.measureText(text).width;
  }

  /** Short label: names inside a namespace drop the prefix only when grouped, so keep full names. */
  V.labelOf = function (v) {
    if (v.kind === "param") return v.name === "parameters" ? "parameters" : v.name.slice(7);
    if (v.kind === "namespace") return v.name + "  (" + v.item.nodes.length + ")";
    return v.name;
  };

  /** Sets w, h and label on each vertex (labels longer than MAX_W are cut with an ellipsis). */
  V.sizeVertices = function (model) {
    for (const v of model.vertices) {
      const s = SIZES[v.kind];
      const font =
        v.kind === "param"
          ? "11px system-ui, sans-serif"
          : v.kind === "node" || v.kind === "namespace"
            ? "600 12px system-ui, sans-serif"
            : "12px system-ui, sans-serif";
      let label = V.labelOf(v);
      let w = textWidth(label, font) + s.pad;
      if (w > MAX_W) {
        while (label.length > 4 && textWidth(label + "…", font) + s.pad > MAX_W) label = label.slice(0, -1);
        label += "…";
        w = MAX_W;
      }
      v.label = label;
      v.w = Math.max(s.min, Math.ceil(w));
      v.h = s.h;
    }
  };

  /** Lays out the model in place; returns {engine, width, height}. */
  V.layout = function (model, layerOrder) {
    const layers = layerOrder.filter((l) => model.vertices.some((v) => v.layer === l));
    const engine = model.vertices.length <= V.DAGRE_LIMIT && window.dagre ? "dagre" : "layered";
    if (engine === "dagre") dagreLayout(model, layers);
    else V.fastLayout(model, layers);
    let maxX = 0,
      maxY = 0;
    for (const v of model.vertices) {
      maxX = Math.max(maxX, v.x + v.w / 2);
      maxY = Math.max(maxY, v.y + v.h / 2);
    }
    return { engine, width: maxX, height: maxY, bands: bands(model, layers) };
  };

  function dagreLayout(model, layers) {
    const g = new window.dagre.graphlib.Graph({ multigraph: false });
    g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 36, edgesep: 8, marginx: 40, marginy: 40 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const v of model.vertices) g.setNode(v.id, { width: v.w, height: v.h });
    for (const e of model.edges) g.setEdge(e.from, e.to, { weight: 1, minlen: 1 });
    // Layer bands must not overlap: an invisible anchor between consecutive layers keeps every
    // dataset of layer i left of every dataset of layer i+1 (weight 0: no pull on ordering).
    for (let i = 0; i + 1 < layers.length; i++) {
      const a = "__layer_anchor_" + i;
      g.setNode(a, { width: 0, height: 0 });
      for (const v of model.vertices) {
        if (v.layer === layers[i]) g.setEdge(v.id, a, { weight: 0, minlen: 1 });
        if (v.layer === layers[i + 1]) g.setEdge(a, v.id, { weight: 0, minlen: 1 });
      }
    }
    window.dagre.layout(g);
    for (const v of model.vertices) {
      const n = g.node(v.id);
      v.x = n.x;
      v.y = n.y;
    }
    for (const e of model.edges) e.points = (g.edge(e.from, e.to) || {}).points || null;
  }

  // Vertical bands: each layer spans its datasets' x-range, split halfway between neighbours.
  function bands(model, layers) {
    if (layers.length === 0) return [];
    const ext = layers.map((l) => {
      const xs = model.vertices.filter((v) => v.layer === l);
      return { name: l, lo: Math.min(...xs.map((v) => v.x - v.w / 2)), hi: Math.max(...xs.map((v) => v.x + v.w / 2)) };
    });
    let minX = Infinity,
      maxX = -Infinity;
    for (const v of model.vertices) {
      minX = Math.min(minX, v.x - v.w / 2);
      maxX = Math.max(maxX, v.x + v.w / 2);
    }
    return ext.map((b, i) => ({
      name: b.name,
      x0: i === 0 ? minX - 20 : (ext[i - 1].hi + b.lo) / 2,
      x1: i === ext.length - 1 ? maxX + 20 : (b.hi + ext[i + 1].lo) / 2,
    }));
  }
})((window.mlcViz = window.mlcViz || {}));
