// buildGraph: the resolved pipeline as the compiled graph IR (graph.json). Reports duplicate
// node names (MLC4003), self reads (MLC4004), datasets with two producers (MLC4002) and cycles
// (MLC4001). Ordering and cycle search are our own iterative code (toposort.ts).
import type { CompileContext, Locator } from "./diagnostics.js";
import { keysSorted, markKeysSorted, sortKeys } from "./emit/json.js";
import { NodeLines } from "./node-lines.js";
import { ioRef, isParamRef, nameRef } from "./refs.js";
import { compareStrings, findCycles, kahnLayers, type IndexGraph } from "./toposort.js";
import type { DatasetConfig, GraphIR, IRDataset, IREdge, IRNode, ResolvedDataset, ResolvedNode, ResolvedPipeline } from "./types.js";

/** The graph IR of `resolved`: everything sorted, no absolute paths, no secrets. */
export function buildGraph(resolved: ResolvedPipeline, ctx: CompileContext, locate?: Locator): GraphIR {
  const lines = new NodeLines(ctx.docs, locate);
  const byName = uniqueNodes(resolved.nodes, lines, ctx);
  // Producers in definition order, so MLC4002 points at the later definition.
  const producers = findProducers([...byName.values()], ctx);
  // Sorted once (the engine's own string sort is code-unit order, like compareStrings, and calls
  // no JS comparator): a node's index is then its rank by name, so edges order by integers.
  const names = [...byName.keys()].sort();
  const nodes = names.map((n) => byName.get(n)!);
  const { edges, succ } = collectEdges(nodes, producers);
  const g: IndexGraph = { names, succ, namesSorted: true };
  const { layers, leftover } = kahnLayers(g);
  if (leftover.length > 0) reportCycles(g, leftover, nodes, ctx);
  const irNodes = markKeysSorted(nodes.map((n) => toIRNode(n, lines)));
  const ds = resolved.datasets;
  return {
    irVersion: 1,
    name: resolved.name,
    nodes: irNodes,
    datasets: markKeysSorted(Object.keys(ds).sort().map((k) => toIRDataset(ds[k]))),
    params: collectParams(nodes),
    edges: markKeysSorted(edges),
    layers,
    pipelines: { __default__: names },
  };
}

/** Name -> first definition, in definition order; later definitions are MLC4003 at their `name`. */
function uniqueNodes(all: readonly ResolvedNode[], lines: NodeLines, ctx: CompileContext): Map<string, ResolvedNode> {
  const seen = new Map<string, ResolvedNode>();
  for (const n of all) {
    const first = seen.get(n.name);
    if (!first) {
      seen.set(n.name, n);
      continue;
    }
    ctx.report({
      code: "MLC4003",
      message: `node name "${n.name}" is already used by the node defined at ${first.source.file}:${lines.line(first.source)}`,
      at: nameRef(n),
      hint: "node names must be unique after namespacing and matrix expansion",
    });
  }
  return seen;
}

/** Dataset -> producing node; MLC4004 for a node writing what it reads, MLC4002 for a second producer. */
function findProducers(nodes: readonly ResolvedNode[], ctx: CompileContext): Map<string, ResolvedNode> {
  const producers = new Map<string, ResolvedNode>();
  for (const n of nodes) {
    n.outputs.forEach((ds, i) => {
      if (n.inputs.includes(ds)) {
        ctx.report({ code: "MLC4004", message: `node "${n.name}" reads and writes dataset "${ds}"`, at: ioRef(n, "outputs", i), hint: "write a new dataset name (e.g. a versioned copy) instead" });
        return;
      }
      const first = producers.get(ds);
      if (!first) producers.set(ds, n);
      else if (first !== n) {
        ctx.report({ code: "MLC4002", message: `dataset "${ds}" is produced by node "${first.name}" and again by node "${n.name}"`, at: ioRef(n, "outputs", i), hint: "every dataset has exactly one producer; rename one of the outputs" });
      }
    });
  }
  return producers;
}

/**
 * Producer -> consumer edges (unique, sorted by from, to, dataset) and the successor lists by index.
 * Nodes are sorted by name, so index order is name order: edges are collected in consumer order
 * and bucketed by producer with a counting sort (linear, no comparator calls).
 */
function collectEdges(nodes: readonly ResolvedNode[], producers: Map<string, ResolvedNode>): { edges: IREdge[]; succ: number[][] } {
  const n = nodes.length;
  const rank = new Map<string, number>();
  for (let i = 0; i < n; i++) rank.set(nodes[i].name, i);
  const producerOf = new Map<string, number>();
  producers.forEach((p, ds) => producerOf.set(ds, rank.get(p.name)!));
  const ef: number[] = [];
  const et: number[] = [];
  const eds: string[] = [];
  for (let t = 0; t < n; t++) {
    const ins = nodes[t].inputs;
    for (let k = 0; k < ins.length; k++) {
      const f = producerOf.get(ins[k]);
      if (f === undefined || f === t || (k > 0 && ins.indexOf(ins[k]) !== k)) continue; // none, self (MLC4004) or listed twice
      ef.push(f);
      et.push(t);
      eds.push(ins[k]);
    }
  }
  const start = new Int32Array(n + 1);
  for (let e = 0; e < ef.length; e++) start[ef[e] + 1]++;
  for (let f = 0; f < n; f++) start[f + 1] += start[f];
  const order = new Int32Array(ef.length);
  for (let e = 0; e < ef.length; e++) order[start[ef[e]]++] = e; // stable: consumers stay ascending
  sortDatasetTies(order, ef, et, eds);
  const succ: number[][] = nodes.map(() => []);
  const edges: IREdge[] = new Array(ef.length);
  for (let j = 0; j < order.length; j++) {
    const e = order[j];
    succ[ef[e]].push(et[e]);
    edges[j] = { dataset: eds[e], from: nodes[ef[e]].name, to: nodes[et[e]].name };
  }
  return { edges, succ };
}

/** Two datasets between the same pair of nodes: order those (rare, tiny) runs by dataset. */
function sortDatasetTies(order: Int32Array, ef: number[], et: number[], eds: string[]): void {
  const same = (a: number, b: number) => ef[order[a]] === ef[order[b]] && et[order[a]] === et[order[b]];
  for (let i = 1; i < order.length; i++) {
    if (!same(i, i - 1)) continue;
    let j = i + 1;
    while (j < order.length && same(j, i)) j++;
    order.subarray(i - 1, j).sort((a, b) => compareStrings(eds[a], eds[b]));
    i = j;
  }
}

function reportCycles(g: IndexGraph, leftover: number[], nodes: ResolvedNode[], ctx: CompileContext): void {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const cycle of findCycles(g, leftover)) {
    const first = byName.get(cycle[0])!;
    ctx.report({
      code: "MLC4001",
      message: `cycle: ${[...cycle, cycle[0]].join(" -> ")}`,
      at: nameRef(first),
      hint: "a node cannot depend on its own outputs, directly or through other nodes",
    });
  }
}

function collectParams(nodes: readonly ResolvedNode[]): string[] {
  const params = new Set<string>();
  for (let t = 0; t < nodes.length; t++) {
    const ins = nodes[t].inputs;
    // 112 = "p": most inputs are datasets and fail this before any string compare.
    for (let k = 0; k < ins.length; k++) if (ins[k].charCodeAt(0) === 112 && isParamRef(ins[k])) params.add(ins[k]);
  }
  return [...params].sort();
}

// IR records are created with their keys in sorted order: emitJson then writes them as they are.
function toIRNode(n: ResolvedNode, lines: NodeLines): IRNode {
  // Arrays are shared, not copied: phase outputs are readonly data.
  const rec: Record<string, unknown> = { baseName: n.baseName, func: n.func };
  if (n.inputKeys) rec.inputKeys = n.inputKeys;
  rec.inputMode = n.inputMode;
  rec.inputs = n.inputs;
  rec.name = n.name;
  rec.namespace = n.namespace;
  if (n.outputKeys) rec.outputKeys = n.outputKeys;
  rec.outputMode = n.outputMode;
  rec.outputs = n.outputs;
  rec.retries = n.retries;
  rec.source = { file: n.source.file, line: lines.line(n.source) };
  rec.tags = n.tags.length < 2 ? n.tags : [...n.tags].sort(compareStrings);
  rec.timeoutMs = n.timeoutMs;
  return rec as unknown as IRNode;
}

function toIRDataset(d: ResolvedDataset): IRDataset {
  const c = d.config;
  return {
    config: (keysSorted(c) ? c : sortKeys(c)) as DatasetConfig,
    entry: d.entry,
    filepath: typeof c.filepath === "string" ? c.filepath : null,
    layer: typeof c.layer === "string" ? c.layer : null,
    name: d.name,
    persistent: c.type !== "memory",
    type: c.type,
  };
}
