// Content versions of files and folders. xxh3 (@node-rs/xxhash, native) because it hashes ~4 GB/s
// on this machine where node:crypto's fastest (sha256) reaches ~0.9 GB/s: a content version only
// has to tell "same bytes" from "changed", it is no security boundary. Each file's hash is
// memoised under .mlc/cache/hashes/ on (path, size, mtime, inode), so an unchanged 1 GB file
// costs one stat and one small read. One memo file per path, so threads and processes hashing
// different files never share one; written by overwrite(): a memo torn by a crash or a second
// writer fails to parse and only costs a re-hash.
import { createHash } from "node:crypto";
import {
  closeSync,
  constants,
  ftruncateSync,
  mkdirSync,
  openSync,
  promises as fsp,
  readFileSync,
  statSync,
  writeSync,
  type Stats,
} from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { createRequire } from "node:module";

const CHUNK = 4 << 20;

type Xxh3 = typeof import("@node-rs/xxhash").xxh3;
let xxh3: Xxh3 | undefined;
/**
 * The native addon, loaded on first use through require: a run that hashes nothing never loads it,
 * and code bundling the catalog (esbuild) does not try to inline a .node file.
 */
function hasher(): Xxh3 {
  return (xxh3 ??= (createRequire(import.meta.url)("@node-rs/xxhash") as typeof import("@node-rs/xxhash")).xxh3);
}

/** The folder holding the cache state of the project at `root`. */
export function cacheDir(root: string): string {
  return join(root, ".mlc", "cache");
}

/** A short stable digest of a string (keys, file names); not for data content. */
export function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

/**
 * Writes `data` to `path` over what is there, then cuts the file to its length: the cache's own
 * files (node states, memos, kept values), never a dataset. Neither a rename (a replacing rename
 * costs several times the write) nor a truncation to zero first (ext4 then flushes the file on
 * close, its guard against empty files after a power cut, and the rewrite waits for the disk).
 * Not synced: what a crash tears fails to parse or to match its recorded size and hash, and its
 * reader takes it as absent. Creates the folder on first use.
 */
export function overwrite(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o644);
  }
  try {
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off, off);
    ftruncateSync(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

/** The version of bytes in memory, in the form of a file's (size, then xxh3). */
export function bytesVersion(bytes: Uint8Array): string {
  return `${bytes.length.toString(36)}-${hex(hasher().Xxh3.withSeed(0n).update(bytes).digest())}`;
}

const hex = (h: bigint) => h.toString(16).padStart(16, "0");

/**
 * Hashes a file's bytes: a file of at most CHUNK bytes in one synchronous read, a larger one
 * streamed through a buffer of CHUNK. A buffer sized to the file, not to CHUNK: a 4 MB buffer per
 * small output is external memory the garbage collector runs for, on every node of a run.
 */
export async function hashFileBytes(path: string, size: number): Promise<string> {
  const h = hasher().Xxh3.withSeed(0n);
  if (size <= CHUNK) h.update(readFileSync(path));
  else {
    const fh = await fsp.open(path, "r");
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        h.update(buf.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
  }
  return hex(h.digest());
}

/** The path (project-relative inside the project) is kept so `mlc cache gc` can drop memos of files that are gone. */
export type Memo = readonly [size: number, mtimeMs: number, ino: number, hash: string, path: string];

/**
 * The content version of a file or folder at `path` (absolute), or null when nothing is there.
 * The stat and the memo read are synchronous: both are tiny, and an up-to-date run rechecks every
 * output this way, where the thread pool's round trips would cost more than the calls themselves.
 */
export async function contentVersion(root: string, path: string): Promise<string | null> {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return null;
  if (st.isDirectory()) return folderVersion(root, path);
  if (!st.isFile()) return null;
  return fileVersion(root, path, st);
}

/** `path` relative to the project root when it lies inside it (with `/`), else as given. */
export function projectPath(root: string, path: string): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : path;
}

async function fileVersion(root: string, path: string, st: Stats): Promise<string> {
  // Keyed and recorded by the project-relative path: a moved checkout keeps its memos (mv keeps
  // size, mtime and inode), and none holds a machine's absolute path.
  const key = projectPath(root, path);
  const memoPath = join(cacheDir(root), "hashes", `${digest(key)}.json`);
  const memo = readMemo(memoPath);
  if (memo && memo[0] === st.size && memo[1] === st.mtimeMs && memo[2] === st.ino) return memo[3];
  const hash = `${st.size.toString(36)}-${await hashFileBytes(path, st.size)}`;
  const fresh: Memo = [st.size, st.mtimeMs, st.ino, hash, key];
  try {
    overwrite(memoPath, JSON.stringify(fresh));
  } catch {
    // a memo that cannot be written only costs a re-hash
  }
  return hash;
}

function readMemo(memoPath: string): Memo | null {
  try {
    return JSON.parse(readFileSync(memoPath, "utf8")) as Memo;
  } catch {
    return null;
  }
}

/** A folder's version: its files' relative paths and versions, in sorted order. */
async function folderVersion(root: string, dir: string): Promise<string> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const parts: string[] = [];
  for (const f of files) parts.push(`${relative(dir, f)}\0${await contentVersion(root, f)}`);
  return `d-${digest(parts.join("\n"))}`;
}
