// plan: GraphIR -> RunPlan. What will run, decided before anything runs: the order (topological,
// ties by name, iterative so 10,000-deep chains are fine), how many planned consumers each memory
// or kept dataset has (released after the last), and the free inputs loaded from the catalog.
import type { GraphIR, IRNode } from "../compiler/types.js";
import type { RunPlan } from "./executor.js";
import { topoOrder } from "../compiler/toposort.js";
import { isParamInput, keptDatasets, memoryDatasets } from "./datasets.js";

/** Options of `plan`. */
export interface PlanOptions {
  /** Run only these nodes (e.g. a resume suggestion); default all nodes of the graph. */
  readonly only?: readonly string[];
}

/** Plans a run of `graph` (already selected). */
export function plan(graph: GraphIR, opts: PlanOptions = {}): RunPlan {
  const keep = opts.only ? new Set(opts.only) : null;
  const nodes = keep ? graph.nodes.filter((n) => keep.has(n.name)) : graph.nodes;
  const sub: GraphIR = keep
    ? { ...graph, nodes, edges: graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to)) }
    : graph;
  const order = nodeOrder(nodes);
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const memory = memoryDatasets({ graph: sub, order, releaseCounts: {}, freeInputs: [] });
  for (const k of keptDatasets({ graph: sub, order, releaseCounts: {}, freeInputs: [] })) memory.add(k);
  const releaseCounts: Record<string, number> = {};
  const free = new Set<string>();
  for (const n of nodes)
    for (const i of new Set(n.inputs)) {
      if (isParamInput(i)) continue;
      if (memory.has(i)) releaseCounts[i] = (releaseCounts[i] ?? 0) + 1;
      if (!produced.has(i)) free.add(i);
    }
  // Keys in plan order (deterministic); no sort needed.
  return { graph: sub, order, releaseCounts, freeInputs: [...free].sort() };
}

/** Topological order, ties by name: the same order `mlc ls` prints (compiler/toposort.ts). */
export function nodeOrder(nodes: readonly IRNode[]): string[] {
  const names = nodes.map((n) => n.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const succ: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const ups = new Set<number>();
    for (const input of n.inputs) {
      const p = producer.get(input);
      if (p !== undefined && p !== i) ups.add(p);
    }
    for (const p of ups) succ[p].push(i);
  });
  const order = topoOrder({ names, succ });
  if (order.length !== nodes.length || index.size !== names.length)
    throw new Error("plan: the graph has a cycle or duplicate names (the compiler reports MLC4001/MLC4003)");
  return order;
}
