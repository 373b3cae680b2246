// Remembers experiment ids per server and name (`.mlc/outbox/experiments.json`), so a run on a
// known experiment starts with one request (create run) instead of two. A stale entry (experiment
// deleted or gone) makes create-run fail; the caller then forgets it and looks the name up.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { outboxDir } from "./outbox.js";

const file = (root: string) => join(outboxDir(root), "experiments.json");

function read(root: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file(root), "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

/** The remembered experiment id, or null. */
export function cachedExperiment(root: string, uri: string, name: string): string | null {
  return read(root)[`${uri} ${name}`] ?? null;
}

/** Remembers (or, with null, forgets) an experiment id; best effort, never throws. */
export function rememberExperiment(root: string, uri: string, name: string, id: string | null): void {
  try {
    const all = read(root);
    const key = `${uri} ${name}`;
    if (id === null) delete all[key];
    else if (all[key] === id) return;
    else all[key] = id;
    const tmp = `${file(root)}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(all, null, 1));
    renameSync(tmp, file(root));
  } catch {
    // a cache: losing it costs one request
  }
}
