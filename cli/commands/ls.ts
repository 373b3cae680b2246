// `mlc ls [--json]`: the selected nodes in topological order (ties by name) with their inputs,
// outputs and tags (SPEC 5).
import { compileProject } from "../../compiler/compile.js";
import { compareStrings, topoOrder } from "../../compiler/toposort.js";
import type { GraphIR, IRNode } from "../../compiler/types.js";
import { EXIT } from "../exit.js";
import { compileOptionsFromFlags, type CommonFlags, type SelectionFlags } from "../project.js";
import { printDiagnostics } from "./print-diagnostics.js";
import { table } from "./table.js";

/** The nodes of `graph` in topological order, ties broken by name. */
export function orderedNodes(graph: GraphIR): IRNode[] {
  const names = graph.nodes.map((n) => n.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const succ: number[][] = names.map(() => []);
  for (const e of graph.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from !== undefined && to !== undefined) succ[from].push(to);
  }
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  return topoOrder({ names, succ }).map((n) => byName.get(n)!);
}

/** `mlc ls` flags (see cli/main.ts). */
export type LsFlags = CommonFlags & SelectionFlags & { json?: boolean };

/** Lists the selected nodes; exit 1 when the project is invalid. */
export default async function ls(opts: LsFlags, args: string[]): Promise<number> {
  const copts = await compileOptionsFromFlags(opts, args[0], { checkFuncs: false });
  const { project, diagnostics, ctx } = await compileProject(copts);
  printDiagnostics(diagnostics, ctx, opts);
  if (!project) return EXIT.invalid;
  const nodes = orderedNodes(project.selected).map((n) => ({
    name: n.name,
    func: n.func,
    inputs: [...n.inputs],
    outputs: [...n.outputs],
    tags: [...n.tags].sort(compareStrings),
    namespace: n.namespace,
  }));
  if (opts.json) {
    process.stdout.write(JSON.stringify({ nodes }, null, 2) + "\n");
    return EXIT.ok;
  }
  const rows = nodes.map((n) => [n.name, n.inputs.join(", "), n.outputs.join(", "), n.tags.join(", ")]);
  process.stdout.write(table(["NODE", "INPUTS", "OUTPUTS", "TAGS"], rows));
  return EXIT.ok;
}
