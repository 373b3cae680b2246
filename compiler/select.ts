// select: Kedro's slicing as pure functions on the GraphIR. Each filter is applied to the whole
// (named) pipeline and the results are intersected, as Kedro's Pipeline.filter. Traversals are
// iterative (graphs may be 100,000 nodes deep). Unknown names are MLC4006, empty results MLC4005.
import type { CompileContext } from "./diagnostics.js";
import { compareStrings, kahnLayers } from "./toposort.js";
import { didYouMean } from "./suggest.js";
import { GraphIndex, wholeGraphIndex } from "./select-index.js";
import type { GraphIR, IREdge, IRNode, SelectionSpec, SourceRef } from "./types.js";

type ListKey = "nodes" | "from_nodes" | "to_nodes" | "from_inputs" | "to_outputs" | "tags" | "namespaces";
/** Filters in the order messages list them (Kedro's filter() order). */
const FILTERS: readonly ListKey[] = [
  "tags",
  "from_nodes",
  "to_nodes",
  "nodes",
  "from_inputs",
  "to_outputs",
  "namespaces",
];
const KIND: Record<ListKey, string> = {
  nodes: "node",
  from_nodes: "node",
  to_nodes: "node",
  from_inputs: "dataset",
  to_outputs: "dataset",
  tags: "tag",
  namespaces: "namespace",
};

/** True when `spec` selects everything (no filter and no named pipeline). */
export function isEmptySelection(spec: SelectionSpec | undefined | null): boolean {
  if (!spec) return true;
  return spec.pipeline === undefined && FILTERS.every((k) => !spec[k] || spec[k]!.length === 0);
}

/** A successful selection: the base nodes, their index, and which of them are kept. */
interface Selection {
  readonly base: readonly IRNode[];
  readonly index: GraphIndex;
  readonly keep: Uint8Array;
}

/**
 * The sorted names of the nodes `spec` selects in `graph`, or null after reporting MLC4006 (unknown
 * names) / MLC4005 (nothing left). `at` places diagnostics for a named pipeline of pipeline.yml;
 * CLI selections pass null and messages name the flag.
 */
export function selectNodeNames(
  graph: GraphIR,
  spec: SelectionSpec,
  ctx: CompileContext,
  at: SourceRef | null = null,
): string[] | null {
  const sel = select(graph, spec, ctx, at);
  if (!sel) return null;
  const names: string[] = [];
  const { base, keep } = sel;
  for (let i = 0; i < base.length; i++) if (keep[i]) names.push(base[i].name);
  if (!isSorted(names)) names.sort(compareStrings); // graph.nodes is sorted by contract; stay safe
  return names;
}

/**
 * The subgraph `spec` selects: nodes filtered, datasets/params/edges restricted to them, layers
 * recomputed. Returns `graph` itself for an empty selection, and a graph without nodes on error.
 */
export function selectGraph(
  graph: GraphIR,
  spec: SelectionSpec,
  ctx: CompileContext,
  at: SourceRef | null = null,
): GraphIR {
  if (isEmptySelection(spec)) {
    // Kedro runs `__default__` when no pipeline is named: all nodes unless pipeline.yml defines it.
    const def = graph.pipelines.__default__;
    return !def || def.length === graph.nodes.length ? graph : subgraph(graph, new Set(def));
  }
  const sel = select(graph, spec, ctx, at);
  return sel ? subgraphOf(graph, sel) : subgraph(graph, new Set());
}

function select(graph: GraphIR, spec: SelectionSpec, ctx: CompileContext, at: SourceRef | null): Selection | null {
  const where = new Where(at, ctx);
  const baseName = spec.pipeline ?? (at === null && graph.pipelines.__default__ ? "__default__" : undefined);
  const base = baseNodes(graph, baseName, where);
  if (!base) return null;
  const index =
    base === graph.nodes ? wholeGraphIndex(graph.nodes, graph.edges) : new GraphIndex(base, graph.edges, graph.nodes);
  const results: { key: ListKey; set: Uint8Array }[] = [];
  let unknown = false;
  for (const key of FILTERS) {
    const items = spec[key];
    if (!items || items.length === 0) continue;
    const r = applyFilter(key, items, index, graph, baseName, where);
    if (r) results.push({ key, set: r });
    else unknown = true;
  }
  if (unknown) return null;
  const keep = new Uint8Array(base.length).fill(1);
  let count = 0;
  for (let i = 0; i < base.length; i++) {
    for (let r = 0; r < results.length; r++) keep[i] &= results[r].set[i];
    count += keep[i];
  }
  if (count > 0) return { base, index, keep };
  // Name the pipeline in the message unless it is the implicit all-nodes __default__.
  reportEmpty(spec, spec.pipeline ?? (base === graph.nodes ? undefined : baseName), results, base.length, where);
  return null;
}

/** The subgraph of a selection, built from node positions (no name lookups on 10,000+ edges). */
function subgraphOf(graph: GraphIR, { base, index, keep }: Selection): GraphIR {
  const nodes: IRNode[] = [];
  const at = new Int32Array(base.length);
  base.forEach((n, i) => keep[i] && ((at[i] = nodes.length), nodes.push(n)));
  const e = index.keptEdges(keep);
  const succ: number[][] = nodes.map(() => []);
  for (let k = 0; k < e.ids.length; k++) succ[at[e.from[k]]].push(at[e.to[k]]);
  return restricted(
    graph,
    nodes,
    e.ids.map((k) => graph.edges[k]),
    succ,
  );
}

/** The graph restricted to `keep` (node names). */
export function subgraph(graph: GraphIR, keep: ReadonlySet<string>): GraphIR {
  const nodes = graph.nodes.filter((n) => keep.has(n.name));
  const edges = graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to));
  const pos = new Map(nodes.map((n, i) => [n.name, i]));
  const succ: number[][] = nodes.map(() => []);
  for (const e of edges) succ[pos.get(e.from)!].push(pos.get(e.to)!);
  return restricted(graph, nodes, edges, succ);
}

/** `graph` with these nodes and edges; datasets and params cut to what the nodes use; new layers. */
function restricted(graph: GraphIR, nodes: IRNode[], edges: IREdge[], succ: number[][]): GraphIR {
  const used = new Set<string>();
  for (const n of nodes) {
    for (const d of n.inputs) used.add(d);
    for (const d of n.outputs) used.add(d);
  }
  return {
    ...graph,
    nodes,
    datasets: graph.datasets.filter((d) => used.has(d.name)),
    params: graph.params.filter((p) => used.has(p)),
    edges,
    layers: kahnLayers({ names: nodes.map((n) => n.name), succ }).layers,
  };
}

/**
 * The nodes the filters run on: the named pipeline's, or all. Without `pipeline`, a CLI selection
 * starts from `__default__` (as `kedro run --tags x`), a named pipeline's definition from all nodes.
 */
function baseNodes(graph: GraphIR, name: string | undefined, where: Where): readonly IRNode[] | null {
  if (name === undefined) return graph.nodes;
  const members = graph.pipelines[name] ?? (name === "__default__" ? null : undefined);
  if (members === null) return graph.nodes;
  if (members === undefined) {
    const known = [...new Set(["__default__", ...Object.keys(graph.pipelines)])];
    where.report("MLC4006", "pipeline", null, `unknown pipeline "${name}"${didYouMean(name, known)}`);
    return null;
  }
  if (members.length === graph.nodes.length) return graph.nodes; // pipelines list graph nodes: all of them
  const set = new Set(members);
  return graph.nodes.filter((n) => set.has(n.name));
}

/** True when `names` is in compareStrings order. */
function isSorted(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (compareStrings(names[i - 1], names[i]) > 0) return false;
  return true;
}

/** One filter's node set over the base nodes, or null after reporting its unknown items. */
function applyFilter(
  key: ListKey,
  items: readonly string[],
  index: GraphIndex,
  graph: GraphIR,
  pipeline: string | undefined,
  where: Where,
): Uint8Array | null {
  const starts: number[] = [];
  let ok = true;
  items.forEach((item, i) => {
    const found = index.lookup(key, item);
    if (found) for (const j of found) starts.push(j);
    else {
      ok = false;
      where.report("MLC4006", key, i, unknownMessage(key, item, index, graph, pipeline));
    }
  });
  if (!ok) return null;
  return index.expand(key, starts);
}

/** "unknown node X (did you mean ...)", or "not part of pipeline P" when it exists outside the base. */
function unknownMessage(
  key: ListKey,
  item: string,
  index: GraphIndex,
  graph: GraphIR,
  pipeline: string | undefined,
): string {
  const kind = KIND[key];
  const inGraph =
    kind === "node"
      ? graph.nodes.some((n) => n.name === item || n.baseName === item)
      : kind === "dataset" && graph.nodes.some((n) => n.inputs.includes(item) || n.outputs.includes(item));
  if (pipeline !== undefined && inGraph) return `${kind} "${item}" is not part of pipeline "${pipeline}"`;
  return `unknown ${kind} "${item}"${didYouMean(item, index.candidates(key))}`;
}

/** MLC4005 naming the filters that left nothing: one that matched nothing, or all with their counts. */
function reportEmpty(
  spec: SelectionSpec,
  pipeline: string | undefined,
  results: { key: ListKey; set: Uint8Array }[],
  baseSize: number,
  where: Where,
): void {
  const within = pipeline !== undefined ? ` of pipeline "${pipeline}"` : "";
  const describe = (r: { key: ListKey; set: Uint8Array }): string => {
    const count = r.set.reduce((a, b) => a + b, 0);
    return `${where.label(r.key)} ${spec[r.key]!.join(",")} (${count} node${count === 1 ? "" : "s"})`;
  };
  const none = results.filter((r) => !r.set.includes(1));
  const message =
    baseSize === 0
      ? `selection leaves no nodes: ${pipeline !== undefined ? `pipeline "${pipeline}"` : "the pipeline"} has no nodes`
      : none.length > 0
        ? `selection leaves no nodes: ${none.map((r) => `${where.label(r.key)} ${spec[r.key]!.join(",")}`).join("; ")} selects none of the ${baseSize} nodes${within}`
        : `selection leaves no nodes: ${results.map(describe).join(", ")} have no node in common${within}`;
  where.report("MLC4005", null, null, message);
}

/** Where selection diagnostics go: into a named pipeline's YAML, or file-less naming the CLI flag. */
class Where {
  constructor(
    private readonly at: SourceRef | null,
    private readonly ctx: CompileContext,
  ) {}

  /** `--from-nodes` for the CLI, `from_nodes` inside a named pipeline. */
  label(key: string): string {
    return this.at ? key : `--${key.replace(/_/g, "-")}`;
  }

  report(code: "MLC4005" | "MLC4006", key: string | null, item: number | null, message: string): void {
    if (!this.at) {
      const prefix = key ? `${this.label(key)}: ` : "";
      this.ctx.report({ code, message: prefix + message, at: null });
      return;
    }
    const name = this.at.path[this.at.path.length - 1];
    const prefix = `pipeline "${String(name)}": ${key ? `${key}: ` : ""}`;
    this.ctx.report({ code, message: prefix + message, at: this.ref(key, item) });
  }

  /** The list item when the pipeline wrote a list, else the key's value, else the pipeline entry. */
  private ref(key: string | null, item: number | null): SourceRef {
    const at = this.at!;
    if (key === null) return at;
    const def = valueAt(this.ctx.docs.get(at.file)?.data, at.path);
    const v = typeof def === "object" && def !== null ? (def as Record<string, unknown>)[key] : undefined;
    if (v === undefined) return at;
    if (Array.isArray(v) && item !== null && item < v.length) return { file: at.file, path: [...at.path, key, item] };
    return { file: at.file, path: [...at.path, key] };
  }
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let v = data;
  for (const p of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}
