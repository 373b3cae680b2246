// Atomic file writes: a temporary file in the SAME folder, fsync, then rename over the target.
// rename(2) within one file system is atomic, so readers see the old file or the new one, never a
// half-written one; any failure removes the temporary file. A temporary name carries its writer
// (pid and start time), so a later run can tell a crashed writer's leftovers from a live write.
// Dependency-free on purpose: run records, compile outputs and the module cache reuse it.
import { randomBytes } from "node:crypto";
import { existsSync, promises as fsp, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { isAlive, selfIdentity, type ProcessIdentity } from "./process-identity.js";

/** `tmp`: a file or folder being written; `old`: a folder swapped out by replaceDirAtomic. */
type TempKind = "tmp" | "old";

/** The temporary sibling used while writing `path`: `.<name>.tmp-<pid>-<start>-<rand>`. */
export function tempPathFor(path: string, kind: TempKind = "tmp", rand = randomBytes(4).toString("hex")): string {
  const me = selfIdentity();
  return join(dirname(path), `.${basename(path)}.${kind}-${me.pid}-${me.start || "0"}-${rand}`);
}

/** A name made by tempPathFor, read back. */
interface TempName {
  readonly target: string;
  readonly kind: TempKind;
  readonly writer: ProcessIdentity;
  readonly rand: string;
}

// The writer's start token is optional: names from before it was recorded hold the pid only.
const TEMP_NAME = /^\.(.+)\.(tmp|old)-(\d+)-(?:([0-9a-z]+)-)?([0-9a-f]{8})$/;

/** What a name made by tempPathFor says: the target's name, the kind, the writer and the random part. */
export function parseTempName(name: string): TempName | null {
  const m = TEMP_NAME.exec(name);
  if (!m) return null;
  const start = m[4] === undefined || m[4] === "0" ? "" : m[4];
  return { target: m[1], kind: m[2] as TempKind, writer: { pid: Number(m[3]), start }, rand: m[5] };
}

/** True for names produced by tempPathFor (so directory listings can skip in-flight writes). */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Removes the temporary files and folders in `dir` whose writer is dead (`"dead"`) or is this
 * process (`"mine"`, for a process that is exiting), after completing any folder swap a crash cut
 * half-way. Only names of our own pattern are touched; returns the names removed.
 */
export function removeTemps(dir: string, whose: "dead" | "mine"): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const me = selfIdentity();
  const mine = (w: ProcessIdentity) => w.pid === me.pid && w.start === me.start;
  const found = names.flatMap((name) => {
    const t = parseTempName(name);
    return t && (whose === "mine" ? mine(t.writer) : !isAlive(t.writer)) ? [{ name, ...t }] : [];
  });
  // Swaps first: a cut swap's new folder is the one to keep, not a leftover.
  for (const t of found) if (t.kind === "old") completeSwap(dir, t.name, t.target);
  for (const t of found) rmSync(join(dir, t.name), { recursive: true, force: true });
  return found.map((t) => t.name);
}

/** Writes `text` to `path` atomically and synchronously, without fsync (records: a crash keeps the old one). */
export function writeFileAtomicSync(path: string, text: string): void {
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, text, { flag: "wx" });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Replaces the folder `dir` by a new one that `fill` writes: the new set is written into a
 * temporary sibling, then `dir` is renamed away, the new folder renamed in and the old one
 * removed. A reader sees the old set or the new one; a swap cut between the two renames is
 * completed by recoverSwap (the temporary folder is complete once the old one has moved).
 */
export async function replaceDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const rand = randomBytes(4).toString("hex");
  const tmp = tempPathFor(dir, "tmp", rand);
  const old = tempPathFor(dir, "old", rand);
  let moved = false;
  try {
    await ensureDir(tmp);
    await fill(tmp);
    moved = await fsp.rename(dir, old).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return false;
        throw e;
      },
    );
    await fsp.rename(tmp, dir);
  } catch (err) {
    if (moved) await fsp.rename(old, dir).catch(() => {});
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  if (moved) await fsp.rm(old, { recursive: true, force: true });
}

/**
 * Completes a folder swap of `dir` that a dead writer left half-way: when `dir` is missing, its
 * writer's complete new folder (or else the old one) is renamed back in. A live swap is left alone.
 */
export function recoverSwap(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dirname(dir));
  } catch {
    return;
  }
  for (const name of names) {
    const t = parseTempName(name);
    if (t?.kind !== "old" || t.target !== basename(dir) || isAlive(t.writer)) continue;
    completeSwap(dirname(dir), name, t.target);
  }
}

/** Renames the swap's new folder (else its old one) to `target` when `target` is missing. */
function completeSwap(parent: string, oldName: string, target: string): void {
  const dir = join(parent, target);
  const fresh = `.${target}.tmp-${oldName.slice(`.${target}.old-`.length)}`;
  for (const from of [fresh, oldName]) {
    if (existsSync(dir)) return;
    try {
      renameSync(join(parent, from), dir);
    } catch {
      // Gone: the next candidate, or nothing to recover.
    }
  }
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

/**
 * Opens a fresh temp sibling of `path`, lets `fill` write it, fsyncs it through the same handle,
 * renames; removes it on any failure. (writeViaTempFile reopens its file to sync: its writers
 * write by path.)
 */
async function atomically(path: string, fill: (fh: FileHandle) => Promise<void>): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const fh = await fsp.open(tmp, "wx");
    try {
      await fill(fh);
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
    for (let off = 0; off < used;) off += (await fh.write(buf, off, used - off)).bytesWritten;
    used = 0;
  };
  const put = async (chunk: string | Uint8Array): Promise<void> => {
    const bytes = typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (used + bytes > BUFFER_SIZE) await flush();
    if (bytes > BUFFER_SIZE) {
      const big = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      for (let off = 0; off < big.byteLength;) off += (await fh.write(big, off, big.byteLength - off)).bytesWritten;
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
      if (used + bytes <= BUFFER_SIZE)
        used += typeof chunk === "string" ? buf.write(chunk, used) : (buf.set(chunk, used), bytes);
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
