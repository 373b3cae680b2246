// The storage layer as custom datasets see it (`ctx.files`): the same local / s3:// / http(s)://
// paths, the same credentials, atomic writes and streaming staging as the built-in datasets.
import { promises as fsp } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { ensureDir, writeViaTempFile } from "../atomic.js";
import { readStaged, writeStaged } from "./staged.js";
import { isRemote, storageFor, type ObjectStat } from "./storage.js";

/** File access for one dataset: relative paths resolve against the project root. */
export interface DatasetFiles {
  /** What `read` makes of a local file holding `path` (a remote object is streamed into a temporary one). */
  readLocal<T>(path: string, read: (localPath: string) => Promise<T>): Promise<T>;
  /** Lets `write` create a local file, then puts it at `path` atomically (rename, or one S3 upload). */
  writeLocal(path: string, write: (localPath: string) => Promise<void>): Promise<void>;
  /** Size, mtime and (remote) ETag of `path` without reading it; null when it does not exist. */
  stat(path: string): Promise<ObjectStat | null>;
}

/**
 * Size, mtime and inode of a local file, or size, mtime and ETag of a remote object, without
 * reading either: what content versions of incremental runs key on. Null when it does not exist.
 */
export async function statPath(path: string, credentials?: unknown): Promise<ObjectStat | null> {
  if (isRemote(path)) return (await storageFor(path, credentials)).stat(path);
  const st = await fsp.stat(path).catch(() => null);
  return st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino } : null;
}

/** The DatasetFiles of a dataset in the project at `root` with these credentials. */
export function datasetFiles(root: string, credentials: unknown): DatasetFiles {
  const at = (p: string) => (isRemote(p) || isAbsolute(p) ? p : resolve(root, p));
  return {
    async readLocal(path, read) {
      const p = at(path);
      return isRemote(p) ? readStaged(await storageFor(p, credentials), p, read) : read(p);
    },
    async writeLocal(path, write) {
      const p = at(path);
      if (isRemote(p)) return writeStaged(await storageFor(p, credentials), p, write);
      await ensureDir(dirname(p));
      await writeViaTempFile(p, write);
    },
    stat: (path) => statPath(at(path), credentials),
  };
}
