// Remote objects pass through a local temporary file: a download streams into it before the
// format reads it, a format writes it before it is uploaded. So every format keeps reading and
// writing files (in one pass, never the whole object in memory) and the remote store only ever
// sees complete objects. The temporary folder is removed whatever happens.
import { promises as fsp } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Storage } from "./storage.js";

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fsp.mkdtemp(join(tmpdir(), "mlc-stage-"));
  try {
    return await fn(dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** The last path segment of a URL (the staged file keeps the object's name and extension). */
export function urlBasename(url: string): string {
  return url.replace(/\/+$/, "").split("/").pop() || "object";
}

/** Downloads `url` into a temporary file and returns what `read` makes of it. */
export function readStaged<T>(storage: Storage, url: string, read: (path: string) => Promise<T>): Promise<T> {
  return inTempDir(async (dir) => {
    const path = join(dir, urlBasename(url));
    await storage.download(url, path);
    return read(path);
  });
}

/** Lets `write` create a temporary file, then uploads it to `url` in one atomic PUT or multipart upload. */
export function writeStaged(storage: Storage, url: string, write: (path: string) => Promise<void>): Promise<void> {
  return inTempDir(async (dir) => {
    const path = join(dir, urlBasename(url));
    await write(path);
    await storage.upload(url, path);
  });
}
