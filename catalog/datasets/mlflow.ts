// mlflow.* datasets: metrics go to the run's sink (local run record + MLflow mirror); artifacts
// save through a wrapped file dataset, then log the written file.
import { dirname, join } from "node:path";
import { metricKey, metricsPrefix } from "../../compiler/check-metrics.js";
import { MlcError } from "../../compiler/diagnostics.js";
import type { DatasetConfig } from "../../compiler/types.js";
import type { ModelRegistration } from "../../tracking/sink.js";
import type { Dataset, DatasetContext, DatasetType } from "../dataset.js";
import { ensureDir } from "../atomic.js";
import { resolveDatasetType } from "../registry.js";
import { urlBasename } from "../storage/staged.js";
import { isRemote, joinUrl, storageFor } from "../storage/storage.js";
import { isVersionAware, type VersionAware } from "../versioning.js";
import { saveError, type FileBacked } from "./file.js";

function metricValue(ctx: DatasetContext, key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    const got = typeof v === "number" ? String(v) : v === null ? "null" : typeof v;
    throw new MlcError(
      "MLC6002",
      `dataset "${ctx.name}" (${ctx.config.type}): metric "${key}" must be a finite number, got ${got}`,
      {
        dataset: ctx.name,
      },
    );
  }
  return v;
}

function stepOf(ctx: DatasetContext): number | undefined {
  return typeof ctx.config.step === "number" ? ctx.config.step : undefined;
}

/** `mlflow.metric`: a number logged under `key` (default: the dataset name). */
class MetricDataset implements Dataset {
  private last: number | undefined;
  constructor(private readonly ctx: DatasetContext) {}
  private get key(): string {
    return metricKey(this.ctx.name, this.ctx.config);
  }
  async load(): Promise<unknown> {
    if (this.last === undefined) {
      throw new MlcError("MLC6001", `dataset "${this.ctx.name}" (mlflow.metric): no value was logged in this run`, {
        dataset: this.ctx.name,
      });
    }
    return this.last;
  }
  async save(data: unknown): Promise<void> {
    const v = metricValue(this.ctx, this.key, data);
    this.ctx.sink.logMetric(this.key, v, stepOf(this.ctx));
    this.last = v;
  }
  async exists(): Promise<boolean> {
    return this.last !== undefined;
  }
  describe(): Record<string, unknown> {
    return { type: "mlflow.metric", key: this.key };
  }
}

/** `mlflow.metrics`: an object of name -> number, each logged under `prefix` (default: its namespace). */
class MetricsDataset implements Dataset {
  private last: Record<string, number> | undefined;
  constructor(private readonly ctx: DatasetContext) {}
  async load(): Promise<unknown> {
    if (this.last === undefined) {
      throw new MlcError("MLC6001", `dataset "${this.ctx.name}" (mlflow.metrics): no values were logged in this run`, {
        dataset: this.ctx.name,
      });
    }
    return { ...this.last };
  }
  async save(data: unknown): Promise<void> {
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      throw new MlcError(
        "MLC6002",
        `dataset "${this.ctx.name}" (mlflow.metrics) expects an object of name -> number, got ${Array.isArray(data) ? "an array" : data === null ? "null" : typeof data}`,
        {
          dataset: this.ctx.name,
        },
      );
    }
    const prefix = metricsPrefix(this.ctx.name, this.ctx.config);
    const values: Record<string, number> = {};
    // Validate all before logging any, so a bad value never leaves half the metrics logged.
    for (const [k, v] of Object.entries(data)) values[k] = metricValue(this.ctx, prefix + k, v);
    for (const [k, v] of Object.entries(values)) this.ctx.sink.logMetric(prefix + k, v, stepOf(this.ctx));
    this.last = values;
  }
  async exists(): Promise<boolean> {
    return this.last !== undefined;
  }
  describe(): Record<string, unknown> {
    return {
      type: "mlflow.metrics",
      ...(typeof this.ctx.config.prefix === "string" ? { prefix: this.ctx.config.prefix } : {}),
    };
  }
}

/** `mlflow.artifact`: saves through the wrapped `dataset:`, then logs the written file or folder. */
class ArtifactDataset implements Dataset, VersionAware {
  constructor(
    private readonly ctx: DatasetContext,
    private readonly inner: Dataset,
  ) {}
  load(): Promise<unknown> {
    return this.inner.load();
  }
  async save(data: unknown): Promise<void> {
    await this.inner.save(data);
    const saved = (this.inner as Partial<FileBacked>).savedPath?.();
    if (!saved) return;
    const path = isRemote(saved) ? await this.localCopy(saved) : saved;
    const artifactPath = typeof this.ctx.config.artifact_path === "string" ? this.ctx.config.artifact_path : undefined;
    const register = this.ctx.config.register as ModelRegistration | undefined;
    // Only a registering dataset passes the third argument: recorded calls stay as they were.
    if (register) this.ctx.sink.logArtifact(path, artifactPath, register);
    else this.ctx.sink.logArtifact(path, artifactPath);
  }

  /**
   * MLflow logs local files after the run: an object saved to S3 is copied under .mlc/ for it, and
   * a folder (a partitioned dataset's prefix) object by object, logged as a folder of that name.
   */
  private async localCopy(url: string): Promise<string> {
    const dir = join(this.ctx.root, ".mlc", "artifacts", this.ctx.saveVersion, this.ctx.name);
    const path = join(dir, urlBasename(url));
    try {
      const storage = await storageFor(url, this.ctx.credentials);
      const keys = (await storage.stat(url)) ? [""] : await storage.list(url);
      for (const key of keys) {
        if (key.split("/").some((s) => s === ".." || s === "."))
          throw new Error(`object ${joinUrl(url, key)} has a "." or ".." segment`);
        const dest = key ? join(path, key) : path;
        await ensureDir(dirname(dest));
        await storage.download(key ? joinUrl(url, key) : url, dest);
      }
    } catch (err) {
      throw saveError(this.ctx, url, err);
    }
    return path;
  }
  exists(): Promise<boolean> {
    return this.inner.exists();
  }
  async version(): Promise<string | null> {
    return this.inner.version ? this.inner.version() : `unversioned:${this.ctx.saveVersion}`;
  }
  async release(): Promise<void> {
    await this.inner.release?.();
  }
  describe(): Record<string, unknown> {
    return {
      type: "mlflow.artifact",
      ...(typeof this.ctx.config.artifact_path === "string" ? { artifact_path: this.ctx.config.artifact_path } : {}),
      dataset: this.inner.describe(),
    };
  }
  versionUsed(): string | null {
    return isVersionAware(this.inner) ? this.inner.versionUsed() : null;
  }
}

/** Builds an `mlflow.metric` dataset. */
export const metricType: DatasetType = (ctx) => new MetricDataset(ctx);
/** Builds an `mlflow.metrics` dataset. */
export const metricsType: DatasetType = (ctx) => new MetricsDataset(ctx);

/** Builds an `mlflow.artifact` dataset around its `dataset:` config. */
export const artifactType: DatasetType = async (ctx) => {
  const wrapped = ctx.config.dataset as DatasetConfig | undefined;
  if (!wrapped || typeof wrapped !== "object" || typeof wrapped.type !== "string") {
    throw new MlcError(
      "MLC6001",
      `dataset "${ctx.name}" (mlflow.artifact) needs a "dataset:" with a type and filepath`,
      { dataset: ctx.name },
    );
  }
  const type = await resolveDatasetType(wrapped.type, ctx.root);
  const inner = await type({ ...ctx, config: wrapped });
  return new ArtifactDataset(ctx, inner);
};
