// Replacing a folder of objects at once (a partitioned dataset's `overwrite: true` on S3). An
// object store has no folder to rename, so the swap commits the way a database does: the new set
// is uploaded under a sibling staging prefix (the slow part, where most failures happen), then one
// small marker object records the swap (the commit point), then the staged objects are copied
// over server-side, the old ones the new set lacks deleted, and the marker and staging removed.
// A failure before the marker leaves the old set as it was; after it, the next listing of the
// folder (any mlc load, exists or version) completes the swap first. So mlc readers see the old
// set or the new one, never a mix; other tools reading the prefix mid-copy may.
import { promises as fsp } from "node:fs";
import { basename } from "node:path";
import { tempPathFor } from "../atomic.js";
import { readStaged, writeStaged } from "./staged.js";
import { joinUrl, shownUrl, StorageError, type Storage } from "./storage.js";

interface Marker {
  /** The staging prefix's last segment (a sibling of the folder). */
  readonly staging: string;
  /** The new set's keys, relative to the folder. */
  readonly keys: readonly string[];
}

/** Copies in flight at once: each is one server-side request. */
const PARALLEL = 16;

/** The folder's parent URL and last segment; a bucket root has no sibling to stage in. */
function split(dir: string): { parent: string; name: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]+:\/\/[^/]+\/(?:.*\/)?)([^/]+)\/*$/.exec(dir);
  if (!m)
    throw new StorageError(
      `${shownUrl(dir)}: overwrite: true replaces a folder under the bucket, not the bucket root`,
      "other",
    );
  return { parent: m[1], name: m[2] };
}

const markerUrl = (dir: string) => {
  const { parent, name } = split(dir);
  return `${parent}.${name}.swap.json`;
};

/** Writes the new set with `fill(staging)` and swaps it in for the objects under `dir`. */
export async function replacePrefix(
  storage: Storage,
  dir: string,
  fill: (staging: string) => Promise<void>,
): Promise<void> {
  const { parent, name } = split(dir);
  const marker: Marker = { staging: basename(tempPathFor(name)), keys: [] };
  const staging = parent + marker.staging;
  let keys: string[];
  try {
    await recoverPrefix(storage, dir); // an earlier cut swap first: its marker would be overwritten
    await fill(staging);
    keys = await storage.list(staging);
    await writeStaged(storage, markerUrl(dir), (p) => fsp.writeFile(p, JSON.stringify({ ...marker, keys })));
  } catch (err) {
    await removeUnder(storage, staging).catch(() => {});
    throw err;
  }
  await complete(storage, dir, { ...marker, keys });
}

/** Completes a swap of `dir` that was committed (its marker exists) but not finished. */
export async function recoverPrefix(storage: Storage, dir: string): Promise<void> {
  const url = markerUrl(dir);
  if (!(await storage.stat(url))) return;
  const marker = await readStaged(storage, url, async (p) => JSON.parse(await fsp.readFile(p, "utf8")) as Marker);
  if (typeof marker?.staging !== "string" || !Array.isArray(marker.keys))
    throw new StorageError(`${shownUrl(url)} is not a swap marker mlc wrote: remove it`, "other");
  await complete(storage, dir, marker);
}

async function complete(storage: Storage, dir: string, m: Marker): Promise<void> {
  const staging = split(dir).parent + m.staging;
  try {
    for (let i = 0; i < m.keys.length; i += PARALLEL)
      await Promise.all(m.keys.slice(i, i + PARALLEL).map((k) => storage.copy(joinUrl(staging, k), joinUrl(dir, k))));
  } catch (err) {
    // Another process may have completed this swap (and removed the staging) meanwhile.
    if (await storage.stat(markerUrl(dir))) throw err;
    return;
  }
  const keep = new Set(m.keys);
  const stale = (await storage.list(dir)).filter((k) => !keep.has(k));
  if (stale.length) await storage.remove(stale.map((k) => joinUrl(dir, k)));
  await storage.remove([markerUrl(dir)]);
  await removeUnder(storage, staging);
}

async function removeUnder(storage: Storage, prefix: string): Promise<void> {
  const keys = await storage.list(prefix);
  if (keys.length) await storage.remove(keys.map((k) => joinUrl(prefix, k)));
}
