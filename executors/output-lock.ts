// One writer at a time: a run claims the persisted outputs it may write before any node runs, in
// `.mlc/locks/<run_id>.json` (run id, pid and start time, the outputs). A second run that needs
// any of them is refused (MLC2004) naming the holder. A claim is void once its process is gone or
// its run has ended, so a crashed run never blocks the next one. Claiming is "write, then look":
// of two runs starting at the same instant at most one goes on (possibly neither), never both.
// The same pass removes the temporary files crashed writers left next to those outputs.
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { removeTemps, writeFileAtomicSync } from "../catalog/atomic.js";
import { isAlive, selfIdentity, type ProcessIdentity } from "../catalog/process-identity.js";
import { MlcError } from "../compiler/diagnostics.js";
import type { DatasetConfig, IRDataset } from "../compiler/types.js";
import { shownPath } from "../catalog/datasets/file.js";
import { readRun } from "../runs/store.js";
import type { RunPlan } from "./executor.js";

/** One output a run may write: `key` is its absolute path (or URL, or `dataset:<name>` without a path). */
interface Target {
  readonly name: string;
  readonly key: string;
  /** Local folders where its temporary files live; for a versioned one, each version folder under `versions`. */
  readonly dirs: readonly string[];
  readonly versions: string | null;
}

interface Claim {
  readonly run_id: string;
  readonly process: ProcessIdentity;
  readonly command: string;
  readonly outputs: readonly { readonly name: string; readonly key: string }[];
}

/** A held claim; `release()` gives the outputs back (also done when the process exits). */
export interface OutputLock {
  release(): void;
}

const held = new Set<string>();
const sweepAtExit = new Set<Target>();

/**
 * Claims the persisted outputs of `plan` for run `runId` under `root`, after removing dead
 * writers' temporary files next to them; throws MLC2004 when a live run holds any of them.
 */
export function lockOutputs(
  root: string,
  plan: RunPlan,
  runId: string,
  command: string,
  warn: (message: string) => void,
): OutputLock {
  const targets = outputTargets(root, plan);
  for (const d of tempDirs(targets)) removeTemps(d, "dead");
  const dir = join(root, ".mlc", "locks");
  const file = join(dir, `${runId}.json`);
  const outputs = targets.map(({ name, key }) => ({ name, key }));
  const claim: Claim = { run_id: runId, process: selfIdentity(), command, outputs };
  const written = writeClaim(file, claim, warn);
  removeTemps(dir, "dead");
  const conflict = findConflict(root, dir, claim);
  if (conflict) {
    release(file);
    throw lockedError(root, conflict.holder, conflict.names);
  }
  installExitHook();
  for (const t of targets) sweepAtExit.add(t);
  return { release: () => written && release(file) };
}

/** Writes the claim; a state folder that cannot take it (full disk, read-only) warns, as a run record does. */
function writeClaim(file: string, claim: Claim, warn: (m: string) => void): boolean {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomicSync(file, JSON.stringify(claim, null, 2) + "\n");
    held.add(file);
    return true;
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    warn(`could not claim this run's outputs in .mlc/locks (${why}): a run started now could write them too`);
    return false;
  }
}

/** The persisted outputs the plan's nodes write (metrics only mirrored to MLflow are not files). */
function outputTargets(root: string, plan: RunPlan): Target[] {
  const byName = new Map(plan.graph.datasets.map((d) => [d.name, d]));
  const names = new Set(plan.graph.nodes.flatMap((n) => n.outputs));
  const out: Target[] = [];
  for (const name of [...names].sort()) {
    const d = byName.get(name);
    if (d && d.persistent && d.type !== "mlflow.metric" && d.type !== "mlflow.metrics") out.push(targetOf(root, d));
  }
  return out;
}

function targetOf(root: string, d: IRDataset): Target {
  const name = d.name;
  let raw: string | undefined;
  let versioned = false;
  // A wrapper (mlflow.artifact) writes the file of the dataset it wraps.
  for (let c: DatasetConfig | undefined = d.config; c && raw === undefined; c = c.dataset) {
    const p = c.filepath ?? c.path;
    raw = typeof p === "string" && p !== "" ? p : undefined;
    versioned ||= c.versioned === true;
  }
  if (raw === undefined) return { name, key: `dataset:${name}`, dirs: [], versions: null };
  if (/^[a-z][\w+.-]*:\/\//i.test(raw)) return { name, key: raw, dirs: [], versions: null };
  const abs = resolve(root, raw);
  // A versioned save writes `<abs>/<version>/<name>`; a partitioned one writes inside `abs`.
  if (versioned) return { name, key: abs, dirs: [], versions: abs };
  return { name, key: abs, dirs: d.type === "partitioned" ? [dirname(abs), abs] : [dirname(abs)], versions: null };
}

/** The folders where temporary files of `targets` live, each once. */
function tempDirs(targets: Iterable<Target>): Set<string> {
  const out = new Set<string>();
  for (const t of targets) for (const d of t.versions ? subfolders(t.versions) : t.dirs) out.add(d);
  return out;
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

/** The first live claim sharing an output with `mine` (void claims are removed on the way). */
function findConflict(root: string, dir: string, mine: Claim): { holder: Claim; names: string[] } | null {
  const keys = new Map(mine.outputs.map((o) => [o.key, o.name]));
  for (const name of listDir(dir)
    .filter((n) => n.endsWith(".json") && n !== `${mine.run_id}.json`)
    .sort()) {
    const other = readClaim(join(dir, name));
    if (!other) continue;
    if (!isLive(root, other)) {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    const names = other.outputs.filter((o) => keys.has(o.key)).map((o) => keys.get(o.key)!);
    if (names.length > 0) return { holder: other, names };
  }
  return null;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readClaim(path: string): Claim | null {
  try {
    const c = JSON.parse(readFileSync(path, "utf8")) as Claim;
    return typeof c.run_id === "string" && typeof c.process?.pid === "number" && Array.isArray(c.outputs) ? c : null;
  } catch {
    return null; // being written (never: it is renamed in whole) or foreign: not a claim
  }
}

/** A claim holds while its process runs and its run has not ended (its record may not exist yet). */
function isLive(root: string, c: Claim): boolean {
  if (!isAlive({ pid: c.process.pid, start: String(c.process.start ?? "") })) return false;
  const record = readRun(root, c.run_id);
  return record === null || record.status === "running";
}

function lockedError(root: string, holder: Claim, names: string[]): MlcError {
  const pid = holder.process.pid;
  const shown = names.map((n) => `"${n}"`).join(", ");
  const claim = shownPath(root, join(root, ".mlc", "locks", `${holder.run_id}.json`));
  const message =
    `run ${holder.run_id} (pid ${pid}, \`${holder.command}\`) is writing ${shown}, which this run writes too; ` +
    `wait until it ends (mlc runs show ${holder.run_id}), or stop it (kill ${pid}) and run again ` +
    `(its claim, ${claim}, lapses by itself once pid ${pid} is gone)`;
  return new MlcError("MLC2004", message);
}

function release(file: string): void {
  held.delete(file);
  rmSync(file, { force: true });
}

let hooked = false;

/** On exit (also Ctrl-C and a second Ctrl-C): drop the claims and the temporary files of saves cut short. */
function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const file of held) rmSync(file, { force: true });
    for (const d of tempDirs(sweepAtExit)) removeTemps(d, "mine");
  });
}
