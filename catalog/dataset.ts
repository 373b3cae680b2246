// The Dataset interface (Kedro's AbstractDataset, in TypeScript) and what a dataset is built from.
import type { DatasetConfig } from "../compiler/types.js";
import type { DatasetFiles } from "./storage/files.js";
import type { RunSink } from "../tracking/sink.js";

/** One dataset: loads and saves one value. `describe()` never contains secrets. */
export interface Dataset<T = unknown> {
  load(): Promise<T>;
  save(data: T): Promise<void>;
  exists(): Promise<boolean>;
  release?(): Promise<void>;
  describe(): Record<string, unknown>;
  /**
   * The content version of what `load()` would read (incremental runs, SPEC section 9), null when
   * there is nothing to read. A type without it always counts as changed.
   */
  version?(): Promise<string | null>;
}

/** Everything a dataset type needs to build one instance. Plain data except `sink` and `files`. */
export interface DatasetContext {
  /** Dataset name as used in the pipeline. */
  readonly name: string;
  /** Absolute project root: relative file paths resolve against it. */
  readonly root: string;
  readonly config: DatasetConfig;
  /** The credentials.yml entry named by `config.credentials`, resolved; never log it. */
  readonly credentials?: unknown;
  /** Version to load (`--load-versions`), else the latest. */
  readonly loadVersion?: string;
  /** Version every versioned dataset of this run saves under (one per run, sortable timestamp). */
  readonly saveVersion: string;
  /** Where mlflow.* datasets send metrics and artifacts (the current run). */
  readonly sink: RunSink;
  /** Local, s3:// and http(s):// files with this dataset's credentials (custom datasets use it). */
  readonly files?: DatasetFiles;
}

/** A dataset type: a factory from context to instance. Registered by name in registry.ts. */
export type DatasetType = (ctx: DatasetContext) => Dataset | Promise<Dataset>;
