// mlc viz, layout: sizes each vertex from its label, then places everything left to right.
// Small graphs use dagre (the real layered layout, with crossing reduction); its time grows much
// faster than the graph, so big graphs use a fast layered layout of our own (longest-path ranks,
// barycenter ordering, neighbour-pulled rows), O(sweeps * edges).
"use strict";
(function (V) {
  /** Above this many vertices a dagre re-layout is too slow to follow a click. */
  V.DAGRE_LIMIT = 250;
  /** Above this many nodes and datasets a pipeline opens with its top-level namespaces collapsed. */
  V.OVERVIEW_LIMIT = 120;
  /** Lays out the model in place; returns {engine, width, height, bands, frames}. */
  V.layout = function (model, layerOrder) {
    const layers = layerOrder.filter((l) => model.vertices.some((v) => v.layer === l));
    const engine = model.vertices.length <= V.DAGRE_LIMIT && window.dagre ? "dagre" : "layered";
    model.clusterBoxes = null;
    if (engine === "dagre") dagreLayout(model, layers);
    else V.fastLayout(model, layers);
    let maxX = 0,
      maxY = 0;
    for (const v of model.vertices) {
      maxX = Math.max(maxX, v.x + v.w / 2);
      maxY = Math.max(maxY, v.y + v.h / 2);
    }
    const frames = frameRects(model);
    for (const f of frames) {
      maxX = Math.max(maxX, f.x1);
      maxY = Math.max(maxY, f.y1);
    }
    return { engine, width: maxX, height: maxY, bands: bands(model, layers), frames };
  };

  const FRAME_PAD = 10,
    FRAME_TOP = 22;

  // A namespace frame spans its members and its child frames, innermost first, with room for its name on top.
  function frameRects(model) {
    if (model.clusterBoxes) {
      return model.frames
        .filter((f) => model.clusterBoxes.get(f.name) && model.clusterBoxes.get(f.name).width != null)
        .map((f) => {
          const b = model.clusterBoxes.get(f.name);
          return {
            name: f.name,
            x0: b.x - b.width / 2 - 4,
            y0: b.y - b.height / 2 - 16,
            x1: b.x + b.width / 2 + 4,
            y1: b.y + b.height / 2 + 4,
          };
        });
    }
    const rect = new Map();
    const grow = (ns, x0, y0, x1, y1) => {
      const r = rect.get(ns) || { name: ns, x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
      rect.set(ns, {
        name: ns,
        x0: Math.min(r.x0, x0),
        y0: Math.min(r.y0, y0),
        x1: Math.max(r.x1, x1),
        y1: Math.max(r.y1, y1),
      });
    };
    for (const v of model.vertices)
      if (v.frame) grow(v.frame, v.x - v.w / 2, v.y - v.h / 2, v.x + v.w / 2, v.y + v.h / 2);
    const deepestFirst = [...model.frames].sort((a, b) => b.name.split(".").length - a.name.split(".").length);
    const out = [];
    for (const f of deepestFirst) {
      const r = rect.get(f.name);
      if (!r) continue;
      const padded = {
        name: f.name,
        x0: r.x0 - FRAME_PAD,
        y0: r.y0 - FRAME_TOP,
        x1: r.x1 + FRAME_PAD,
        y1: r.y1 + FRAME_PAD,
      };
      out.push(padded);
      if (f.parent) grow(f.parent, padded.x0, padded.y0, padded.x1, padded.y1);
    }
    return out.reverse(); // outermost first, so inner frames are drawn on top
  }

  // Namespace members are kept together as dagre clusters; bands need invisible anchors between
  // consecutive layers. dagre cannot always combine the two (it throws while routing edges), so
  // then clusters without anchors are kept when the bands come out in order, else anchors alone.
  function dagreLayout(model, layers) {
    const tries = model.frames.length
      ? [
          { clusters: true, anchors: layers.length > 1 },
          { clusters: true, anchors: false },
        ]
      : [];
    tries.push({ clusters: false, anchors: true });
    for (const t of tries) {
      const g = dagreGraph(model, layers, t);
      try {
        window.dagre.layout(g);
      } catch (e) {
        continue; // dagre could not route this combination: the next try drops a constraint
      }
      for (const v of model.vertices) {
        const n = g.node(v.id);
        v.x = n.x;
        v.y = n.y;
      }
      for (const e of model.edges) e.points = (g.edge(e.from, e.to) || {}).points || null;
      // dagre's own cluster boxes do not overlap one another; a box from members alone could.
      model.clusterBoxes = t.clusters ? new Map(model.frames.map((f) => [f.name, g.node("frame:" + f.name)])) : null;
      if (t === tries[tries.length - 1] || bandsInOrder(model, layers)) return;
    }
  }

  function dagreGraph(model, layers, t) {
    const g = new window.dagre.graphlib.Graph({ multigraph: false, compound: t.clusters });
    // Clusters get more room between rows: a frame's name is written inside its top edge.
    const nodesep = t.clusters ? 30 : 18;
    g.setGraph({ rankdir: "LR", nodesep, ranksep: 36, edgesep: 8, marginx: 40, marginy: 50 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const v of model.vertices) g.setNode(v.id, { width: v.w, height: v.h });
    if (t.clusters) {
      for (const f of model.frames) {
        g.setNode("frame:" + f.name, {});
        if (f.parent) g.setParent("frame:" + f.name, "frame:" + f.parent);
      }
      for (const v of model.vertices) if (v.frame) g.setParent(v.id, "frame:" + v.frame);
    }
    for (const e of model.edges) g.setEdge(e.from, e.to, { weight: 1, minlen: 1 });
    // Layer bands must not overlap: an invisible anchor between consecutive layers keeps every
    // dataset of layer i left of every dataset of layer i+1 (weight 0: no pull on ordering).
    for (let i = 0; t.anchors && i + 1 < layers.length; i++) {
      const a = "__layer_anchor_" + i;
      g.setNode(a, { width: 0, height: 0 });
      for (const v of model.vertices) {
        if (v.layer === layers[i]) g.setEdge(v.id, a, { weight: 0, minlen: 1 });
        if (v.layer === layers[i + 1]) g.setEdge(a, v.id, { weight: 0, minlen: 1 });
      }
    }
    return g;
  }

  // True when every dataset of layer i lies left of every dataset of layer i+1.
  function bandsInOrder(model, layers) {
    let right = -Infinity;
    for (const l of layers) {
      const xs = model.vertices.filter((v) => v.layer === l);
      if (Math.min(...xs.map((v) => v.x - v.w / 2)) < right) return false;
      right = Math.max(...xs.map((v) => v.x + v.w / 2));
    }
    return true;
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
