// Partial runs that cannot work, refused before they start (Kedro's "Pipeline input(s) not found"):
// a selected node reads a memory dataset whose producer the selection leaves out, so it has no
// value in this run. The same search gives the nearest selection that can work, which is also
// what a failed run suggests to resume with: every suggestion is checked by selecting it.
import { CompileContext, MlcError } from "../compiler/diagnostics.js";
import { isEmptySelection, selectGraph } from "../compiler/select.js";
import type { CompiledProject, GraphIR, SelectionSpec } from "../compiler/types.js";
import { isParamInput } from "./datasets.js";
import { ephemeral, nodesToRun, resumeNodes, resumeSelection, runCommand, type CommandFlags } from "./resume.js";

/** A memory (or run-scoped) input of the selection and the unselected node that produces it. */
export interface MissingInput {
  readonly dataset: string;
  readonly producer: string;
}

/** A selection that runs the wanted nodes, and the nodes it starts from (its --from-nodes, else its --nodes). */
export interface WorkingSelection {
  readonly selection: SelectionSpec;
  readonly nodes: readonly string[];
}

/** Inputs of `selected` that hold no value in a run of it: ephemeral, produced in `graph` by an unselected node. */
export function missingInputs(graph: GraphIR, selected: GraphIR): MissingInput[] {
  const producer = new Map<string, string>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n.name);
  const inRun = new Set(selected.nodes.map((n) => n.name));
  const gone = ephemeral(graph);
  const out = new Map<string, string>();
  for (const n of selected.nodes)
    for (const i of n.inputs) {
      const p = isParamInput(i) || !gone.has(i) ? undefined : producer.get(i);
      if (p !== undefined && !inRun.has(p)) out.set(i, p);
    }
  return [...out].sort(([a], [b]) => (a < b ? -1 : 1)).map(([dataset, p]) => ({ dataset, producer: p }));
}

/**
 * The nearest selection that runs every node of `wanted` with each memory input produced in the
 * run: `original` with --from-nodes moved up to the nearest persisted inputs (Kedro's suggestion),
 * else `--nodes` of exactly what must run; null when neither selects a runnable set.
 */
export function workingSelection(
  graph: GraphIR,
  original: SelectionSpec,
  wanted: ReadonlySet<string>,
): WorkingSelection | null {
  const completed = new Set(graph.nodes.filter((n) => !wanted.has(n.name)).map((n) => n.name));
  const needed = nodesToRun(graph, completed);
  if (needed.size === 0) return null;
  const from = resumeNodes(graph, completed);
  const byFrom = resumeSelection(original, from);
  if (runs(graph, byFrom, needed)) return { selection: byFrom, nodes: from };
  const nodes = [...needed].sort();
  const byNodes: SelectionSpec = original.pipeline ? { pipeline: original.pipeline, nodes } : { nodes };
  return runs(graph, byNodes, needed) ? { selection: byNodes, nodes } : null;
}

/** True when `sel` selects every node of `needed` and leaves no input without a value. */
function runs(graph: GraphIR, sel: SelectionSpec, needed: ReadonlySet<string>): boolean {
  const ctx = new CompileContext("");
  const selected = selectGraph(graph, sel, ctx);
  if (ctx.hasErrors()) return false;
  const names = new Set(selected.nodes.map((n) => n.name));
  return [...needed].every((n) => names.has(n)) && missingInputs(graph, selected).length === 0;
}

/** MLC4007 when the selected run cannot get its memory inputs (naming them and the command that can work), else null. */
export function partialRunError(
  project: CompiledProject,
  selection: SelectionSpec,
  flags: CommandFlags = {},
): MlcError | null {
  if (isEmptySelection(selection) && project.selected === project.graph) return null;
  const missing = missingInputs(project.graph, project.selected);
  if (missing.length === 0) return null;
  const what = missing.map((m) => `"${m.dataset}" (produced by "${m.producer}")`).join(", ");
  const fix = workingSelection(project.graph, selection, new Set(project.selected.nodes.map((n) => n.name)));
  const one = missing.length === 1;
  const next = fix
    ? `; run ${one ? "its producer" : "their producers"} too: ${runCommand(fix.selection, flags)}`
    : `; give ${one ? "it" : "them"} a persistent catalog entry (e.g. type: json) so a run can load ${one ? "it" : "them"}`;
  return new MlcError(
    "MLC4007",
    `the selection needs memory dataset${one ? "" : "s"} ${what}, not selected: a memory dataset has no value outside the run that produces it${next}`,
  );
}
