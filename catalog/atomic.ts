// Atomic file writes: a temporary file in the SAME folder, fsync, then rename over the target.
// rename(2) within one file system is atomic, so readers see the old file or the new one, never a
// half-written one; any failure removes the temporary file. Dependency-free on purpose: run
// records, compile outputs and the module cache reuse it.
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";

/** The temporary sibling used while writing `path`: `.<name>.tmp-<pid>-<rand>`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

/** True for names produced by tempPathFor (so directory listings can skip in-flight writes). */
export function isTempName(name: string): boolean {
  return /^\..+\.tmp-\d+-[0-9a-f]{8}$/.test(name);
}

/**
 * `mkdir -p` without Node's recursive mkdir, which loops forever where mkdir(2) answers ENOENT for
 * a folder whose parent exists (under /proc: `--out /proc/x/y` hung). One call when `dir` exists;
 * an existing FILE in the way surfaces on the write that follows (ENOTDIR), as before.
 */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    const parent = dirname(dir);
    if (code !== "ENOENT" || parent === dir) throw err;
    await ensureDir(parent);
    await fsp.mkdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") throw e;
    });
  }
}

/** Opens a fresh temp sibling of `path`, lets `fill` write it, fsyncs, renames; removes it on any failure. */
async function atomically(path: string, fill: (fh: FileHandle) => Promise<void>): Promise<void> {
  await writeViaTempFile(path, async (tmp) => {
    const fh = await fsp.open(tmp, "wx");
    try {
      await fill(fh);
    } finally {
      await fh.close();
    }
  });
}

/** Writes `data` to `path` atomically (the folder must exist). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await atomically(path, (fh) => fh.writeFile(data));
}

/**
 * Streams `source` into `path` atomically: the file appears only once all was written and synced.
 * Text is encoded into one reused 1 MB buffer, so writing 100 MB leaves no garbage behind (string
 * chunks die young; a stream would keep a Buffer per chunk alive until a full GC).
 */
export async function writeStreamAtomic(path: string, source: Chunks): Promise<void> {
  await atomically(path, (fh) => copyInto(fh, source));
}

const BUFFER_SIZE = 1 << 20;

type Chunks = Readable | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** Copies chunks into the file; a synchronous iterable is pulled without an await per chunk. */
async function copyInto(fh: FileHandle, source: Chunks): Promise<void> {
  const buf = Buffer.allocUnsafe(BUFFER_SIZE);
  let used = 0;
  const flush = async (): Promise<void> => {
    for (let off = 0; off < used; ) off += (await fh.write(buf, off, used - off)).bytesWritten;
    used = 0;
  };
  const put = async (chunk: string | Uint8Array): Promise<void> => {
    const bytes = typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (used + bytes > BUFFER_SIZE) await flush();
    if (bytes > BUFFER_SIZE) {
      const big = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      for (let off = 0; off < big.byteLength; ) off += (await fh.write(big, off, big.byteLength - off)).bytesWritten;
    } else if (typeof chunk === "string") used += buf.write(chunk, used);
    else {
      buf.set(chunk, used);
      used += bytes;
    }
  };
  if (Symbol.iterator in source && !(Symbol.asyncIterator in source)) {
    // Only flushes await: each chunk is garbage as soon as it is copied (it dies young).
    for (const chunk of source as Iterable<string | Uint8Array>) {
      const bytes = typeof chunk === "string" ? chunk.length * 3 : chunk.byteLength;
      if (used + bytes <= BUFFER_SIZE) used += typeof chunk === "string" ? buf.write(chunk, used) : (buf.set(chunk, used), bytes);
      else await put(chunk);
    }
  } else {
    for await (const chunk of source as AsyncIterable<string | Uint8Array>) await put(chunk);
  }
  await flush();
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
