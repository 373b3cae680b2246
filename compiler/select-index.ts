// Lookup tables and iterative traversals for selection over a list of IR nodes.
import type { IRNode } from "./types.js";

type Key = "nodes" | "from_nodes" | "to_nodes" | "from_inputs" | "to_outputs" | "tags" | "namespaces";

function push<K>(m: Map<K, number[]>, k: K, i: number): void {
  const list = m.get(k);
  if (list) list.push(i);
  else m.set(k, [i]);
}

/** Namespace `ns` and all its parents: "a.b.c" -> a, a.b, a.b.c. */
function namespacePrefixes(ns: string): string[] {
  const parts = ns.split(".");
  return parts.map((_, i) => parts.slice(0, i + 1).join("."));
}

/** Tags and namespaces present anywhere in the whole graph (unknown-name checks). */
export class NameSets {
  readonly tags = new Set<string>();
  readonly namespaces = new Set<string>();
  constructor(nodes: readonly IRNode[]) {
    for (const n of nodes) {
      for (const t of n.tags) this.tags.add(t);
      if (n.namespace) for (const p of namespacePrefixes(n.namespace)) this.namespaces.add(p);
    }
  }
}

/** Name, base-name, dataset and tag indices over `nodes` (positions are indices into it). */
export class GraphIndex {
  private readonly pos = new Map<string, number>();
  private readonly byBase = new Map<string, number[]>();
  private readonly consumers = new Map<string, number[]>();
  private readonly producers = new Map<string, number[]>();
  private byTag: Map<string, number[]> | null = null;
  private byNamespace: Map<string, number[]> | null = null;

  constructor(private readonly nodes: readonly IRNode[]) {
    nodes.forEach((n, i) => {
      this.pos.set(n.name, i);
      if (n.baseName !== n.name) push(this.byBase, n.baseName, i);
      for (const d of new Set(n.inputs)) push(this.consumers, d, i);
      for (const d of new Set(n.outputs)) push(this.producers, d, i);
    });
  }

  /** Start nodes for one filter item: [] when known but matching nothing here, null when unknown. */
  lookup(key: Key, item: string, whole: NameSets): number[] | null {
    switch (key) {
      case "nodes":
      case "from_nodes":
      case "to_nodes": {
        const i = this.pos.get(item);
        return i !== undefined ? [i] : (this.byBase.get(item) ?? null);
      }
      case "from_inputs":
      case "to_outputs":
        if (!this.consumers.has(item) && !this.producers.has(item)) return null;
        return (key === "from_inputs" ? this.consumers : this.producers).get(item) ?? [];
      case "tags":
        return whole.tags.has(item) ? (this.tagIndex().get(item) ?? []) : null;
      case "namespaces":
        return whole.namespaces.has(item) ? (this.namespaceIndex().get(item) ?? []) : null;
    }
  }

  /** The filter's node set from its start nodes: themselves, or all descendants / ancestors. */
  expand(key: Key, starts: readonly number[]): Uint8Array {
    if (key === "from_nodes" || key === "from_inputs") return this.walk(starts, "down");
    if (key === "to_nodes" || key === "to_outputs") return this.walk(starts, "up");
    const set = new Uint8Array(this.nodes.length);
    for (const i of starts) set[i] = 1;
    return set;
  }

  /** Names to suggest for an unknown item of `key`. */
  candidates(key: Key, whole: NameSets | null): string[] {
    if (key === "tags") return [...(whole?.tags ?? [])];
    if (key === "namespaces") return [...(whole?.namespaces ?? [])];
    if (key === "from_inputs" || key === "to_outputs") return [...new Set([...this.consumers.keys(), ...this.producers.keys()])];
    return [...this.pos.keys(), ...this.byBase.keys()];
  }

  /** Iterative BFS through datasets: down = consumers of outputs, up = producers of inputs. */
  private walk(starts: readonly number[], dir: "down" | "up"): Uint8Array {
    const seen = new Uint8Array(this.nodes.length);
    const queue: number[] = [];
    for (const i of starts) if (!seen[i]) (seen[i] = 1), queue.push(i);
    for (let q = 0; q < queue.length; q++) {
      const n = this.nodes[queue[q]];
      const via = dir === "down" ? n.outputs : n.inputs;
      const next = dir === "down" ? this.consumers : this.producers;
      for (const d of via) {
        for (const j of next.get(d) ?? []) if (!seen[j]) (seen[j] = 1), queue.push(j);
      }
    }
    return seen;
  }

  private tagIndex(): Map<string, number[]> {
    if (!this.byTag) {
      this.byTag = new Map();
      this.nodes.forEach((n, i) => n.tags.forEach((t) => push(this.byTag!, t, i)));
    }
    return this.byTag;
  }

  /** Namespace -> nodes in it or in a child namespace (`a` covers `a` and `a.x`, not `ab`). */
  private namespaceIndex(): Map<string, number[]> {
    if (!this.byNamespace) {
      this.byNamespace = new Map();
      this.nodes.forEach((n, i) => {
        if (n.namespace) for (const p of namespacePrefixes(n.namespace)) push(this.byNamespace!, p, i);
      });
    }
    return this.byNamespace;
  }
}
