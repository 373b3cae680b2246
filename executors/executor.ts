// The Executor interface and the data it consumes and produces. Executors share one scheduler
// (executors/scheduler.ts) and differ only in how they run one node.
import type { CompiledProject, GraphIR, IRNode } from "../compiler/types.js";
import type { ErrorInfo, NodeRecord, RunStatus } from "../runs/record.js";
import type { RunSink } from "../tracking/sink.js";
import type { Hooks } from "../hooks/hooks.js";
import type { CacheSession } from "../cache/session.js";

/** What will run, decided before anything runs: plain data. */
export interface RunPlan {
  /** The selected graph. */
  readonly graph: GraphIR;
  /** Node names to run, in topological order (ties by name). */
  readonly order: readonly string[];
  /** For each memory dataset: how many planned nodes consume it (released after the last). */
  readonly releaseCounts: Readonly<Record<string, number>>;
  /** Datasets read by planned nodes but produced by none of them: loaded from the catalog. */
  readonly freeInputs: readonly string[];
}

/** A run in progress: what an executor may touch. */
export interface RunContext {
  readonly runId: string;
  readonly project: CompiledProject;
  /** Version every versioned dataset of this run saves under. */
  readonly saveVersion: string;
  /** `--load-versions`: dataset -> version. */
  readonly loadVersions: Readonly<Record<string, string>>;
  /** `--params` as given (a distributed worker compiles the same parameters from them). */
  readonly runtimeParams?: Readonly<Record<string, unknown>>;
  /** Hooks, called on the main thread for every executor (all methods optional). */
  readonly hooks: Hooks;
  /** The run's sink: run record + MLflow mirror. */
  readonly sink: RunSink;
  /** Aborted on SIGINT/SIGTERM: start no new node; the run ends `interrupted`. */
  readonly signal: AbortSignal;
  readonly maxWorkers?: number;
  /** Named pipeline being run (for hooks and records); default "__default__". */
  readonly pipeline?: string;
  /** Progress and record updates (node start/end). */
  readonly onEvent: (event: RunEvent) => void;
  /**
   * Races a node's in-thread work against stray exceptions (a throw in its setTimeout callback, a
   * dropped rejection), which then fail that node; set by runCompiled (executors/strays.ts).
   */
  readonly guard?: <T>(node: string, work: Promise<T>) => Promise<T>;
  /** Incremental runs (cache/): the scheduler skips up-to-date nodes; absent, every node runs. */
  readonly cache?: CacheSession;
}

export type RunEvent =
  | {
      readonly type: "node-start";
      readonly node: string;
      readonly attempt: number;
      readonly index: number;
      readonly total: number;
    }
  | { readonly type: "node-end"; readonly record: NodeRecord; readonly index: number; readonly total: number }
  | { readonly type: "node-retry"; readonly node: string; readonly attempt: number; readonly error: ErrorInfo };

export interface RunResult {
  readonly status: Exclude<RunStatus, "running">;
  /** One record per planned node, in plan order. */
  readonly nodes: readonly NodeRecord[];
  /** The first failure, when status is failed. */
  readonly error?: ErrorInfo & { readonly node?: string };
}

/** Runs a plan. Implementations: sequential, parallel. */
export interface Executor {
  readonly name: string;
  run(plan: RunPlan, ctx: RunContext): Promise<RunResult>;
}

export type { IRNode };
