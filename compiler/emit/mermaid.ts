// pipeline.mmd: the graph as a Mermaid flowchart. Ids are generated (n0, d0, p0, s0), never user
// text, and every label is quoted with Mermaid entity codes for anything but plain characters,
// so any name (quotes, brackets, unicode, `end`, `<script>`) renders. Deterministic.
import { compareStrings } from "../toposort.js";
import type { GraphIR, IRNode } from "../types.js";

export interface MermaidOptions {
  /** Draw parameter references as their own shapes (default true). */
  readonly params?: boolean;
}

const SAFE = /^[\p{L}\p{N} _.,:/@=+-]$/u;
/** Fast path: the usual names need no escaping at all. */
const PLAIN = /^[A-Za-z0-9 _.,:/@=+-]*$/;

/** A Mermaid-safe quoted label: `"..."` with entity codes (`#34;`) for everything risky. */
export function mermaidLabel(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  let out = "";
  for (const ch of text) out += SAFE.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return `"${out}"`;
}

/** The Mermaid flowchart of `graph`. */
export function emitMermaid(graph: GraphIR, opts: MermaidOptions = {}): string {
  const withParams = opts.params !== false;
  const nodeId = new Map(graph.nodes.map((n, i) => [n.name, `n${i}`]));
  const dsId = new Map(graph.datasets.map((d, i) => [d.name, `d${i}`]));
  const paramId = new Map(withParams ? graph.params.map((p, i) => [p, `p${i}`]) : []);
  const lines = ["flowchart LR"];
  lines.push(...namespaceBlocks(graph.nodes, nodeId));
  for (const d of graph.datasets) {
    const label = mermaidLabel(d.name);
    lines.push(d.persistent ? `  ${dsId.get(d.name)}[(${label})]:::persistent` : `  ${dsId.get(d.name)}([${label}]):::memory`);
  }
  for (const [p, id] of paramId) lines.push(`  ${id}{{${mermaidLabel(p)}}}:::param`);
  for (const n of graph.nodes) {
    const id = nodeId.get(n.name)!;
    for (const i of unique(n.inputs)) {
      const from = dsId.get(i) ?? paramId.get(i);
      if (from) lines.push(`  ${from} ${from.startsWith("p") ? "-.->" : "-->"} ${id}`);
    }
    for (const o of unique(n.outputs)) {
      const to = dsId.get(o);
      if (to) lines.push(`  ${id} --> ${to}`);
    }
  }
  lines.push(
    "  classDef node fill:#e8f0fe,stroke:#1a73e8,color:#0b2e6b",
    "  classDef persistent fill:#e6f4ea,stroke:#188038,color:#0d3d1c",
    "  classDef memory fill:#f1f3f4,stroke:#5f6368,color:#202124,stroke-dasharray: 4 3",
    "  classDef param fill:#fef7e0,stroke:#b06000,color:#4d2a00",
  );
  return lines.join("\n") + "\n";
}

interface NsTree {
  readonly children: Map<string, NsTree>;
  readonly nodes: IRNode[];
}

/** Node rectangles, nested in one subgraph per namespace segment (a.b -> a { b { ... } }). */
function namespaceBlocks(nodes: readonly IRNode[], ids: Map<string, string>): string[] {
  const root: NsTree = { children: new Map(), nodes: [] };
  for (const n of nodes) {
    let t = root;
    for (const seg of n.namespace ? n.namespace.split(".") : []) {
      let c = t.children.get(seg);
      if (!c) t.children.set(seg, (c = { children: new Map(), nodes: [] }));
      t = c;
    }
    t.nodes.push(n);
  }
  const out: string[] = [];
  let sub = 0;
  type Step = { kind: "tree"; tree: NsTree; depth: number } | { kind: "open"; name: string; depth: number } | { kind: "close"; depth: number };
  // Iterative walk: namespaces are shallow in practice, but a hostile a.a.a... must not overflow.
  const stack: Step[] = [{ kind: "tree", tree: root, depth: 0 }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const pad = "  ".repeat(step.depth + 1);
    if (step.kind === "close") out.push(`${pad}end`);
    else if (step.kind === "open") out.push(`${pad}subgraph s${sub++}[${mermaidLabel(step.name)}]`);
    else {
      for (const n of step.tree.nodes) out.push(`${pad}${ids.get(n.name)}[${mermaidLabel(n.name)}]:::node`);
      const names = [...step.tree.children.keys()].sort(compareStrings).reverse();
      // Pushed in reverse so they pop in sorted order: open, contents, close.
      for (const name of names) {
        stack.push({ kind: "close", depth: step.depth });
        stack.push({ kind: "tree", tree: step.tree.children.get(name)!, depth: step.depth + 1 });
        stack.push({ kind: "open", name, depth: step.depth });
      }
    }
  }
  return out;
}

function unique(xs: readonly string[]): readonly string[] {
  return xs.length < 2 ? xs : [...new Set(xs)];
}
