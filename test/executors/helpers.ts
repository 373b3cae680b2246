// Hand-built graphs and contexts for executor unit tests (plain data, as the compiler emits it).
import type { CompiledProject, DatasetConfig, GraphIR, IRDataset, IRNode } from "../../compiler/types.js";
import type { RunContext, RunEvent } from "../../executors/executor.js";
import type { Hooks } from "../../hooks/hooks.js";
import { NULL_SINK } from "../../tracking/sink.js";

/** A node; inputs/outputs as lists unless `single` is given. */
export function node(name: string, inputs: string[], outputs: string[], extra: Partial<IRNode> = {}): IRNode {
  return {
    name,
    baseName: name,
    func: `src/nodes.ts#${name}`,
    inputs,
    inputMode: inputs.length === 0 ? "none" : "list",
    outputs,
    outputMode: outputs.length === 0 ? "none" : outputs.length === 1 ? "single" : "list",
    tags: [],
    namespace: null,
    retries: 0,
    timeoutMs: null,
    source: { file: "pipeline.yml", line: 1 },
    ...extra,
  };
}

/** A graph over `nodes`; datasets in `persisted` are json files, every other one memory. */
export function graph(nodes: IRNode[], persisted: Record<string, DatasetConfig> = {}): GraphIR {
  const names = new Set(
    nodes.flatMap((n) => [...n.inputs, ...n.outputs]).filter((d) => !d.startsWith("params:") && d !== "parameters"),
  );
  const datasets: IRDataset[] = [...names].sort().map((name) => {
    const config = persisted[name] ?? { type: "memory" };
    return {
      name,
      type: config.type,
      persistent: config.type !== "memory",
      layer: null,
      filepath: (config.filepath as string) ?? null,
      config,
    };
  });
  const producer = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n.name] as const)));
  const edges = nodes.flatMap((n) =>
    n.inputs.filter((i) => producer.has(i)).map((i) => ({ from: producer.get(i)!, to: n.name, dataset: i })),
  );
  return {
    irVersion: 1,
    name: "test",
    nodes: [...nodes].sort((a, b) => (a.name < b.name ? -1 : 1)),
    datasets,
    params: [],
    edges,
    layers: [],
    pipelines: { __default__: nodes.map((n) => n.name).sort() },
  };
}

/** A RunContext for `g`, collecting events. */
export function context(
  g: GraphIR,
  over: Partial<RunContext> & { root?: string; parameters?: Record<string, unknown> } = {},
): RunContext & { events: RunEvent[] } {
  const events: RunEvent[] = [];
  const project: CompiledProject = {
    root: over.root ?? "/tmp",
    env: "local",
    graph: g,
    selected: g,
    parameters: over.parameters ?? {},
    credentials: {},
    mlflow: null,
    hooks: [],
  };
  return {
    runId: "test-run",
    project,
    saveVersion: "v1",
    loadVersions: {},
    hooks: {} as Hooks,
    sink: NULL_SINK,
    signal: new AbortController().signal,
    onEvent: (e) => events.push(e),
    ...over,
    events,
  };
}
