// mlc viz, the fast layered layout for graphs too big for dagre (V.DAGRE_LIMIT in layout.js):
// ranks by longest path (sources pulled next to their first consumer), layer constraints for
// bands, a few barycenter sweeps to cut crossings, then rows pulled toward their neighbours.
"use strict";
(function (V) {
  const RANK_GAP = 56,
    ROW_GAP = 12,
    MARGIN = 40;

  function topoOrder(ids, preds, succs) {
    const indeg = new Map(ids.map((id) => [id, preds.get(id).length]));
    const queue = ids.filter((id) => indeg.get(id) === 0);
    const order = [];
    for (let i = 0; i < queue.length; i++) {
      order.push(queue[i]);
      for (const s of succs.get(queue[i])) {
        indeg.set(s, indeg.get(s) - 1);
        if (indeg.get(s) === 0) queue.push(s);
      }
    }
    if (order.length < ids.length) {
      // a cycle: append the rest rather than drop it
      const seen = new Set(order);
      for (const id of ids) if (!seen.has(id)) order.push(id);
    }
    return order;
  }

  function assignRanks(order, preds, succs, layerOf, layers) {
    const rank = new Map();
    const floor = new Map(); // lower bound per layer index
    const pass = () => {
      for (const id of order) {
        let r = floor.get(layerOf(id)) || 0;
        for (const p of preds.get(id)) if (rank.has(p)) r = Math.max(r, rank.get(p) + 1);
        rank.set(id, r);
      }
    };
    pass();
    for (let i = 1; i < layers.length; i++) {
      // layer i starts after the last rank of layer i-1
      let hi = -1;
      for (const id of order) if (layerOf(id) === i - 1) hi = Math.max(hi, rank.get(id));
      floor.set(i, hi + 1);
      rank.clear();
      pass();
    }
    for (let k = order.length - 1; k >= 0; k--) {
      // pull sources (free inputs, params) rightwards
      const id = order[k];
      if (preds.get(id).length > 0 || succs.get(id).length === 0 || layerOf(id) >= 0) continue;
      rank.set(id, Math.max(0, Math.min(...succs.get(id).map((s) => rank.get(s))) - 1));
    }
    return rank;
  }

  function sweep(rows, pos, neighbours) {
    for (const row of rows) {
      const bary = new Map();
      for (const id of row) {
        const ns = neighbours.get(id);
        bary.set(id, ns.length ? ns.reduce((a, n) => a + pos.get(n), 0) / ns.length : pos.get(id));
      }
      row.sort((a, b) => bary.get(a) - bary.get(b));
      row.forEach((id, i) => pos.set(id, i));
    }
  }

  // Rows: each vertex wants the mean y of its neighbours; keep order and a minimum gap.
  function placeRows(rows, byId, preds, succs) {
    const y = new Map();
    for (const row of rows) {
      let acc = 0;
      for (const id of row) {
        y.set(id, acc + byId.get(id).h / 2);
        acc += byId.get(id).h + ROW_GAP;
      }
    }
    for (let it = 0; it < 4; it++) {
      for (const row of it % 2 ? [...rows].reverse() : rows) {
        const want = row.map((id) => {
          const ns = preds.get(id).concat(succs.get(id));
          return ns.length ? ns.reduce((a, n) => a + y.get(n), 0) / ns.length : y.get(id);
        });
        const got = want.slice();
        for (let i = 1; i < row.length; i++) {
          const gap = (byId.get(row[i - 1]).h + byId.get(row[i]).h) / 2 + ROW_GAP;
          got[i] = Math.max(got[i], got[i - 1] + gap);
        }
        const shift = (want.reduce((a, b) => a + b, 0) - got.reduce((a, b) => a + b, 0)) / (row.length || 1);
        row.forEach((id, i) => y.set(id, got[i] + shift));
      }
    }
    let minY = Infinity;
    for (const v of y.values()) minY = Math.min(minY, v);
    return { y, minY };
  }

  /** Lays the model out in place (x, y per vertex; edges drawn as curves, no points). */
  V.fastLayout = function (model, layers) {
    const byId = new Map(model.vertices.map((v) => [v.id, v]));
    const ids = model.vertices.map((v) => v.id);
    const preds = new Map(ids.map((id) => [id, []]));
    const succs = new Map(ids.map((id) => [id, []]));
    for (const e of model.edges) {
      preds.get(e.to).push(e.from);
      succs.get(e.from).push(e.to);
    }
    const layerIx = new Map(layers.map((l, i) => [l, i]));
    const layerOf = (id) =>
      byId.get(id).layer != null && layerIx.has(byId.get(id).layer) ? layerIx.get(byId.get(id).layer) : -1;
    const order = topoOrder(ids, preds, succs);
    const rank = assignRanks(order, preds, succs, layerOf, layers);
    const rows = [];
    for (const id of order) (rows[rank.get(id)] = rows[rank.get(id)] || []).push(id);
    for (let r = 0; r < rows.length; r++) rows[r] = rows[r] || [];
    const pos = new Map();
    rows.forEach((row) => row.forEach((id, i) => pos.set(id, i)));
    for (let s = 0; s < 4; s++) sweep(s % 2 ? [...rows].reverse() : rows, pos, s % 2 ? succs : preds);
    const { y, minY } = placeRows(rows, byId, preds, succs);
    let x = MARGIN;
    for (const row of rows) {
      const w = Math.max(0, ...row.map((id) => byId.get(id).w));
      for (const id of row) {
        const v = byId.get(id);
        v.x = x + w / 2;
        v.y = y.get(id) - minY + MARGIN;
      }
      x += w + RANK_GAP;
    }
    for (const e of model.edges) e.points = null;
  };
})((window.mlcViz = window.mlcViz || {}));
