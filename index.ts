// The public API of `mlc-pipelines`. Kept light: node code imports it for logging, so everything
// heavy (compiler, catalog, executors) is loaded only when `runProject` is called.
import type { RunOptions, RunOutcome } from "./executors/run-project.js";

export { logArtifact, logMetric, logMetrics, logParam, setTag } from "./tracking/log-api.js";
export { nodeSignal, currentNode, type NodeContext } from "./executors/node-context.js";
export { currentSink, installSink, NULL_SINK, type RunSink } from "./tracking/sink.js";

export type { Dataset, DatasetContext, DatasetType } from "./catalog/dataset.js";
export type { Hooks, RunInfo } from "./hooks/hooks.js";
export type { RunRecord, NodeRecord, ErrorInfo, MetricPoint, RunStatus, NodeStatus } from "./runs/record.js";
export type { Executor, RunPlan, RunContext, RunEvent, RunResult } from "./executors/executor.js";
export type { NodeRunner, NodeTask, NodeOutcome } from "./executors/scheduler.js";
export type {
  CompiledProject,
  CompileOptions,
  DatasetConfig,
  GraphIR,
  IRNode,
  IRDataset,
  SelectionSpec,
} from "./compiler/types.js";
export type { RunOptions, RunOutcome } from "./executors/run-project.js";

/** Compiles and runs a project as `mlc run` does (run record included); see RunOptions. */
export async function runProject(opts: RunOptions): Promise<RunOutcome> {
  return (await import("./executors/run-project.js")).runProject(opts);
}

export type { OpenedProject, OpenProjectOptions } from "./executors/open-project.js";

/** A project's catalog, params and pipelines, with `run` and an in-memory `runPipeline` (as `mlc repl`). */
export async function openProject(
  dir: string,
  options?: import("./executors/open-project.js").OpenProjectOptions,
): Promise<import("./executors/open-project.js").OpenedProject> {
  return (await import("./executors/open-project.js")).openProject(dir, options);
}
