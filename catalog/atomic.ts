// Atomic file writes: a temporary file in the SAME folder, fsync, then rename over the target.
// rename(2) within one file system is atomic, so readers see the old file or the new one, never a
// half-written one; any failure removes the temporary file. Dependency-free on purpose: run
// records, compile outputs and the module cache reuse it.
import { randomBytes } from "node:crypto";
import { createWriteStream, promises as fsp } from "node:fs";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";

/** The temporary sibling used while writing `path`: `.<name>.tmp-<pid>-<rand>`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

/** True for names produced by tempPathFor (so directory listings can skip in-flight writes). */
export function isTempName(name: string): boolean {
  return /^\..+\.tmp-\d+-[0-9a-f]{8}$/.test(name);
}

/** Writes `data` to `path` atomically (the folder must exist). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const fh = await fsp.open(tmp, "wx");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** Streams `source` into `path` atomically: the file appears only once all was written and synced. */
export async function writeStreamAtomic(
  path: string,
  source: Readable | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    // `flush: true` fsyncs before the stream closes; pipeline resolves after close.
    const out = createWriteStream(tmp, { flags: "wx", flush: true, highWaterMark: 1 << 20 });
    await pipeline(source as AsyncIterable<unknown>, out);
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/**
 * Runs `write(tmp)` (which creates the file at `tmp` by any means), then fsyncs and renames it to
 * `path`; the temporary file is removed on any failure. For writers that want a file name.
 */
export async function writeViaTempFile(path: string, write: (tmp: string) => Promise<void> | void): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await write(tmp);
    const fh = await fsp.open(tmp, "r+");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** Best-effort fsync of a folder so a rename inside it survives a power cut (no-op where unsupported). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await fsp.open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some platforms (Windows) cannot open folders; atomicity of rename still holds.
  }
}
