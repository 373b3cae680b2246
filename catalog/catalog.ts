// The DataCatalog of one run: names -> datasets, built lazily on first use (so a run touching two
// CSV files never imports the parquet code). Every error leaving it carries MLC6001 (load) or
// MLC6002 (save), names the dataset, and has credential values scrubbed out.
import { inspect } from "node:util";
import { MlcError } from "../compiler/diagnostics.js";
import type { DatasetConfig } from "../compiler/types.js";
import type { RunSink } from "../tracking/sink.js";
import type { Dataset, DatasetContext } from "./dataset.js";
import { MemoryDataset } from "./datasets/memory.js";
import { isPersistentConfig, resolveDatasetType } from "./registry.js";
import { secretStrings, scrubText } from "./secrets.js";
import { datasetFiles } from "./storage/files.js";
import { isVersionAware } from "./versioning.js";

export { newSaveVersion } from "./versioning.js";

/** What a DataCatalog is built from (all plain data except `sink`). */
export interface DataCatalogOptions {
  readonly root: string;
  readonly datasets: Readonly<Record<string, DatasetConfig>>;
  /** credentials.yml, resolved: entry name -> value. Values never appear in messages. */
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly saveVersion: string;
  readonly loadVersions?: Readonly<Record<string, string>>;
  readonly sink: RunSink;
}

type Op = "load" | "save";

/** Datasets of one run by name; names without a catalog entry are memory datasets. */
export class DataCatalog {
  private readonly built = new Map<string, Dataset>();
  private readonly building = new Map<string, Promise<Dataset>>();
  private readonly secrets: string[];

  constructor(private readonly opts: DataCatalogOptions) {
    this.secrets = secretStrings(opts.credentials);
  }

  /** Loads a dataset's value (MLC6001 on failure). */
  async load(name: string): Promise<unknown> {
    return this.use(name, "load", (ds) => ds.load());
  }

  /** Saves `data` (MLC6002 on failure; `undefined` is refused, it is almost always a missing return). */
  async save(name: string, data: unknown): Promise<void> {
    if (data === undefined) {
      throw new MlcError("MLC6002", `node returned undefined for dataset "${name}"`, {
        dataset: name,
        hint: "return a value from the node function (null is allowed)",
      });
    }
    await this.use(name, "save", (ds) => ds.save(data));
  }

  /** True when the dataset has data to load (a file exists, a memory value was saved). */
  async exists(name: string): Promise<boolean> {
    return this.use(name, "load", (ds) => ds.exists());
  }

  /** Runs `op` on the (lazily built) dataset; any failure becomes MLC6001 (load) or MLC6002 (save). */
  private async use<T>(name: string, op: "load" | "save", fn: (ds: Dataset) => Promise<T>): Promise<T> {
    const ds = this.built.get(name) ?? (await this.dataset(name, op));
    try {
      return await fn(ds);
    } catch (err) {
      throw this.coded(err, name, op);
    }
  }

  /** The dataset's content version (null: no data; undefined: its type has no version()). */
  async version(name: string): Promise<string | null | undefined> {
    return this.use(name, "load", (ds) => (ds.version ? ds.version() : Promise.resolve(undefined)));
  }

  /** Frees what the dataset holds (memory values after their last consumer). Never builds one. */
  async release(name: string): Promise<void> {
    const ds = this.built.get(name);
    if (ds?.release) await ds.release();
  }

  /** The dataset's configuration and type details for display: never credentials. */
  describe(name: string): Record<string, unknown> {
    const config = this.opts.datasets[name];
    if (!config) return { name, type: "memory" };
    const ds = this.built.get(name);
    const shown = ds ? { ...publicConfig(config), ...ds.describe() } : publicConfig(config);
    return JSON.parse(this.scrub(JSON.stringify({ name, ...shown }))) as Record<string, unknown>;
  }

  /** True when the dataset's data outlives the run (files, custom stores), false for memory/metrics. */
  isPersistent(name: string): boolean {
    const config = this.opts.datasets[name];
    return config ? isPersistentConfig(config) : false;
  }

  /** The version this run loaded or saved for a versioned dataset, else null. */
  versionOf(name: string): string | null {
    const ds = this.built.get(name);
    return ds && isVersionAware(ds) ? ds.versionUsed() : null;
  }

  /** The catalog entry of `name`, or undefined for implicit memory. */
  configOf(name: string): DatasetConfig | undefined {
    return this.has(name) ? this.opts.datasets[name] : undefined;
  }

  /** True when `name` has a catalog entry (everything else is implicit memory). */
  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.opts.datasets, name);
  }

  /** Builds (once) the dataset behind `name`; build failures are coded for the operation asked. */
  private async dataset(name: string, op: Op): Promise<Dataset> {
    const done = this.built.get(name);
    if (done) return done;
    const config = this.has(name) ? this.opts.datasets[name] : undefined;
    if (!config || config.type === "memory") {
      const mem = new MemoryDataset(name);
      this.built.set(name, mem);
      return mem;
    }
    let p = this.building.get(name);
    if (!p) {
      p = this.build(name, config);
      this.building.set(name, p);
    }
    try {
      const ds = await p;
      this.built.set(name, ds);
      return ds;
    } catch (err) {
      this.building.delete(name);
      throw this.coded(err, name, op);
    }
  }

  private async build(name: string, config: DatasetConfig): Promise<Dataset> {
    const type = await resolveDatasetType(config.type, this.opts.root);
    return type(this.contextFor(name, config));
  }

  /** The DatasetContext of one entry (mlflow.artifact and partitioned build nested ones from it). */
  contextFor(name: string, config: DatasetConfig): DatasetContext {
    const o = this.opts;
    // A wrapper (mlflow.artifact, partitioned) passes its context on: a wrapped dataset's own
    // credentials serve it when the wrapper names none.
    const inner = config.dataset as DatasetConfig | undefined;
    const credName = config.credentials ?? (typeof inner === "object" ? inner?.credentials : undefined);
    if (credName !== undefined && !Object.prototype.hasOwnProperty.call(o.credentials, credName)) {
      throw new MlcError("MLC3005", `dataset "${name}": unknown credentials name "${credName}"`, { dataset: name });
    }
    return {
      name,
      root: o.root,
      config,
      ...(credName !== undefined ? { credentials: o.credentials[credName] } : {}),
      ...(o.loadVersions?.[name] !== undefined ? { loadVersion: o.loadVersions[name] } : {}),
      saveVersion: o.saveVersion,
      sink: o.sink,
      files: datasetFiles(o.root, credName !== undefined ? o.credentials[credName] : undefined),
    };
  }

  /** A coded, scrubbed error for a failed `op` on `name`; no stack or cause that could hold secrets. */
  private coded(err: unknown, name: string, op: Op): MlcError {
    const fallback = op === "load" ? "MLC6001" : "MLC6002";
    if (err instanceof MlcError) {
      const e = new MlcError(err.code, this.scrub(err.message), {
        ...err.details,
        dataset: err.details.dataset ?? name,
        ...(err.details.hint ? { hint: this.scrub(err.details.hint) } : {}),
      });
      return e;
    }
    // A thrown non-Error shows its content (`{ code: 42 }`, not "[object Object]"), scrubbed below.
    const msg =
      err instanceof Error
        ? err.message
        : err !== null && typeof err === "object"
          ? inspect(err, { depth: 2, breakLength: Infinity }).slice(0, 300)
          : String(err);
    return new MlcError(fallback, this.scrub(`dataset "${name}": ${op} failed: ${msg}`), { dataset: name });
  }

  private scrub(text: string): string {
    return scrubText(text, this.secrets);
  }
}

/** The config fields safe to show: everything except inline secrets a user may have put there. */
function publicConfig(config: DatasetConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (/^(password|passwd|secret|token|api_key|apikey|access_key|secret_key)$/i.test(k)) out[k] = "***";
    else out[k] = v;
  }
  return out;
}
