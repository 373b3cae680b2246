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

/**
 * Lines handed on in chunks of 8,192, each chunk as one string ending in "\n": a chunk's line
 * strings die young, and 50,000 line strings are never held until one final join.
 */
class LineSink {
  private lines: string[] = [];
  constructor(private readonly write: (text: string) => void) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length === 8192) this.flush();
  }
  /** Hands on the lines not yet written. */
  flush(): void {
    if (this.lines.length === 0) return;
    this.write(this.lines.join("\n") + "\n");
    this.lines = [];
  }
}

/** The Mermaid flowchart of `graph`. */
export function emitMermaid(graph: GraphIR, opts: MermaidOptions = {}): string {
  const parts: string[] = [];
  emitMermaidTo(graph, opts, (text) => parts.push(text));
  return parts.join("");
}

/** emitMermaid's text handed to `write` in order, in pieces of whole lines (for writing as it is made). */
export function emitMermaidTo(graph: GraphIR, opts: MermaidOptions, write: (text: string) => void): void {
  const withParams = opts.params !== false;
  // One map for datasets and parameter references: a dataset is never called "params:x".
  const ioId = new Map<string, string>();
  const out = new LineSink(write);
  out.push("flowchart LR");
  namespaceBlocks(graph.nodes, out);
  graph.datasets.forEach((d, i) => {
    const id = `d${i}`;
    ioId.set(d.name, id);
    const label = mermaidLabel(d.name);
    out.push(d.persistent ? `  ${id}[(${label})]:::persistent` : `  ${id}([${label}]):::memory`);
  });
  if (withParams) {
    graph.params.forEach((p, i) => {
      ioId.set(p, `p${i}`);
      out.push(`  p${i}{{${mermaidLabel(p)}}}:::param`);
    });
  }
  const nodes = graph.nodes;
  for (let i = 0; i < nodes.length; i++) nodeLinks(nodes[i], `n${i}`, ioId, out); // a node's id is its position

  out.push("  classDef node fill:#e8f0fe,stroke:#1a73e8,color:#0b2e6b");
  out.push("  classDef persistent fill:#e6f4ea,stroke:#188038,color:#0d3d1c");
  out.push("  classDef memory fill:#f1f3f4,stroke:#5f6368,color:#202124,stroke-dasharray: 4 3");
  out.push("  classDef param fill:#fef7e0,stroke:#b06000,color:#4d2a00");
  out.flush();
}

/** The links into and out of one node (a small function: optimised early, unlike one big loop). */
function nodeLinks(n: IRNode, id: string, ioId: Map<string, string>, out: LineSink): void {
  const ins = n.inputs;
  for (let k = 0; k < ins.length; k++) {
    const from = ioId.get(ins[k]);
    if (from === undefined || (k > 0 && ins.indexOf(ins[k]) !== k)) continue;
    out.push(from.charCodeAt(0) === 112 ? `  ${from} -.-> ${id}` : `  ${from} --> ${id}`); // 112 = "p"
  }
  const outs = n.outputs;
  for (let k = 0; k < outs.length; k++) {
    const to = ioId.get(outs[k]);
    if (to !== undefined && (k === 0 || outs.indexOf(outs[k]) === k)) out.push(`  ${id} --> ${to}`);
  }
}

interface NsTree {
  readonly children: Map<string, NsTree>;
  /** Positions in the node list. */
  readonly nodes: number[];
}

/** Node rectangles, nested in one subgraph per namespace segment (a.b -> a { b { ... } }). */
function namespaceBlocks(nodes: readonly IRNode[], out: LineSink): void {
  const root: NsTree = { children: new Map(), nodes: [] };
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    let t = root;
    if (n.namespace) {
      const segs = n.namespace.split(".");
      for (let k = 0; k < segs.length; k++) {
        let c = t.children.get(segs[k]);
        if (!c) t.children.set(segs[k], (c = { children: new Map(), nodes: [] }));
        t = c;
      }
    }
    t.nodes.push(i);
  }
  let sub = 0;
  type Step =
    | { kind: "tree"; tree: NsTree; depth: number }
    | { kind: "open"; name: string; depth: number }
    | { kind: "close"; depth: number };
  // Iterative walk: namespaces are shallow in practice, but a hostile a.a.a... must not overflow.
  const stack: Step[] = [{ kind: "tree", tree: root, depth: 0 }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const pad = "  ".repeat(step.depth + 1);
    if (step.kind === "close") out.push(`${pad}end`);
    else if (step.kind === "open") out.push(`${pad}subgraph s${sub++}[${mermaidLabel(step.name)}]`);
    else {
      const list = step.tree.nodes;
      for (let k = 0; k < list.length; k++) out.push(`${pad}n${list[k]}[${mermaidLabel(nodes[list[k]].name)}]:::node`);
      const names = [...step.tree.children.keys()].sort(compareStrings).reverse();
      // Pushed in reverse so they pop in sorted order: open, contents, close.
      for (const name of names) {
        stack.push({ kind: "close", depth: step.depth });
        stack.push({ kind: "tree", tree: step.tree.children.get(name)!, depth: step.depth + 1 });
        stack.push({ kind: "open", name, depth: step.depth });
      }
    }
  }
}
