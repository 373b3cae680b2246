// Lookup tables and iterative traversals for selection over a list of IR nodes. Built to be cheap
// on 10,000+ node graphs: node adjacency comes from the IR's edges as flat index arrays; dataset,
// tag and namespace tables are built only when a filter needs them.
import type { IREdge, IRNode } from "./types.js";

type Key = "nodes" | "from_nodes" | "to_nodes" | "from_inputs" | "to_outputs" | "tags" | "namespaces";

function push<K>(m: Map<K, number[]>, k: K, i: number): void {
  const list = m.get(k);
  if (!list) m.set(k, [i]);
  else if (list[list.length - 1] !== i) list.push(i); // a node listing a name twice counts once
}

/** Namespace `ns` and all its parents: "a.b.c" -> a, a.b, a.b.c. */
function namespacePrefixes(ns: string): string[] {
  const out: string[] = [];
  for (let i = ns.indexOf("."); i !== -1; i = ns.indexOf(".", i + 1)) out.push(ns.slice(0, i));
  out.push(ns);
  return out;
}

/** Edges between indexed nodes and the adjacency in both directions. */
interface Links {
  readonly ids: Int32Array;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly down: Adjacency;
  readonly up: Adjacency;
}

/** Compressed adjacency: the neighbours of node i are `to[start[i] .. start[i+1])`. */
interface Adjacency {
  readonly start: Int32Array;
  readonly to: Int32Array;
}

/** CSR adjacency of the first `m` pairs (src[k] -> dst[k]) over `n` nodes. */
function adjacency(n: number, src: Int32Array, dst: Int32Array, m: number): Adjacency {
  const start = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) start[src[k] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const to = new Int32Array(m);
  for (let k = 0; k < m; k++) to[fill[src[k]]++] = dst[k];
  return { start, to };
}

const cache = new WeakMap<readonly IRNode[], GraphIndex>();

/**
 * The index of a whole graph, built once per node list: named pipelines and the CLI selection of
 * one compile share it (spread copies of a GraphIR keep the same `nodes` array).
 */
export function wholeGraphIndex(nodes: readonly IRNode[], edges: readonly IREdge[]): GraphIndex {
  let ix = cache.get(nodes);
  if (!ix) cache.set(nodes, (ix = new GraphIndex(nodes, edges, nodes)));
  return ix;
}

/** Name, base-name, dataset, tag and namespace lookups over `nodes` (positions index into it). */
export class GraphIndex {
  /** Node name -> position and base name -> positions (matrix members), built on first need. */
  private names: { pos: Map<string, number>; byBase: Map<string, number[]> } | null = null;
  /** Edges and adjacency, built on first need: tag and namespace filters never walk the graph. */
  private links: Links | null = null;
  private io: { consumers: Map<string, number[]>; producers: Map<string, number[]> } | null = null;
  private byTag: Map<string, number[]> | null = null;
  private byNamespace: Map<string, number[]> | null = null;

  /** `whole` is the full graph's node list, consulted only to tell "unknown" from "not here". */
  constructor(
    private readonly nodes: readonly IRNode[],
    private readonly edges: readonly IREdge[],
    private readonly whole: readonly IRNode[],
  ) {}

  private nameIndex(): { pos: Map<string, number>; byBase: Map<string, number[]> } {
    if (this.names) return this.names;
    const pos = new Map<string, number>();
    const byBase = new Map<string, number[]>();
    for (let i = 0; i < this.nodes.length; i++) {
      const n = this.nodes[i];
      pos.set(n.name, i);
      if (n.baseName !== n.name) push(byBase, n.baseName, i);
    }
    return (this.names = { pos, byBase });
  }

  /** Edges between indexed nodes (position in the IR edge list and both endpoints), both directions. */
  private linksIndex(): Links {
    if (this.links) return this.links;
    const edges = this.edges;
    const { pos } = this.nameIndex();
    const ids = new Int32Array(edges.length);
    const from = new Int32Array(edges.length);
    const to = new Int32Array(edges.length);
    let m = 0;
    for (let k = 0; k < edges.length; k++) {
      const a = pos.get(edges[k].from);
      const b = pos.get(edges[k].to);
      if (a !== undefined && b !== undefined) ((ids[m] = k), (from[m] = a), (to[m++] = b));
    }
    const n = this.nodes.length;
    this.links = {
      ids: ids.subarray(0, m),
      from: from.subarray(0, m),
      to: to.subarray(0, m),
      down: adjacency(n, from, to, m),
      up: adjacency(n, to, from, m),
    };
    return this.links;
  }

  /** Start nodes for one filter item: [] when known but matching nothing here, null when unknown. */
  lookup(key: Key, item: string): number[] | null {
    switch (key) {
      case "nodes":
      case "from_nodes":
      case "to_nodes": {
        const { pos, byBase } = this.nameIndex();
        const i = pos.get(item);
        return i !== undefined ? [i] : (byBase.get(item) ?? null);
      }
      case "from_inputs":
      case "to_outputs": {
        const { consumers, producers } = this.ioIndex();
        if (!consumers.has(item) && !producers.has(item)) return null;
        return (key === "from_inputs" ? consumers : producers).get(item) ?? [];
      }
      case "tags":
        return this.tagIndex().get(item) ?? (this.whole.some((n) => n.tags.includes(item)) ? [] : null);
      case "namespaces":
        return (
          this.namespaceIndex().get(item) ??
          (this.whole.some((n) => n.namespace !== null && namespacePrefixes(n.namespace).includes(item)) ? [] : null)
        );
    }
  }

  /** The filter's node set from its start nodes: themselves, or all descendants / ancestors. */
  expand(key: Key, starts: readonly number[]): Uint8Array {
    if (key === "from_nodes" || key === "from_inputs") return walk(this.linksIndex().down, starts, this.nodes.length);
    if (key === "to_nodes" || key === "to_outputs") return walk(this.linksIndex().up, starts, this.nodes.length);
    const set = new Uint8Array(this.nodes.length);
    for (const i of starts) set[i] = 1;
    return set;
  }

  /** The edges with both ends kept: their positions in the IR edge list and their endpoints. */
  keptEdges(keep: Uint8Array): { ids: number[]; from: number[]; to: number[] } {
    const out = { ids: [] as number[], from: [] as number[], to: [] as number[] };
    const { ids, from, to } = this.linksIndex();
    for (let k = 0; k < ids.length; k++) {
      if (keep[from[k]] && keep[to[k]]) (out.ids.push(ids[k]), out.from.push(from[k]), out.to.push(to[k]));
    }
    return out;
  }

  /** Names to suggest for an unknown item of `key`. */
  candidates(key: Key): string[] {
    if (key === "tags") return [...new Set(this.whole.flatMap((n) => n.tags))];
    if (key === "namespaces")
      return [...new Set(this.whole.flatMap((n) => (n.namespace ? namespacePrefixes(n.namespace) : [])))];
    if (key === "from_inputs" || key === "to_outputs") {
      const { consumers, producers } = this.ioIndex();
      return [...new Set([...consumers.keys(), ...producers.keys()])];
    }
    const { pos, byBase } = this.nameIndex();
    return [...pos.keys(), ...byBase.keys()];
  }

  private ioIndex(): { consumers: Map<string, number[]>; producers: Map<string, number[]> } {
    if (!this.io) {
      const consumers = new Map<string, number[]>();
      const producers = new Map<string, number[]>();
      for (let i = 0; i < this.nodes.length; i++) {
        const n = this.nodes[i];
        for (let k = 0; k < n.inputs.length; k++) push(consumers, n.inputs[k], i);
        for (let k = 0; k < n.outputs.length; k++) push(producers, n.outputs[k], i);
      }
      this.io = { consumers, producers };
    }
    return this.io;
  }

  private tagIndex(): Map<string, number[]> {
    if (!this.byTag) {
      const m = new Map<string, number[]>();
      for (let i = 0; i < this.nodes.length; i++) {
        const tags = this.nodes[i].tags;
        for (let k = 0; k < tags.length; k++) push(m, tags[k], i);
      }
      this.byTag = m;
    }
    return this.byTag;
  }

  /** Namespace -> nodes in it or in a child namespace (`a` covers `a` and `a.x`, not `ab`). */
  private namespaceIndex(): Map<string, number[]> {
    if (!this.byNamespace) {
      const m = new Map<string, number[]>();
      for (let i = 0; i < this.nodes.length; i++) {
        const ns = this.nodes[i].namespace;
        if (!ns) continue;
        // Without a dot (the usual case) the namespace is its only prefix: no list built.
        if (!ns.includes(".")) push(m, ns, i);
        else for (const p of namespacePrefixes(ns)) push(m, p, i);
      }
      this.byNamespace = m;
    }
    return this.byNamespace;
  }
}

/** Iterative BFS over `adj` from `starts`; the result marks every node reached (starts included). */
function walk(adj: Adjacency, starts: readonly number[], n: number): Uint8Array {
  const seen = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (const i of starts) if (!seen[i]) ((seen[i] = 1), (queue[tail++] = i));
  for (let head = 0; head < tail; head++) {
    const i = queue[head];
    for (let k = adj.start[i]; k < adj.start[i + 1]; k++) {
      const j = adj.to[k];
      if (!seen[j]) ((seen[j] = 1), (queue[tail++] = j));
    }
  }
  return seen;
}
