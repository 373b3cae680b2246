// Kedro's resume suggestion. From the nodes that did not complete, walk up to the nearest
// ancestors whose inputs are all persisted (memory datasets do not survive a run, so their
// producers must run again; `params:` never count), then keep the first topological generation
// of everything that has to run: those are the `--from-nodes` of the command to resume with.
import type { GraphIR, IRNode, SelectionSpec } from "../compiler/types.js";
import { isParamInput, memoryDatasets } from "./datasets.js";

/** Datasets whose values are gone after a run: memory ones and metrics only mirrored to MLflow. */
export function ephemeral(graph: GraphIR): Set<string> {
  const out = memoryDatasets({ graph, order: [], releaseCounts: {}, freeInputs: [] });
  for (const d of graph.datasets) if (d.type === "mlflow.metric" || d.type === "mlflow.metrics") out.add(d.name);
  return out;
}

/** The node names to pass to `--from-nodes` so that every node of `graph` not in `completed` runs. Sorted; [] when nothing is left. */
export function resumeNodes(graph: GraphIR, completed: ReadonlySet<string>): string[] {
  const toRun = nodesToRun(graph, completed);
  return toRun.size === 0 ? [] : firstGeneration(graph, downstream(graph, toRun));
}

/** The nodes not in `completed` plus the producers of the memory datasets they need, walking up. */
export function nodesToRun(graph: GraphIR, completed: ReadonlySet<string>): Set<string> {
  const unfinished = graph.nodes.filter((n) => !completed.has(n.name));
  if (unfinished.length === 0) return new Set();
  const producer = new Map<string, IRNode>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const unfinishedOutputs = new Set(unfinished.flatMap((n) => n.outputs));
  const gone = ephemeral(graph);
  // Kedro: start from the unfinished nodes that read something from outside the unfinished set.
  const queue = unfinished.filter((n) => n.inputs.some((i) => !unfinishedOutputs.has(i)));
  const visited = new Set(queue.map((n) => n.name));
  const toRun = new Set(unfinished.map((n) => n.name));
  while (queue.length > 0) {
    const node = queue.shift()!;
    toRun.add(node.name);
    for (const input of node.inputs) {
      if (isParamInput(input) || !gone.has(input)) continue;
      const p = producer.get(input);
      if (p && !visited.has(p.name)) {
        visited.add(p.name);
        queue.push(p);
      }
    }
  }
  return toRun;
}

/** `names` and everything downstream of them (Kedro's from_nodes). */
function downstream(graph: GraphIR, names: ReadonlySet<string>): Set<string> {
  const consumers = new Map<string, string[]>();
  for (const e of graph.edges) (consumers.get(e.from) ?? consumers.set(e.from, []).get(e.from)!).push(e.to);
  const out = new Set(names);
  const stack = [...names];
  while (stack.length > 0) {
    for (const c of consumers.get(stack.pop()!) ?? []) {
      if (out.has(c)) continue;
      out.add(c);
      stack.push(c);
    }
  }
  return out;
}

/** Nodes of `names` that no other node of `names` feeds, sorted. */
function firstGeneration(graph: GraphIR, names: ReadonlySet<string>): string[] {
  const fed = new Set<string>();
  for (const e of graph.edges) if (names.has(e.from) && names.has(e.to) && e.from !== e.to) fed.add(e.to);
  return [...names].filter((n) => !fed.has(n)).sort();
}

const FLAGS: readonly [keyof SelectionSpec, string][] = [
  ["pipeline", "--pipeline"],
  ["nodes", "--nodes"],
  ["from_nodes", "--from-nodes"],
  ["to_nodes", "--to-nodes"],
  ["from_inputs", "--from-inputs"],
  ["to_outputs", "--to-outputs"],
  ["tags", "--tags"],
  ["namespaces", "--namespaces"],
];

/** What a resumed run selects: the original selection with `from_nodes` replaced by the suggestion. */
export function resumeSelection(original: SelectionSpec, nodes: readonly string[]): SelectionSpec {
  // The suggestion may lie upstream of the original from_nodes (a memory input's producer): replaced, not intersected.
  return { ...original, from_nodes: [...nodes] };
}

/** The command line to resume with: `mlc run [FILE] [--project P] [--env E] [--params ..] <selection> --from-nodes a,b`. */
export function resumeCommand(selection: SelectionSpec, nodes: readonly string[], extra: CommandFlags = {}): string {
  return runCommand(resumeSelection(selection, nodes), extra);
}

/** What a suggested command repeats besides the selection: the pipeline file given, and flags. */
export type CommandFlags = {
  pipeline?: string;
  catalog?: string;
  project?: string;
  env?: string;
  params?: string;
  executor?: string;
};

/** The command line that runs `sel`: `mlc run [FILE [--catalog C]] [--project P] [--env E] [--params ..] <selection>`. */
export function runCommand(sel: SelectionSpec, extra: CommandFlags = {}): string {
  const parts = ["mlc", "run"];
  if (extra.pipeline) parts.push(quote(extra.pipeline));
  if (extra.pipeline && extra.catalog) parts.push("--catalog", quote(extra.catalog));
  if (extra.project) parts.push("--project", quote(extra.project));
  if (extra.env) parts.push("--env", quote(extra.env));
  if (extra.executor && extra.executor !== "sequential") parts.push("--executor", quote(extra.executor));
  if (extra.params) parts.push("--params", quote(extra.params));
  for (const [key, flag] of FLAGS) {
    const v = sel[key];
    if (v === undefined) continue;
    const s = Array.isArray(v) ? v.join(",") : String(v);
    if (s !== "") parts.push(flag, quote(s));
  }
  return parts.join(" ");
}

/** Quotes a shell word when it holds anything but safe characters. */
export function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
