// One storage interface under every file dataset: a filepath is a local path, `s3://bucket/key`
// or `http(s)://` (read only). Datasets never branch on it: a remote object is staged through a
// local temporary file (streamed, never held in memory) and the formats read and write files.

/** What a stored object is, without reading it: enough for content versions (never download to hash). */
export interface ObjectStat {
  readonly size: number;
  readonly mtimeMs: number;
  /** S3 ETag or HTTP ETag (quotes stripped); local files have none. */
  readonly etag?: string;
  /** Local files only: with size and mtime, what a content-version memo keys on. */
  readonly ino?: number;
}

/** A remote store of objects addressed by URL. */
export interface Storage {
  /** Streams the object at `url` into the local file `dest`. */
  download(url: string, dest: string): Promise<void>;
  /** Uploads the complete local file `file` atomically: the object appears whole or not at all. */
  upload(url: string, file: string): Promise<void>;
  /** The object's size, mtime and ETag, or null when there is none. */
  stat(url: string): Promise<ObjectStat | null>;
  /** Keys under the folder `url` (relative to it, `/`-separated, sorted), every page of the listing. */
  list(url: string): Promise<string[]>;
  /** Copies one object to another URL of the same store, server-side (no bytes through mlc). */
  copy(from: string, to: string): Promise<void>;
  /** Deletes the objects (partitioned overwrite: partitions the new set lacks). */
  remove(urls: readonly string[]): Promise<void>;
}

/** A failure of a storage request, with a message that names the URL and never a credential. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly kind: "not-found" | "denied" | "unreachable" | "read-only" | "other",
  ) {
    super(message);
  }
}

/**
 * How long a request to a remote store may go without a byte either way before it is cut
 * (MLC_STORAGE_TIMEOUT_MS, default 30 s): an idle limit, not a total one, so a long transfer that
 * keeps moving is never cut, and a server that stops answering never hangs a run.
 */
export function idleTimeoutMs(): number {
  const v = Number(process.env.MLC_STORAGE_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 30_000;
}

/** The words a timed-out request's error ends with. */
export function noAnswer(): string {
  return `no answer within ${idleTimeoutMs() / 1000} s`;
}

/** URL schemes a filepath may use; anything else is MLC2003 at validate. */
export const SUPPORTED_SCHEMES = ["s3", "http", "https"] as const;

// Two letters or more: `C:\data` is a Windows path, not a URL.
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):\/\//;

/** The URL scheme of a filepath (`s3`, `gcs`, ...), or null for a local path. */
export function schemeOf(path: string): string | null {
  const m = SCHEME.exec(path);
  return m ? m[1].toLowerCase() : null;
}

/** True for a filepath that names an object in a remote store. */
export function isRemote(path: string): boolean {
  return schemeOf(path) !== null;
}

/** A remote URL with a trailing `/` removed and segments joined by `/`. */
export function joinUrl(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ""), ...parts].join("/");
}

/** True when a URL's path climbs with `..` or `.` segments (a key would leave its declared prefix). */
export function hasDotSegment(url: string): boolean {
  const path = url.replace(SCHEME, "").split(/[?#]/)[0];
  return path.split("/").some((s) => s === ".." || s === ".");
}

/** A URL as shown in messages: any user:password part removed. */
export function shownUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]+:\/\/)[^/@]*@/, "$1");
}

/** The storage of `url`, configured from the dataset's credentials entry (else the environment). */
export async function storageFor(url: string, credentials: unknown): Promise<Storage> {
  const scheme = schemeOf(url);
  if (scheme === "s3") return (await import("./s3.js")).s3Storage(credentials);
  if (scheme === "http" || scheme === "https") return (await import("./http.js")).httpStorage;
  throw new StorageError(`unsupported URL scheme "${scheme}" in ${shownUrl(url)}`, "other");
}
