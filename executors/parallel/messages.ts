// The plain-data messages between the main thread and a worker. What is the same for every node
// of a run (graph nodes, dataset configs, parameters, versions) goes once per worker as
// `workerData`; a task then carries only the node's name, attempt and memory input values.
import type { DatasetConfig, IRNode } from "../../compiler/types.js";
import type { NodeOutcome } from "../scheduler.js";

/** Run-constant data every worker of the pool receives once. */
export interface WorkerSetup {
  readonly root: string;
  /** The planned nodes by name. */
  readonly nodes: Readonly<Record<string, IRNode>>;
  /** Configs of the persisted datasets: workers load and save them themselves. */
  readonly datasets: Readonly<Record<string, DatasetConfig>>;
  /** Only the credentials entries those datasets reference. */
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly saveVersion: string;
  readonly loadVersions: Readonly<Record<string, string>>;
  /** Return loaded inputs and saved outputs too (hooks want them; costs a copy). */
  readonly wantData: boolean;
  /** One Int32 the main thread sets to 1 when the run is interrupted: running sql queries stop. */
  readonly interrupted: SharedArrayBuffer;
}

/** One attempt of one node, as posted to a worker. */
export interface WorkerTask {
  readonly name: string;
  readonly attempt: number;
  /** Memory inputs (dataset -> value); typed arrays arrive transferred or shared. */
  readonly memoryInputs: Record<string, unknown>;
  readonly memoryOutputNames: readonly string[];
  readonly keptOutputNames?: readonly string[];
  /** Return the content version of each saved output (incremental runs). */
  readonly versions?: boolean;
}

/** A RunSink call made inside a worker, replayed on the main thread with the task's result. */
export interface SinkCall {
  readonly method: "logMetric" | "logParam" | "setTag" | "logArtifact";
  readonly args: unknown[];
}

/** What a worker returns for a task: the scheduler's outcome plus what the node logged. */
export type WorkerResult = NodeOutcome & { readonly logs: readonly SinkCall[] };
