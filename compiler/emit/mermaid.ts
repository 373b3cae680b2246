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
  const nodeId = new Map<string, string>();
  graph.nodes.forEach((n, i) => nodeId.set(n.name, `n${i}`));
  // One map for datasets and parameter references: a dataset is never called "params:x".
  const ioId = new Map<string, string>();
  const lines = ["flowchart LR"];
  // Appended one by one: spreading 100,000 lines into push() would hit the argument limit.
  for (const l of namespaceBlocks(graph.nodes, nodeId)) lines.push(l);
  graph.datasets.forEach((d, i) => {
    const id = `d${i}`;
    ioId.set(d.name, id);
    const label = mermaidLabel(d.name);
    lines.push(d.persistent ? `  ${id}[(${label})]:::persistent` : `  ${id}([${label}]):::memory`);
  });
  if (withParams) {
    graph.params.forEach((p, i) => {
      ioId.set(p, `p${i}`);
      lines.push(`  p${i}{{${mermaidLabel(p)}}}:::param`);
    });
  }
  for (const n of graph.nodes) {
    const id = nodeId.get(n.name)!;
    const ins = n.inputs;
    for (let k = 0; k < ins.length; k++) {
      const from = ioId.get(ins[k]);
      if (from === undefined || (k > 0 && ins.indexOf(ins[k]) !== k)) continue;
      lines.push(from.charCodeAt(0) === 112 ? `  ${from} -.-> ${id}` : `  ${from} --> ${id}`); // 112 = "p"
    }
    const outs = n.outputs;
    for (let k = 0; k < outs.length; k++) {
      const to = ioId.get(outs[k]);
      if (to !== undefined && (k === 0 || outs.indexOf(outs[k]) === k)) lines.push(`  ${id} --> ${to}`);
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
