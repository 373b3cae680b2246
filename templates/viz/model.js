// mlc viz, view model: turns the page data plus the UI state (pipeline, tags, element types,
// collapsed namespaces) into the vertices and edges to lay out. Pure; no DOM.
"use strict";
(function (V) {
  /** The namespace chain of "a.b.c": ["a", "a.b", "a.b.c"]. */
  function nsChain(ns) {
    if (!ns) return [];
    const parts = ns.split(".");
    return parts.map((_, i) => parts.slice(0, i + 1).join("."));
  }
  V.nsChain = nsChain;

  /** Every namespace (and parent namespace) used by a node, sorted. */
  V.allNamespaces = function (data) {
    const set = new Set();
    for (const n of data.nodes) for (const ns of nsChain(n.namespace)) set.add(ns);
    return [...set].sort();
  };

  /** Node names the pipeline picker allows. */
  function pipelineNodes(data, state) {
    if (state.pipeline === "__selection__" && data.selection) return new Set(data.selection.nodes);
    const list = data.pipelines[state.pipeline] || data.pipelines.__default__;
    return list ? new Set(list) : new Set(data.nodes.map((n) => n.name));
  }

  /** The nodes shown: in the chosen pipeline and (when tags are ticked) carrying any ticked tag. */
  V.visibleNodes = function (data, state) {
    const inPipe = pipelineNodes(data, state);
    return data.nodes.filter(
      (n) => inPipe.has(n.name) && (state.tags.size === 0 || n.tags.some((t) => state.tags.has(t))),
    );
  };

  function collapsedOf(node, collapsed) {
    for (const ns of nsChain(node.namespace)) if (collapsed.has(ns)) return ns;
    return null;
  }

  /**
   * The innermost expanded namespace frame that `name` (a node's namespace, or a dataset or
   * parameter name prefixed by one) is drawn in; null when outside every frame or behind a
   * collapsed group.
   */
  function frameFor(chain, collapsed) {
    let frame = null;
    for (const ns of chain) {
      if (collapsed.has(ns)) break;
      frame = ns;
    }
    return frame;
  }

  /** The namespace chain a dataset or parameter name sits in ("a.b.x" -> ["a", "a.b"] when those exist). */
  function prefixChain(name, known) {
    const bare = name.startsWith("params:") ? name.slice(7) : name;
    return nsChain(bare.split(".").slice(0, -1).join(".")).filter((ns) => known.has(ns));
  }

  // Frames: every expanded namespace holding a vertex, with its parent frame (for nesting).
  function framesOf(vertices) {
    const frames = new Map();
    for (const v of vertices)
      for (const ns of nsChain(v.frame))
        if (!frames.has(ns)) frames.set(ns, { name: ns, parent: ns.includes(".") ? ns.replace(/\.[^.]*$/, "") : null });
    return [...frames.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Builds {vertices, edges, frames}; vertex ids are "node:x", "ds:x", "param:x", "ns:x". */
  V.buildModel = function (data, state) {
    const nodes = V.visibleNodes(data, state);
    const dsByName = new Map(data.datasets.map((d) => [d.name, d]));
    const paramByName = new Map(data.params.map((p) => [p.name, p]));
    const vertices = new Map();
    const edges = new Map();
    const known = new Set(V.allNamespaces(data));
    const vid = new Map(); // node name -> vertex id
    const groups = new Map(); // collapsed namespace -> member nodes
    for (const n of nodes) {
      const ns = collapsedOf(n, state.collapsed);
      if (ns) {
        vid.set(n.name, "ns:" + ns);
        if (!groups.has(ns)) groups.set(ns, []);
        groups.get(ns).push(n);
      } else {
        vid.set(n.name, "node:" + n.name);
        const frame = frameFor(nsChain(n.namespace), state.collapsed);
        vertices.set("node:" + n.name, { id: "node:" + n.name, kind: "node", name: n.name, frame, item: n });
      }
    }
    for (const [ns, members] of groups) {
      const frame = frameFor(nsChain(ns).slice(0, -1), state.collapsed);
      vertices.set("ns:" + ns, {
        id: "ns:" + ns,
        kind: "namespace",
        name: ns,
        frame,
        item: { name: ns, nodes: members },
      });
    }
    const addEdge = (from, to, via) => {
      if (from === to) return;
      const id = from + "->" + to;
      if (!edges.has(id)) edges.set(id, { id, from, to, via: [] });
      if (via && !edges.get(id).via.includes(via)) edges.get(id).via.push(via);
    };
    // Every dataset/param with the vertices that write and read it.
    const uses = new Map();
    const use = (name) => {
      if (!uses.has(name)) uses.set(name, { producers: new Set(), consumers: new Set() });
      return uses.get(name);
    };
    for (const n of nodes) {
      for (const i of n.inputs) use(i).consumers.add(vid.get(n.name));
      for (const o of n.outputs) use(o).producers.add(vid.get(n.name));
    }
    for (const [name, u] of uses) {
      const isParam = name === "parameters" || name.startsWith("params:");
      const touching = new Set([...u.producers, ...u.consumers]);
      const oneGroup = touching.size === 1 && [...touching][0].startsWith("ns:");
      // Hidden inside a collapsed namespace: its parameters and datasets it both writes and
      // reads; its free inputs and final outputs stay visible as the group's interface.
      if (oneGroup && (isParam || (u.producers.size > 0 && u.consumers.size > 0))) continue;
      if (isParam) {
        if (!state.showParams) continue;
        const id = "param:" + name;
        const item = paramByName.get(name) || { name, value: null };
        // Parameters stay outside frames (as in kedro-viz): dagre cannot route a cluster's source
        // vertices together with the band anchors, and their full name says where they belong.
        vertices.set(id, { id, kind: "param", name, frame: null, item });
        for (const c of u.consumers) addEdge(id, c, name);
      } else if (state.showDatasets) {
        const id = "ds:" + name;
        const item = dsByName.get(name) || {
          name,
          type: "memory",
          persistent: false,
          layer: null,
          filepath: null,
          config: {},
        };
        const frame = frameFor(prefixChain(name, known), state.collapsed);
        vertices.set(id, { id, kind: "dataset", name, frame, item, layer: item.layer });
        for (const p of u.producers) addEdge(p, id, name);
        for (const c of u.consumers) addEdge(id, c, name);
      } else {
        for (const p of u.producers) for (const c of u.consumers) addEdge(p, c, name);
      }
    }
    const all = [...vertices.values()];
    // Frames need dagre's clusters to keep a namespace together; the fast layout of big graphs
    // cannot, so there every name stays whole and no frame is drawn.
    if (all.length > V.DAGRE_LIMIT || !window.dagre) all.forEach((v) => (v.frame = null));
    return { vertices: all, edges: [...edges.values()], frames: framesOf(all) };
  };

  /** Upstream-first order of two node names when one reaches the other, else as given. */
  V.orderPair = function (data, a, b) {
    const producer = new Map();
    for (const n of data.nodes) for (const o of n.outputs) producer.set(o, n);
    const byName = new Map(data.nodes.map((n) => [n.name, n]));
    const reaches = (from, to) => {
      const seen = new Set();
      const stack = [byName.get(to)];
      while (stack.length) {
        const n = stack.pop();
        if (!n || seen.has(n.name)) continue;
        if (n.name === from) return true;
        seen.add(n.name);
        for (const i of n.inputs) if (producer.has(i)) stack.push(producer.get(i));
      }
      return false;
    };
    return reaches(b, a) && !reaches(a, b) ? [b, a] : [a, b];
  };

  /** Vertex ids reachable from `start` along the model's edges, "down" (successors) or "up". */
  V.reach = function (model, start, dir) {
    const next = new Map();
    for (const e of model.edges) {
      const [a, b] = dir === "down" ? [e.from, e.to] : [e.to, e.from];
      if (!next.has(a)) next.set(a, []);
      next.get(a).push(b);
    }
    const seen = new Set([start]);
    const stack = [start];
    while (stack.length) for (const n of next.get(stack.pop()) || []) if (!seen.has(n)) seen.add(n) && stack.push(n);
    return seen;
  };

  /** The vertices on some path from `a` to `b` (both included), or an empty set when b is not downstream. */
  V.pathBetween = function (model, a, b) {
    const down = V.reach(model, a, "down");
    if (!down.has(b)) return new Set();
    const up = V.reach(model, b, "up");
    return new Set([...down].filter((id) => up.has(id)));
  };
})((window.mlcViz = window.mlcViz || {}));
