// Hooks, in Kedro's vocabulary. All optional; always called on the main thread, for every
// executor, with the same arguments. Listed as modules under `hooks:` in mlc.yml.
import type { IRNode } from "../compiler/types.js";
import type { ErrorInfo } from "../runs/record.js";
import type { RunResult } from "../executors/executor.js";

/** What hooks learn about the run. */
export interface RunInfo {
  readonly runId: string;
  readonly pipeline: string;
  readonly executor: string;
  readonly env: string;
  readonly root: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly nodes: readonly string[];
}

type Maybe<T> = T | Promise<T>;

export interface Hooks {
  beforePipelineRun?(info: RunInfo): Maybe<void>;
  afterPipelineRun?(info: RunInfo, result: RunResult): Maybe<void>;
  onPipelineError?(info: RunInfo, error: ErrorInfo): Maybe<void>;
  beforeNodeRun?(node: IRNode, inputs: Readonly<Record<string, unknown>>, info: RunInfo): Maybe<void>;
  afterNodeRun?(
    node: IRNode,
    inputs: Readonly<Record<string, unknown>>,
    outputs: Readonly<Record<string, unknown>>,
    info: RunInfo,
  ): Maybe<void>;
  onNodeError?(node: IRNode, error: ErrorInfo, inputs: Readonly<Record<string, unknown>>, info: RunInfo): Maybe<void>;
  afterDatasetLoaded?(dataset: string, data: unknown, node: string): Maybe<void>;
  afterDatasetSaved?(dataset: string, data: unknown, node: string): Maybe<void>;
}
