// buildGraph: the resolved pipeline as the compiled graph IR (graph.json). Reports duplicate
// node names (MLC4003), self reads (MLC4004), datasets with two producers (MLC4002) and cycles
// (MLC4001). Ordering and cycle search are our own iterative code (toposort.ts).
import type { CompileContext, Locator } from "./diagnostics.js";
import { NodeLines } from "./node-lines.js";
import { ioRef, isParamRef, nameRef } from "./refs.js";
import { compareStrings, findCycles, kahnLayers, type IndexGraph } from "./toposort.js";
import type { GraphIR, IRDataset, IREdge, IRNode, ResolvedDataset, ResolvedNode, ResolvedPipeline } from "./types.js";

/** The graph IR of `resolved`: everything sorted, no absolute paths, no secrets. */
export function buildGraph(resolved: ResolvedPipeline, ctx: CompileContext, locate?: Locator): GraphIR {
  const lines = new NodeLines(ctx.docs, locate);
  const nodes = uniqueNodes(resolved.nodes, lines, ctx);
  const producers = findProducers(nodes, ctx);
  const edges = collectEdges(nodes, producers);
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  const succ: number[][] = nodes.map(() => []);
  for (const e of edges) succ[index.get(e.from)!].push(index.get(e.to)!);
  const g: IndexGraph = { names: nodes.map((n) => n.name), succ };
  const { layers, leftover } = kahnLayers(g);
  if (leftover.length > 0) reportCycles(g, leftover, nodes, index, ctx);
  const irNodes = nodes.map((n) => toIRNode(n, lines)).sort(byName);
  return {
    irVersion: 1,
    name: resolved.name,
    nodes: irNodes,
    datasets: Object.values(resolved.datasets).map(toIRDataset).sort(byName),
    params: collectParams(nodes),
    edges,
    layers,
    pipelines: { __default__: irNodes.map((n) => n.name) },
  };
}

/** Keeps the first definition of each name; later ones are MLC4003 at their `name`. */
function uniqueNodes(all: readonly ResolvedNode[], lines: NodeLines, ctx: CompileContext): ResolvedNode[] {
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
  return [...seen.values()];
}

/** Dataset -> producing node; MLC4004 for a node writing what it reads, MLC4002 for a second producer. */
function findProducers(nodes: readonly ResolvedNode[], ctx: CompileContext): Map<string, ResolvedNode> {
  const producers = new Map<string, ResolvedNode>();
  for (const n of nodes) {
    const reads = new Set(n.inputs);
    n.outputs.forEach((ds, i) => {
      if (reads.has(ds)) {
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

/** Producer -> consumer edges through each dataset, unique and sorted by from, to, dataset. */
function collectEdges(nodes: readonly ResolvedNode[], producers: Map<string, ResolvedNode>): IREdge[] {
  // Sort by rank of the node names (integers) instead of comparing strings 3 times per pair.
  const rank = new Map<ResolvedNode, number>();
  [...nodes].sort(byName).forEach((n, i) => rank.set(n, i));
  const edges: { e: IREdge; f: number; t: number }[] = [];
  for (const n of nodes) {
    const seen = n.inputs.length > 1 ? new Set<string>() : null;
    for (const ds of n.inputs) {
      const p = producers.get(ds);
      if (!p || p === n) continue;
      if (seen) {
        if (seen.has(ds)) continue;
        seen.add(ds);
      }
      edges.push({ e: { from: p.name, to: n.name, dataset: ds }, f: rank.get(p)!, t: rank.get(n)! });
    }
  }
  edges.sort((a, b) => a.f - b.f || a.t - b.t || compareStrings(a.e.dataset, b.e.dataset));
  return edges.map((x) => x.e);
}

function reportCycles(g: IndexGraph, leftover: number[], nodes: ResolvedNode[], index: Map<string, number>, ctx: CompileContext): void {
  for (const cycle of findCycles(g, leftover)) {
    const first = nodes[index.get(cycle[0])!];
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
  for (const n of nodes) for (const i of n.inputs) if (isParamRef(i)) params.add(i);
  return [...params].sort(compareStrings);
}

function toIRNode(n: ResolvedNode, lines: NodeLines): IRNode {
  // Arrays are shared, not copied: phase outputs are readonly data.
  return {
    name: n.name,
    baseName: n.baseName,
    func: n.func,
    inputs: n.inputs,
    inputMode: n.inputMode,
    ...(n.inputKeys ? { inputKeys: n.inputKeys } : {}),
    outputs: n.outputs,
    outputMode: n.outputMode,
    ...(n.outputKeys ? { outputKeys: n.outputKeys } : {}),
    tags: n.tags.length < 2 ? n.tags : [...n.tags].sort(compareStrings),
    namespace: n.namespace,
    retries: n.retries,
    timeoutMs: n.timeoutMs,
    source: { file: n.source.file, line: lines.line(n.source) },
  };
}

function toIRDataset(d: ResolvedDataset): IRDataset {
  const c = d.config;
  return {
    name: d.name,
    type: c.type,
    persistent: c.type !== "memory",
    layer: typeof c.layer === "string" ? c.layer : null,
    filepath: typeof c.filepath === "string" ? c.filepath : null,
    config: c,
    entry: d.entry,
  };
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return compareStrings(a.name, b.name);
}
