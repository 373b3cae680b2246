// The shared machinery of file-backed datasets: path resolution inside the project, versioning,
// and turning I/O and parser failures into coded errors that name the dataset and the path.
import { contentVersion, projectPath } from "../../cache/hash.js";
import { promises as fsp } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { MlcError } from "../../compiler/diagnostics.js";
import { ensureDir } from "../atomic.js";
import type { Dataset, DatasetContext } from "../dataset.js";
import { statPath } from "../storage/files.js";
import { readStaged, writeStaged } from "../storage/staged.js";
import {
  hasDotSegment,
  isRemote,
  schemeOf,
  shownUrl,
  storageFor,
  StorageError,
  SUPPORTED_SCHEMES,
} from "../storage/storage.js";
import { versionedLoadPath, versionedSavePath, type VersionAware } from "../versioning.js";

/** A parse failure in a file's content; `line` (1-based) when the parser knows it. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** The data handed to save() does not fit the format (e.g. a number for `text`). */
export class DataShapeError extends Error {}

/** How one file format reads and writes; `write` must be atomic (catalog/atomic.ts). */
export interface FileFormat {
  read(path: string, ctx: DatasetContext): Promise<unknown>;
  write(path: string, data: unknown, ctx: DatasetContext): Promise<void>;
}

/** Datasets backed by a file or folder: mlflow.artifact logs this path after a save. */
export interface FileBacked {
  /** Absolute path written by the last save, or null before any. */
  savedPath(): string | null;
}

/** Path as shown in messages: project-relative when inside the project, else absolute. */
export function shownPath(root: string, abs: string): string {
  return isRemote(abs) ? shownUrl(abs) : projectPath(root, abs);
}

/**
 * The absolute path of a dataset's `key` (filepath or path). Relative paths resolve against the
 * project root and may not leave it; an absolute path is used as the catalog gives it.
 */
export function resolveDataPath(ctx: DatasetContext, op: "load" | "save", key = "filepath"): string {
  const code = op === "load" ? "MLC6001" : "MLC6002";
  const raw = ctx.config[key];
  if (typeof raw !== "string" || raw === "") {
    throw new MlcError(code, `dataset "${ctx.name}" (${ctx.config.type}) has no ${key}`, { dataset: ctx.name });
  }
  if (isRemote(raw)) return checkedUrl(ctx, raw, code);
  if (isAbsolute(raw)) return resolve(raw);
  const abs = resolve(ctx.root, raw);
  const rel = relative(ctx.root, abs);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    throw new MlcError(
      code,
      `dataset "${ctx.name}": path "${raw}" leaves the project folder (use an absolute filepath to write outside it)`,
      {
        dataset: ctx.name,
        file: raw,
      },
    );
  }
  return abs;
}

/** A remote filepath after the checks validate makes (a catalog built by code skips validate). */
function checkedUrl(ctx: DatasetContext, url: string, code: "MLC6001" | "MLC6002"): string {
  const scheme = schemeOf(url)!;
  const base = { dataset: ctx.name, file: shownUrl(url) };
  if (!(SUPPORTED_SCHEMES as readonly string[]).includes(scheme))
    throw new MlcError(code, `dataset "${ctx.name}": unsupported URL scheme "${scheme}" in ${shownUrl(url)}`, base);
  if (hasDotSegment(url))
    throw new MlcError(code, `dataset "${ctx.name}": ${shownUrl(url)} has a "." or ".." segment`, base);
  return url;
}

/** Wraps an error from reading `path` into MLC6001 (missing file, folder, parse error with line). */
export function loadError(ctx: DatasetContext, path: string, err: unknown): MlcError {
  if (err instanceof MlcError) return err;
  const shown = shownPath(ctx.root, path);
  const base = { dataset: ctx.name, file: shown };
  if (err instanceof StorageError) return new MlcError("MLC6001", `dataset "${ctx.name}": ${err.message}`, base);
  const e = err as NodeJS.ErrnoException;
  if (e?.code === "ENOENT") return new MlcError("MLC6001", `dataset "${ctx.name}": file not found: ${shown}`, base);
  if (e?.code === "EISDIR")
    return new MlcError("MLC6001", `dataset "${ctx.name}": ${shown} is a directory, not a file`, base);
  if (err instanceof ParseError) {
    const at = err.line ? `${shown}:${err.line}${err.column ? `:${err.column}` : ""}` : shown;
    return new MlcError("MLC6001", `dataset "${ctx.name}": cannot parse ${at}: ${err.message}`, {
      ...base,
      ...(err.line ? { line: err.line } : {}),
      ...(err.column ? { column: err.column } : {}),
    });
  }
  return new MlcError("MLC6001", `dataset "${ctx.name}": cannot load ${shown}: ${messageOf(err)}`, base);
}

/** Wraps an error from writing `path` into MLC6002. */
export function saveError(ctx: DatasetContext, path: string, err: unknown): MlcError {
  if (err instanceof MlcError) return err;
  const shown = shownPath(ctx.root, path);
  const base = { dataset: ctx.name, file: shown };
  if (err instanceof StorageError) return new MlcError("MLC6002", `dataset "${ctx.name}": ${err.message}`, base);
  const e = err as NodeJS.ErrnoException;
  if (err instanceof DataShapeError)
    return new MlcError("MLC6002", `dataset "${ctx.name}" (${ctx.config.type}): ${err.message}`, base);
  if (e?.code === "EISDIR")
    return new MlcError("MLC6002", `dataset "${ctx.name}": cannot save: ${shown} is a directory`, base);
  if (e?.code === "ENOTDIR" || e?.code === "EEXIST") {
    return new MlcError(
      "MLC6002",
      `dataset "${ctx.name}": cannot save ${shown}: a parent of it is a file, not a folder`,
      base,
    );
  }
  if (e?.code === "EACCES" || e?.code === "EPERM" || e?.code === "EROFS") {
    return new MlcError("MLC6002", `dataset "${ctx.name}": cannot save ${shown}: permission denied`, base);
  }
  return new MlcError("MLC6002", `dataset "${ctx.name}": cannot save ${shown}: ${messageOf(err)}`, base);
}

/** An error's message without its stack. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A file dataset of one format, with `versioned: true` support. */
export class FileDataset implements Dataset, FileBacked, VersionAware {
  private usedVersion: string | null = null;
  private lastSaved: string | null = null;

  constructor(
    private readonly ctx: DatasetContext,
    private readonly format: FileFormat,
  ) {}

  async load(): Promise<unknown> {
    const path = await this.loadPath();
    if (isRemote(path)) {
      try {
        const storage = await storageFor(path, this.ctx.credentials);
        return await readStaged(storage, path, (local) => this.format.read(local, this.ctx));
      } catch (err) {
        throw loadError(this.ctx, path, err);
      }
    }
    const st = await fsp.stat(path).catch((err: unknown) => {
      throw loadError(this.ctx, path, err);
    });
    if (st.isDirectory())
      throw loadError(this.ctx, path, Object.assign(new Error("is a directory"), { code: "EISDIR" }));
    // A FIFO or device would block the read forever (or never end, like /dev/zero).
    if (!st.isFile())
      throw new MlcError(
        "MLC6001",
        `dataset "${this.ctx.name}": ${shownPath(this.ctx.root, path)} is a device, FIFO or socket, not a regular file`,
        { dataset: this.ctx.name },
      );
    try {
      return await this.format.read(path, this.ctx);
    } catch (err) {
      throw loadError(this.ctx, path, err);
    }
  }

  async save(data: unknown): Promise<void> {
    const base = resolveDataPath(this.ctx, "save");
    const path = this.ctx.config.versioned ? versionedSavePath(base, this.ctx.saveVersion) : base;
    try {
      if (isRemote(path)) await this.saveRemote(path, data);
      else await this.saveLocal(path, data);
    } catch (err) {
      throw saveError(this.ctx, path, err);
    }
    this.lastSaved = path;
    if (this.ctx.config.versioned) this.usedVersion = this.ctx.saveVersion;
  }

  private async saveRemote(url: string, data: unknown): Promise<void> {
    const storage = await storageFor(url, this.ctx.credentials);
    await writeStaged(storage, url, (local) => this.format.write(local, data, this.ctx));
  }

  private async saveLocal(path: string, data: unknown): Promise<void> {
    await ensureDir(dirname(path));
    const st = await fsp.stat(path).catch(() => null);
    if (st?.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    // The atomic write renames over its target: never over a device or FIFO (as root, a filepath
    // of /dev/null would replace the device with a regular file).
    if (st && !st.isFile())
      throw new MlcError(
        "MLC6002",
        `dataset "${this.ctx.name}": cannot save ${shownPath(this.ctx.root, path)}: it is a device, FIFO or socket, not a regular file`,
        { dataset: this.ctx.name },
      );
    await this.format.write(path, data, this.ctx);
  }

  async exists(): Promise<boolean> {
    try {
      const path = await this.loadPath(false);
      if (isRemote(path)) return (await (await storageFor(path, this.ctx.credentials)).stat(path)) !== null;
      return (await fsp.stat(path)).isFile();
    } catch {
      return false;
    }
  }

  async version(): Promise<string | null> {
    const path = await this.loadPath(false).catch(() => null);
    if (!path) return null;
    // An object store says what its content is (ETag): never download an object only to hash it.
    if (isRemote(path)) {
      const st = await statPath(path, this.ctx.credentials).catch(() => null);
      return st?.etag ? `etag:${st.etag}` : null;
    }
    return contentVersion(this.ctx.root, path);
  }

  describe(): Record<string, unknown> {
    const c = this.ctx.config;
    return {
      type: c.type,
      filepath: c.filepath,
      ...(c.versioned ? { versioned: true } : {}),
      ...(c.load_args ? { load_args: c.load_args } : {}),
      ...(c.save_args ? { save_args: c.save_args } : {}),
    };
  }

  versionUsed(): string | null {
    return this.usedVersion;
  }

  savedPath(): string | null {
    return this.lastSaved;
  }

  private async loadPath(record = true): Promise<string> {
    const base = resolveDataPath(this.ctx, "load");
    if (!this.ctx.config.versioned) return base;
    const shown = shownPath(this.ctx.root, base);
    const { path, version } = await versionedLoadPath(
      this.ctx.name,
      base,
      shown,
      this.ctx.loadVersion,
      this.ctx.credentials,
    );
    if (record) this.usedVersion = version;
    return path;
  }
}

/** Load/save option maps from the config (never undefined). */
export function argsOf(ctx: DatasetContext): { load: Record<string, unknown>; save: Record<string, unknown> } {
  return { load: { ...(ctx.config.load_args ?? {}) }, save: { ...(ctx.config.save_args ?? {}) } };
}
