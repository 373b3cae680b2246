// buildGraph: the resolved pipeline as the compiled graph IR (graph.json). Reports duplicate
// node names (MLC4003), self reads (MLC4004), datasets with two producers (MLC4002) and cycles
// (MLC4001). Ordering and cycle search are our own iterative code (toposort.ts).
import type { CompileContext, Locator } from "./diagnostics.js";
import { keysSorted, markKeysSorted, sortKeys } from "./emit/json.js";
import { NodeLines } from "./node-lines.js";
import { ioRef, isParamRef, nameRef } from "./refs.js";
import { compareStrings, findCycles, kahnLayers, type IndexGraph } from "./toposort.js";
import type {
  DatasetConfig,
  GraphIR,
  IRDataset,
  IREdge,
  IRNode,
  ResolvedDataset,
  ResolvedNode,
  ResolvedPipeline,
} from "./types.js";

/** The graph IR of `resolved`: everything sorted, no absolute paths, no secrets. */
export function buildGraph(resolved: ResolvedPipeline, ctx: CompileContext, locate?: Locator): GraphIR {
  const lines = new NodeLines(ctx.docs, locate);
  const { list, index } = uniqueNodes(resolved.nodes, lines, ctx);
  // Producers in definition order, so MLC4002 points at the later definition.
  const producers = findProducers(list, ctx);
  // Sorted once (the engine's own string sort is code-unit order, like compareStrings, and calls
  // no JS comparator): a node's index is then its rank by name, so edges order by integers.
  const names = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) names[i] = list[i].name;
  names.sort();
  const nodes = new Array<ResolvedNode>(names.length);
  const rank = new Int32Array(names.length); // definition position -> position by name
  for (let i = 0; i < names.length; i++) {
    const at = index.get(names[i])!;
    nodes[i] = list[at];
    rank[at] = i;
  }
  const { edges, succ, params } = collectEdges(nodes, producers, rank);
  const g: IndexGraph = { names, succ, namesSorted: true };
  const { layers, leftover } = kahnLayers(g);
  if (leftover.length > 0) reportCycles(g, leftover, nodes, ctx);
  const irNodes = new Array<IRNode>(nodes.length);
  for (let i = 0; i < nodes.length; i++) irNodes[i] = toIRNode(nodes[i], lines);
  return {
    irVersion: 1,
    name: resolved.name,
    nodes: markKeysSorted(irNodes),
    datasets: markKeysSorted(irDatasets(resolved.datasets)),
    params,
    edges: markKeysSorted(edges),
    layers,
    pipelines: { __default__: names },
  };
}

/**
 * The first definition of every name, in definition order, and name -> position in that list;
 * later definitions are MLC4003 at their `name`.
 */
function uniqueNodes(
  all: readonly ResolvedNode[],
  lines: NodeLines,
  ctx: CompileContext,
): { list: ResolvedNode[]; index: Map<string, number> } {
  const index = new Map<string, number>();
  const list: ResolvedNode[] = [];
  for (let j = 0; j < all.length; j++) {
    const n = all[j];
    const first = index.get(n.name);
    if (first === undefined) {
      index.set(n.name, list.length);
      list.push(n);
      continue;
    }
    const src = list[first].source;
    ctx.report({
      code: "MLC4003",
      message: `node name "${n.name}" is already used by the node defined at ${src.file}:${lines.line(src)}`,
      at: nameRef(n),
      hint: "node names must be unique after namespacing and matrix expansion",
    });
  }
  return { list, index };
}

/** Dataset -> position of its producer in `nodes`; MLC4004 for a node writing what it reads, MLC4002 for a second producer. */
function findProducers(nodes: readonly ResolvedNode[], ctx: CompileContext): Map<string, number> {
  const producers = new Map<string, number>();
  for (let j = 0; j < nodes.length; j++) {
    const n = nodes[j];
    const outs = n.outputs;
    for (let i = 0; i < outs.length; i++) {
      const ds = outs[i];
      if (n.inputs.includes(ds)) {
        ctx.report({
          code: "MLC4004",
          message: `node "${n.name}" reads and writes dataset "${ds}"`,
          at: ioRef(n, "outputs", i),
          hint: "write a new dataset name (e.g. a versioned copy) instead",
        });
        continue;
      }
      const first = producers.get(ds);
      if (first === undefined) producers.set(ds, j);
      else if (first !== j) {
        ctx.report({
          code: "MLC4002",
          message: `dataset "${ds}" is produced by node "${nodes[first].name}" and again by node "${n.name}"`,
          at: ioRef(n, "outputs", i),
          hint: "every dataset has exactly one producer; rename one of the outputs",
        });
      }
    }
  }
  return producers;
}

/**
 * Producer -> consumer edges (unique, sorted by from, to, dataset), the successor lists by index,
 * and the sorted parameter references (found in the same pass over every input). `producers`
 * gives definition positions; `rank` turns them into positions in `nodes`.
 * Nodes are sorted by name, so index order is name order: edges are collected in consumer order
 * and bucketed by producer with a counting sort (linear, no comparator calls).
 */
function collectEdges(
  nodes: readonly ResolvedNode[],
  producers: Map<string, number>,
  rank: Int32Array,
): { edges: IREdge[]; succ: number[][]; params: string[] } {
  const n = nodes.length;
  let inputCount = 0;
  for (let i = 0; i < n; i++) inputCount += nodes[i].inputs.length;
  const c = new EdgeCollector(inputCount, producers, rank);
  for (let t = 0; t < n; t++) c.consumer(nodes[t].inputs, t);
  const { ef, et, eds, m } = c;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) start[ef[e] + 1]++;
  for (let f = 0; f < n; f++) start[f + 1] += start[f];
  // Successor lists sized exactly from the counts (push would reserve 17 slots each).
  const succ: number[][] = new Array(n);
  for (let f = 0; f < n; f++) succ[f] = new Array(start[f + 1] - start[f]);
  const order = new Int32Array(m);
  for (let e = 0; e < m; e++) order[start[ef[e]]++] = e; // stable: consumers stay ascending
  sortDatasetTies(order, ef, et, eds);
  const edges: IREdge[] = new Array(m);
  for (let j = 0, f = 0, k = 0; j < m; j++) {
    const e = order[j];
    if (ef[e] !== f) ((f = ef[e]), (k = 0));
    succ[f][k++] = et[e];
    edges[j] = edgeRecord(eds[e], nodes[ef[e]], nodes[et[e]]);
  }
  return { edges, succ, params: [...c.params].sort() };
}

function edgeRecord(dataset: string, from: ResolvedNode, to: ResolvedNode): IREdge {
  return { dataset, from: from.name, to: to.name };
}

/**
 * The edges into each consumer, one small method call per node: cold, it is optimised after a
 * few hundred calls, where one big loop over 30,000 inputs waits for a long on-stack compile.
 */
class EdgeCollector {
  readonly ef: Int32Array;
  readonly et: Int32Array;
  readonly eds: string[];
  readonly params = new Set<string>();
  m = 0;
  constructor(
    size: number,
    private readonly producers: Map<string, number>,
    private readonly rank: Int32Array,
  ) {
    this.ef = new Int32Array(size);
    this.et = new Int32Array(size);
    this.eds = new Array<string>(size);
  }

  /** Edges into node `t` (reading `ins`) from the producers of its inputs. */
  consumer(ins: readonly string[], t: number): void {
    for (let k = 0; k < ins.length; k++) {
      const d = ins[k];
      // 112 = "p": most inputs are datasets and fail this before any string compare.
      if (d.charCodeAt(0) === 112 && isParamRef(d)) this.params.add(d);
      const p = this.producers.get(d);
      if (p === undefined) continue;
      const f = this.rank[p];
      if (f === t || (k > 0 && ins.indexOf(d) !== k)) continue; // self (MLC4004) or listed twice
      this.ef[this.m] = f;
      this.et[this.m] = t;
      this.eds[this.m++] = d;
    }
  }
}

/** Two datasets between the same pair of nodes: order those (rare, tiny) runs by dataset. */
function sortDatasetTies(order: Int32Array, ef: Int32Array, et: Int32Array, eds: string[]): void {
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

// IR records are created with their keys in sorted order: emitJson then writes them as they are.
function toIRNode(n: ResolvedNode, lines: NodeLines): IRNode {
  // Arrays are shared, not copied: phase outputs are readonly data.
  const source = { file: n.source.file, line: lines.line(n.source) };
  const tags = n.tags.length < 2 || strictlyAscending(n.tags) ? n.tags : [...n.tags].sort(compareStrings);
  if (!n.inputKeys && !n.outputKeys && n.sql === undefined && n.cache === undefined) {
    // The usual node: one literal, one allocation.
    const { baseName, func, inputMode, inputs, name, namespace, outputMode, outputs, retries, timeoutMs } = n;
    return {
      baseName,
      func,
      inputMode,
      inputs,
      name,
      namespace,
      outputMode,
      outputs,
      retries,
      source,
      tags,
      timeoutMs,
    };
  }
  const rec: Record<string, unknown> = { baseName: n.baseName };
  if (n.cache !== undefined) rec.cache = n.cache;
  rec.func = n.func;
  if (n.inputKeys) rec.inputKeys = n.inputKeys;
  rec.inputMode = n.inputMode;
  rec.inputs = n.inputs;
  rec.name = n.name;
  rec.namespace = n.namespace;
  if (n.outputKeys) rec.outputKeys = n.outputKeys;
  rec.outputMode = n.outputMode;
  rec.outputs = n.outputs;
  rec.retries = n.retries;
  rec.source = source;
  if (n.sql !== undefined) rec.sql = n.sql;
  rec.tags = tags;
  rec.timeoutMs = n.timeoutMs;
  return rec as unknown as IRNode;
}

function strictlyAscending(v: readonly string[]): boolean {
  for (let i = 1; i < v.length; i++) if (!(v[i - 1] < v[i])) return false;
  return true;
}

/** The IR datasets sorted by name, each config with its keys sorted. */
function irDatasets(ds: Readonly<Record<string, ResolvedDataset>>): IRDataset[] {
  const keys = Object.keys(ds).sort();
  const out = new Array<IRDataset>(keys.length);
  const plans = new Map<string, ConfigPlan>();
  // A config object shared by many datasets (implicit memory) is handled once.
  let lastIn: DatasetConfig | null = null;
  let lastOut: DatasetConfig | null = null;
  for (let i = 0; i < keys.length; i++) {
    const d = ds[keys[i]];
    const c = d.config;
    if (c !== lastIn) {
      lastIn = c;
      lastOut = sortedConfig(c, d.entry !== null && d.entry !== d.name ? d.entry : null, plans);
    }
    out[i] = toIRDataset(d, lastOut!);
  }
  return out;
}

/** How configs filled from one factory pattern get sorted keys: as they are, by a key list, or the generic sort. */
type ConfigPlan = "as-is" | "generic" | readonly string[];

/**
 * `c` with its keys sorted. Configs filled from the same factory `pattern` have the pattern's
 * keys in the pattern's order and the same nesting, so the plan is worked out once per pattern.
 */
function sortedConfig(c: DatasetConfig, pattern: string | null, plans: Map<string, ConfigPlan>): DatasetConfig {
  let plan = pattern === null ? undefined : plans.get(pattern);
  if (plan === undefined) {
    plan = configPlan(c);
    if (pattern !== null) plans.set(pattern, plan);
  }
  if (plan === "as-is") return c;
  if (plan === "generic") return (keysSorted(c) ? c : sortKeys(c)) as DatasetConfig;
  const copy: Record<string, unknown> = {};
  for (let k = 0; k < plan.length; k++) copy[plan[k]] = c[plan[k]];
  return copy as DatasetConfig;
}

function configPlan(c: DatasetConfig): ConfigPlan {
  if (keysSorted(c)) return "as-is";
  const keys = Object.keys(c);
  for (const k of keys) {
    const v = c[k];
    if ((v !== null && typeof v === "object") || k === "__proto__") return "generic";
  }
  return keys.sort();
}

function toIRDataset(d: ResolvedDataset, config: DatasetConfig): IRDataset {
  const c = d.config;
  return {
    config,
    entry: d.entry,
    filepath: typeof c.filepath === "string" ? c.filepath : null,
    layer: typeof c.layer === "string" ? c.layer : null,
    name: d.name,
    persistent: c.type !== "memory",
    type: c.type,
  };
}
