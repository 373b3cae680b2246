// The plain-data messages between the main thread and a worker. A task carries everything a
// worker needs (node, dataset configs, input values, a port for logging); a result carries the
// memory outputs (transferred, not copied) or an error as {code, message, stack}.
import type { DatasetConfig, IRNode } from "../../compiler/types.js";
import type { ErrorInfo } from "../../tracking/run-record.js";
import type { MessagePort } from "node:worker_threads";

/** One attempt of one node, as posted to a worker. */
export interface WorkerTask {
  readonly root: string;
  readonly node: IRNode;
  readonly attempt: number;
  /** Memory inputs (dataset -> value); typed arrays arrive transferred or shared. */
  readonly memoryInputs: Record<string, unknown>;
  readonly memoryOutputNames: readonly string[];
  /** Configs of the node's persisted inputs and outputs: the worker loads and saves them itself. */
  readonly datasets: Readonly<Record<string, DatasetConfig>>;
  /** Only the credentials entries those datasets reference. */
  readonly credentials: Readonly<Record<string, unknown>>;
  /** Values of the node's parameter inputs, keyed as written ("params:x", "parameters"). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly saveVersion: string;
  readonly loadVersions: Readonly<Record<string, string>>;
  /** Return loaded inputs and saved outputs too (hooks want them; costs a copy). */
  readonly wantData: boolean;
  /** Sink calls (logMetric, ...) are posted here; the main thread relays them to the run. */
  readonly port: MessagePort;
}

/** What a worker returns for a task. */
export type WorkerResult =
  | {
      readonly ok: true;
      readonly memoryOutputs: Record<string, unknown>;
      readonly loaded?: Record<string, unknown>;
      readonly saved?: Record<string, unknown>;
      readonly durationMs: number;
    }
  | { readonly ok: false; readonly error: ErrorInfo; readonly durationMs: number };

/** A RunSink call relayed from a worker. */
export interface SinkMessage {
  readonly type: "sink";
  readonly method: "logMetric" | "logParam" | "setTag" | "logArtifact";
  readonly args: unknown[];
}
