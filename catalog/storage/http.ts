// `http(s)://`: read only, through Node's fetch. A save is a clear error, never a silent no-op.
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";
import { idleTimeoutMs, noAnswer, shownUrl, StorageError, type ObjectStat, type Storage } from "./storage.js";

/** An AbortSignal that fires once idleTimeoutMs() pass without a touch (headers, then each body chunk). */
function idleSignal(): { signal: AbortSignal; touch: () => void; stop: () => void } {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), idleTimeoutMs());
  return { signal: ac.signal, touch: () => void timer.refresh(), stop: () => clearTimeout(timer) };
}

/** `fn` under an idle limit; a request it cut is "unreachable", saying how long nothing came. */
async function idle<T>(url: string, fn: (i: ReturnType<typeof idleSignal>) => Promise<T>): Promise<T> {
  const i = idleSignal();
  try {
    return await fn(i);
  } catch (err) {
    if (i.signal.aborted) throw new StorageError(`cannot reach ${shownUrl(url)} (${noAnswer()})`, "unreachable");
    if (err instanceof StorageError) throw err;
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new StorageError(`cannot reach ${shownUrl(url)} (${cause})`, "unreachable");
  } finally {
    i.stop();
  }
}

function statusError(url: string, res: Response): StorageError {
  const at = shownUrl(url);
  if (res.status === 404) return new StorageError(`not found (HTTP 404): ${at}`, "not-found");
  if (res.status === 401 || res.status === 403)
    return new StorageError(`access denied (HTTP ${res.status}): ${at}`, "denied");
  return new StorageError(`HTTP ${res.status} ${res.statusText} from ${at}`, "other");
}

export const httpStorage: Storage = {
  async download(url, dest) {
    await idle(url, async ({ signal, touch }) => {
      const res = await fetch(url, { signal });
      if (!res.ok || !res.body) throw statusError(url, res);
      const moving = async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) {
          touch();
          yield c;
        }
      };
      await pipeline(Readable.fromWeb(res.body as ReadableStream), moving, createWriteStream(dest));
    });
  },
  async upload(url) {
    throw new StorageError(`${shownUrl(url)} is read-only: http(s) datasets can be loaded, not saved`, "read-only");
  },
  async stat(url): Promise<ObjectStat | null> {
    const res = await idle(url, ({ signal }) => fetch(url, { method: "HEAD", signal }));
    if (res.status === 404) return null;
    if (!res.ok) throw statusError(url, res);
    const modified = res.headers.get("last-modified");
    const etag = res.headers.get("etag");
    return {
      size: Number(res.headers.get("content-length") ?? 0),
      mtimeMs: modified ? Date.parse(modified) : 0,
      ...(etag ? { etag: etag.replace(/^W\//, "").replace(/"/g, "") } : {}),
    };
  },
  async copy(_from, to) {
    throw new StorageError(`${shownUrl(to)} is read-only: http(s) datasets can be loaded, not saved`, "read-only");
  },
  async remove(urls) {
    throw new StorageError(`${shownUrl(urls[0] ?? "")} is read-only: http(s) objects cannot be deleted`, "read-only");
  },
  async list(url) {
    throw new StorageError(
      `${shownUrl(url)}: an http(s) URL cannot be listed (partitioned needs s3:// or a folder)`,
      "other",
    );
  },
};
