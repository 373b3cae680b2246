// What a BullMQ job of a distributed run carries and returns: plain JSON, small. Values travel by
// reference (values.ts); the worker compiles its own checkout for everything else, so credentials
// never pass through Redis.
import type { ErrorInfo } from "../../runs/record.js";
import type { SinkCall } from "../sink-calls.js";
import type { ValueRef } from "./values.js";

/** The code a node runs, as the coordinator sees it: the worker refuses a job when its own differs (MLC5006). */
export interface CodeCheck {
  /** Digest of the node's definition (func, inputs, outputs, bindings, sql). */
  readonly definition: string;
  /** Project-relative source file -> content version, and package -> locked version (cache/fingerprint.ts). */
  readonly files: Readonly<Record<string, string>>;
  readonly packages: Readonly<Record<string, string>>;
}

/** One attempt of one node. */
export interface JobData {
  readonly runId: string;
  readonly node: string;
  readonly attempt: number;
  /** What the worker compiles: the run's env and `--params`. */
  readonly env: string;
  readonly runtimeParams: Readonly<Record<string, unknown>>;
  readonly saveVersion: string;
  readonly loadVersions: Readonly<Record<string, string>>;
  readonly code: CodeCheck;
  /** The node's memory inputs (dataset -> stored value set holding it under the same name). */
  readonly inputs: Readonly<Record<string, ValueRef>>;
  readonly memoryOutputNames: readonly string[];
  readonly keptOutputNames?: readonly string[];
  readonly versions?: boolean;
  /** Return loaded inputs and saved outputs too (the coordinator's hooks want them). */
  readonly wantData: boolean;
}

/** How a job ended on the worker. `values` holds memoryOutputs, loaded and saved, stored as one set. */
export type JobOutcome =
  | {
      readonly ok: true;
      readonly values: ValueRef;
      readonly versions?: Record<string, string | null | undefined>;
    }
  | { readonly ok: false; readonly error: ErrorInfo };

/** What the worker returns. */
export type JobResult = JobOutcome & {
  /** `host-pid` of the worker, for messages. */
  readonly worker: string;
  readonly logs: readonly SinkCall[];
  readonly durationMs: number;
};
