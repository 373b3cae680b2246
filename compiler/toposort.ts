// Ordering and cycle search over a node graph, both iterative: graphlib's recursive versions
// overflow the stack on chains a few thousand nodes deep, and a 100,000-deep chain must compile.

/** A directed graph over `names` (indices into it): `succ[i]` lists the successors of node i. */
export interface IndexGraph {
  readonly names: readonly string[];
  readonly succ: readonly (readonly number[])[];
  /** True when `names` is in code-unit order: index order is then name order. */
  readonly namesSorted?: boolean;
}

/** Result of Kahn's algorithm: sorted generations, and the nodes left over when there is a cycle. */
export interface Layering {
  readonly layers: string[][];
  /** Indices of nodes that never reached in-degree 0 (on or downstream of a cycle). */
  readonly leftover: number[];
}

/** Kahn's algorithm by generations; each layer sorted by name. O(V + E + V log V). */
export function kahnLayers(g: IndexGraph): Layering {
  const n = g.names.length;
  const indeg = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = g.succ[i];
    for (let k = 0; k < s.length; k++) indeg[s[k]]++;
  }
  // One queue for all generations: queue[head, end) is the current layer, what it frees is
  // appended after it (no array per layer: a 10,000-deep chain has 10,000 layers).
  const queue = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue[tail++] = i;
  const layers: string[][] = [];
  for (let head = 0; head < tail;) {
    const end = tail;
    layers.push(sortedNames(g, queue, head, end));
    for (; head < end; head++) {
      const s = g.succ[queue[head]];
      for (let k = 0; k < s.length; k++) if (--indeg[s[k]] === 0) queue[tail++] = s[k];
    }
  }
  const leftover: number[] = [];
  if (tail < n) for (let i = 0; i < n; i++) if (indeg[i] > 0) leftover.push(i);
  return { layers, leftover };
}

/** Names of `idx[from, to)`, sorted. When `names` is already sorted (buildGraph's case) a numeric sort suffices. */
function sortedNames(g: IndexGraph, idx: Int32Array, from: number, to: number): string[] {
  if (to - from === 1) return [g.names[idx[from]]]; // chains: one node per layer, nothing to sort
  const part = idx.slice(from, to);
  if (g.namesSorted) return Array.from(part.sort(), (i) => g.names[i]);
  return Array.from(part, (i) => g.names[i]).sort(compareStrings);
}

/**
 * A topological order with ties broken by name (smallest ready name first), iterative.
 * Nodes on cycles are left out. Used by `mlc ls` (SPEC 5).
 */
export function topoOrder(g: IndexGraph): string[] {
  const n = g.names.length;
  const indeg = new Int32Array(n);
  for (let i = 0; i < n; i++) for (const j of g.succ[i]) indeg[j]++;
  const heap = new MinHeap((a, b) => compareStrings(g.names[a], g.names[b]));
  for (let i = 0; i < n; i++) if (indeg[i] === 0) heap.push(i);
  const out: string[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    out.push(g.names[i]);
    for (const j of g.succ[i]) if (--indeg[j] === 0) heap.push(j);
  }
  return out;
}

/**
 * Cycles among the Kahn leftovers, each as node names in edge order, rotated to start at its
 * smallest name. Every leftover node has a predecessor among the leftovers, so walking
 * predecessors from any of them must revisit a node: that loop is a cycle. Disjoint cycles are
 * each reported once; walks that run into an earlier walk stop there.
 */
export function findCycles(g: IndexGraph, leftover: readonly number[]): string[][] {
  const inLeft = new Uint8Array(g.names.length);
  for (const i of leftover) inLeft[i] = 1;
  const pred = predecessorsWithin(g, inLeft);
  const walkId = new Int32Array(g.names.length).fill(-1);
  const order = [...leftover].sort((a, b) => compareStrings(g.names[a], g.names[b]));
  const cycles: string[][] = [];
  order.forEach((start, w) => {
    if (walkId[start] !== -1) return;
    const path: number[] = [];
    let cur = start;
    while (walkId[cur] === -1) {
      walkId[cur] = w;
      path.push(cur);
      cur = pred[cur];
    }
    if (walkId[cur] !== w) return; // ran into an earlier walk: its cycle is already reported
    const loop = path.slice(path.indexOf(cur)).reverse(); // predecessor walk -> edge order
    cycles.push(rotateToSmallest(loop.map((i) => g.names[i])));
  });
  return cycles;
}

/** For each leftover node, its smallest-named predecessor that is also a leftover. */
function predecessorsWithin(g: IndexGraph, inLeft: Uint8Array): Int32Array {
  const pred = new Int32Array(g.names.length).fill(-1);
  for (let i = 0; i < g.names.length; i++) {
    if (!inLeft[i]) continue;
    for (const j of g.succ[i]) {
      if (!inLeft[j]) continue;
      if (pred[j] === -1 || compareStrings(g.names[i], g.names[pred[j]]) < 0) pred[j] = i;
    }
  }
  return pred;
}

function rotateToSmallest(cycle: string[]): string[] {
  let best = 0;
  for (let i = 1; i < cycle.length; i++) if (compareStrings(cycle[i], cycle[best]) < 0) best = i;
  return [...cycle.slice(best), ...cycle.slice(0, best)];
}

/** Code-unit order, the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A small binary min-heap of indices. */
class MinHeap {
  private readonly a: number[] = [];
  constructor(private readonly less: (x: number, y: number) => number) {}
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i], a[p]) >= 0) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      this.siftDown(0);
    }
    return top;
  }
  private siftDown(i: number): void {
    const a = this.a;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l], a[m]) < 0) m = l;
      if (r < a.length && this.less(a[r], a[m]) < 0) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }
}
