// `partitioned`: a folder of files of one underlying type, as Kedro's PartitionedDataset. load()
// returns {partitionId: () => Promise<value>} (lazy: nothing is read until called); save() takes
// an object of values or (possibly async) functions returning values, one file per key.
// Config: `path` (or `filepath`), `dataset` (a type name or a config without filepath),
// `filename_suffix` (default: none), `overwrite` (replace the whole set: written aside, then
// swapped in, so a crash mid-save leaves the old set or the new one, never a mix; on S3 too).
import { contentVersion } from "../../cache/hash.js";
import { promises as fsp } from "node:fs";
import { join, relative } from "node:path";
import { MlcError } from "../../compiler/diagnostics.js";
import type { DatasetConfig } from "../../compiler/types.js";
import type { Dataset, DatasetContext, DatasetType } from "../dataset.js";
import { ensureDir, isTempName, recoverSwap, replaceDirAtomic } from "../atomic.js";
import { resolveDatasetType } from "../registry.js";
import { hasDotSegment, isRemote, joinUrl, storageFor } from "../storage/storage.js";
import { recoverPrefix, replacePrefix } from "../storage/swap.js";
import { resolveDataPath, saveError, loadError, type FileBacked } from "./file.js";

function underlying(ctx: DatasetContext): DatasetConfig {
  const d = ctx.config.dataset as DatasetConfig | string | undefined;
  if (typeof d === "string") return { type: d };
  if (d && typeof d === "object" && typeof d.type === "string") return d;
  throw new MlcError(
    "MLC6001",
    `dataset "${ctx.name}" (partitioned) needs "dataset:" (a type such as csv, or a config)`,
    { dataset: ctx.name },
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      if (isTempName(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

class PartitionedDataset implements Dataset, FileBacked {
  private lastSaved: string | null = null;
  constructor(
    private readonly ctx: DatasetContext,
    private readonly inner: DatasetConfig,
  ) {}

  private key(): string {
    return typeof this.ctx.config.path === "string" ? "path" : "filepath";
  }
  private get suffix(): string {
    return typeof this.ctx.config.filename_suffix === "string" ? this.ctx.config.filename_suffix : "";
  }

  /** A dataset for one partition file; the id may not leave the folder. */
  private async part(dir: string, id: string, op: "load" | "save"): Promise<Dataset> {
    const remote = isRemote(dir);
    const file = remote ? joinUrl(dir, id + this.suffix) : join(dir, id + this.suffix);
    const rel = relative(dir, file);
    const leaves = remote
      ? id === "" || id.startsWith("/") || hasDotSegment(file)
      : rel.startsWith("..") || rel === "" || /^[\\/]/.test(rel);
    if (leaves) {
      throw new MlcError(
        op === "load" ? "MLC6001" : "MLC6002",
        `dataset "${this.ctx.name}": partition id "${id}" leaves the folder`,
        { dataset: this.ctx.name },
      );
    }
    const type = await resolveDatasetType(this.inner.type, this.ctx.root);
    return type({ ...this.ctx, name: `${this.ctx.name}/${id}`, config: { ...this.inner, filepath: file } });
  }

  async load(): Promise<unknown> {
    const dir = resolveDataPath(this.ctx, "load", this.key());
    let files: string[];
    try {
      files = await this.list(dir);
    } catch (err) {
      throw loadError(
        this.ctx,
        dir,
        (err as NodeJS.ErrnoException).code === "ENOTDIR"
          ? Object.assign(new Error("not a folder"), { code: "ENOTDIR" })
          : err,
      );
    }
    const out: Record<string, () => Promise<unknown>> = {};
    for (const rel of files) {
      if (this.suffix && !rel.endsWith(this.suffix)) continue;
      const id = this.suffix ? rel.slice(0, -this.suffix.length) : rel;
      out[id] = async () => (await this.part(dir, id, "load")).load();
    }
    return out;
  }

  async save(data: unknown): Promise<void> {
    const dir = resolveDataPath(this.ctx, "save", this.key());
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      throw new MlcError(
        "MLC6002",
        `dataset "${this.ctx.name}" (partitioned) expects an object of partition id -> value or function`,
        { dataset: this.ctx.name },
      );
    }
    const parts = data as Record<string, unknown>;
    // The catalog turns any failure of the swap into MLC6002 naming the dataset.
    if (isRemote(dir)) await this.saveRemote(dir, parts);
    else if (this.ctx.config.overwrite === true) await replaceDirAtomic(dir, (tmp) => this.savePartitions(tmp, parts));
    else {
      await ensureDir(dir).catch((err: unknown) => {
        throw saveError(this.ctx, dir, err);
      });
      await this.savePartitions(dir, parts);
    }
    this.lastSaved = dir;
  }

  /**
   * Each partition is one atomic PUT; `overwrite: true` stages the new set beside the folder and
   * swaps it in (storage/swap.ts), so a failed save leaves the old set readable.
   */
  private async saveRemote(dir: string, parts: Record<string, unknown>): Promise<void> {
    if (this.ctx.config.overwrite !== true) return this.savePartitions(dir, parts);
    const storage = await storageFor(dir, this.ctx.credentials);
    await replacePrefix(storage, dir, (staging) => this.savePartitions(staging, parts));
  }

  /** Partition files under `dir`, relative to it with `/` separators, sorted. */
  private async list(dir: string): Promise<string[]> {
    if (isRemote(dir)) {
      const storage = await storageFor(dir, this.ctx.credentials);
      await recoverPrefix(storage, dir);
      return storage.list(dir);
    }
    recoverSwap(dir);
    return (await listFiles(dir)).map((f) => relative(dir, f).split("\\").join("/"));
  }

  private async savePartitions(dir: string, parts: Record<string, unknown>): Promise<void> {
    for (const [id, v] of Object.entries(parts)) {
      const value = typeof v === "function" ? await (v as () => unknown)() : v;
      await (await this.part(dir, id, "save")).save(value);
    }
  }

  async exists(): Promise<boolean> {
    try {
      return (await this.list(resolveDataPath(this.ctx, "load", this.key()))).length > 0;
    } catch {
      return false;
    }
  }

  async version(): Promise<string | null> {
    const dir = resolveDataPath(this.ctx, "load", this.key());
    recoverSwap(dir);
    return contentVersion(this.ctx.root, dir);
  }

  describe(): Record<string, unknown> {
    const c = this.ctx.config;
    return {
      type: "partitioned",
      path: c[this.key()],
      dataset: this.inner,
      ...(this.suffix ? { filename_suffix: this.suffix } : {}),
    };
  }

  savedPath(): string | null {
    return this.lastSaved;
  }
}

/** Builds a `partitioned` dataset. */
export const partitionedType: DatasetType = (ctx) => new PartitionedDataset(ctx, underlying(ctx));
