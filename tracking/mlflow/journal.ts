// The MLflow mirror of a run under tracking.delivery: background, on the run's own time: a
// journal. The run appends what happened, raw and in order, to `.mlc/outbox/<run_id>.journal`
// (its start, then logging, dataset inputs and node runs as they come, then its end), and
// touches nothing MLflow-specific: the deliverer replays the journal through the tracker
// (tracker.ts, replayJournal), which shapes it into the outbox a run under wait writes itself
// (keys, batches, tags, long params), and delivers it. A short run thus loads neither the
// tracker nor the HTTP client (W7). A run still going after its first second (liveAfterMs)
// adopts its journal into the tracker in-process and streams live from then on.
//
// What stays on the run's time is what only the run can do: refusing a parameter over MLflow's
// limit under long_params_strategy: fail (MLC7002, before any node runs), snapshotting logged
// artifacts (a later run may overwrite them), and warning about keys MLflow cannot take.
import { closeSync, mkdirSync, openSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { MlcError } from "../../compiler/diagnostics.js";
import type { IRNode } from "../../compiler/types.js";
import type { Hooks } from "../hooks.js";
import type { RunRecord } from "../run-record.js";
import type { RunSink } from "../sink.js";
import { handOff, warnStale } from "./background.js";
import { applyLongParams, flattenParams, LIMITS, ParamValues, sanitizeKey } from "./batcher.js";
import { liveAfterMs, type TrackingConfig } from "./config.js";
import { journalFile, keyProblem, type JournalEvent, type JournalStart, type StoredConfig } from "./journal-format.js";
import { safeUri } from "./options.js";
import { outboxDir, sharedGraph, snapshotInto } from "./outbox.js";
import { runUser } from "./run-info.js";
import type { Tracking, TrackingStartOptions } from "./tracker.js";
import { warn } from "./warn.js";

// What a tracked run needs before it knows its delivery mode (mlflow-session.ts).
export { deliveryFromEnv, trackingFor } from "./config.js";
// For the build's code-cache warm-up (scripts/warm-tracker.mjs): where a run looks for its deliverer.
export { delivererFile } from "./background.js";
export { clientOptionsFromEnv } from "./options.js";

type TrackerModule = typeof import("./tracker.js");
let loadTracker: () => Promise<TrackerModule> = () => import("./tracker.js") as Promise<TrackerModule>;

/**
 * How this module imports the tracker (a run going live). The build runs this module as a script
 * through V8's code cache (dist/tracking/mlflow/journal.js loads journal.cjs), where `import()`
 * is not available: that loader hands its own import over here.
 */
export function useTrackerLoader(load: () => Promise<TrackerModule>): void {
  loadTracker = load;
}

const FLUSH_MS = 250;
const FLUSH_EVENTS = 1000;

/**
 * Starts the journal of a run under delivery: background (`cfg` resolved, tracking on, the URI
 * checked). MLC7002 for a parameter over the length limit under long_params_strategy: fail.
 */
export function startJournal(o: TrackingStartOptions, cfg: TrackingConfig): Tracking {
  const flat = flattenParams(o.params, cfg);
  const long = applyLongParams(Object.entries(flat).map(([key, value]) => ({ key, value })), cfg.longParamsStrategy);
  if (long.tooLong.length) {
    throw new MlcError("MLC7002", `parameter${long.tooLong.length > 1 ? "s" : ""} ${long.tooLong.map((k) => `"${k}"`).join(", ")} longer than MLflow's 6000-character limit (tracking.params.long_params_strategy: fail; use truncate or tag to log ${long.tooLong.length > 1 ? "them" : "it"} anyway)`);
  }
  // Kept flattened (strings): a value JSON cannot hold (NaN from YAML's .nan) stays as MLflow gets it.
  const j = new Journal(o, cfg, flat);
  return { sink: j, hooks: j.hooks(), finish: (r) => j.finish(r), handoff: () => j.handoff() };
}

/** What the journal keeps of the settings: everything but how to reach the server (no secrets). */
function storedConfig(cfg: TrackingConfig): StoredConfig {
  const { client: _client, uiHost: _h, uiPort: _p, ...rest } = cfg;
  return rest;
}

class Journal implements RunSink {
  private readonly root: string;
  private readonly file: string;
  private fd: number | null;
  /** Events not yet written (flushed every FLUSH_MS, at FLUSH_EVENTS, and at the end). */
  private buf: JournalEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Artifact events not yet snapshotted, and the snapshots made. */
  private artifacts = 0;
  private stored = 0;
  private readonly issues: string[] = [];
  private readonly keys = new Map<string, string | null>();
  private readonly paramValues = new ParamValues();
  /** The tracker this run went live with (after LIVE_AFTER_MS), and its adoption while under way. */
  private live: Tracking | null = null;
  private adopting: Promise<void> | null = null;
  private liveTimer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(private readonly o: TrackingStartOptions, private readonly cfg: TrackingConfig, params: Record<string, string>) {
    this.root = o.project.root;
    const dir = outboxDir(this.root);
    this.file = journalFile(this.root, o.runId);
    const who = runUser();
    let graph: string | null = null;
    if (o.graphIr !== undefined && o.graphHash) graph = sharedGraph(this.root, o.graphHash, o.graphIr);
    // The first write creates the folder (a run's first journal in this project).
    this.fd = openJournal(this.file, dir);
    if (o.graphIr !== undefined && graph === null) graph = snapshotText(join(dir, o.runId, "graph.ir.json"), o.graphIr);
    const start: JournalStart = {
      t: "journal", v: 1, run_id: o.runId, pid: process.pid, ...who, uri: safeUri(cfg.client!.uri), start_time: Date.now(),
      pipeline: o.pipeline, executor: o.executor, command: o.command, env: o.env, git_commit: o.gitCommit ?? null,
      cfg: storedConfig(cfg), params, graph,
    };
    writeAll(this.fd, JSON.stringify(start) + "\n");
    warnStale(this.root, o.runId);
    this.liveTimer = setTimeout(() => void this.goLive(), liveAfterMs());
    this.liveTimer.unref();
  }

  logMetric(key: string, value: number, step?: number): void {
    if (this.live) return this.live.sink.logMetric(key, value, step);
    try {
      if (!this.key(key, "metric")) return;
      const v = typeof value === "number" ? value : Number(value);
      this.push(["m", key, Number.isFinite(v) ? v : String(v), Number.isInteger(step) ? (step as number) : 0, Date.now()]);
    } catch {
      // a sink never throws into node code
    }
  }

  logParam(key: string, value: unknown): void {
    if (this.live) return this.live.sink.logParam(key, value);
    try {
      const k = this.key(key, "param");
      const s = k && this.paramValues.take(k, value, (p) => this.issue(p));
      if (!k || s === null) return;
      if (s.length > LIMITS.paramValueLength && this.cfg.longParamsStrategy === "fail") this.issue(`param "${k}" is longer than MLflow's 6000-character limit (long_params_strategy: fail); not sent`);
      this.push(["p", key, s]);
    } catch {
      // never throws
    }
  }

  setTag(key: string, value: string): void {
    if (this.live) return this.live.sink.setTag(key, value);
    try {
      if (this.key(key, "tag")) this.push(["t", key, String(value)]);
    } catch {
      // never throws
    }
  }

  logArtifact(localPath: string, artifactPath?: string): void {
    if (this.live) return this.live.sink.logArtifact(localPath, artifactPath);
    if (typeof localPath !== "string" || !localPath) return;
    this.artifacts++;
    this.push(["a", localPath, artifactPath ? artifactPath.replace(/^\/+|\/+$/g, "") || null : null]);
  }

  /** Dataset inputs (file-backed datasets only) and, under nested_runs: nodes, the node runs. */
  hooks(): Hooks {
    const files = new Map(this.o.project.selected.datasets.filter((d) => d.persistent && d.filepath).map((d) => [d.name, d.filepath!]));
    const seen = new Set<string>();
    const out: Hooks = {};
    if (files.size) {
      out.afterDatasetLoaded = (name, data, node) => {
        if (this.live) return this.live.hooks.afterDatasetLoaded?.(name, data, node);
        const filepath = files.get(name);
        if (filepath === undefined || seen.has(name)) return;
        seen.add(name);
        this.push(["i", name, join(this.root, filepath), filepath]);
      };
    }
    if (this.cfg.nestedRuns === "nodes") {
      out.beforeNodeRun = (node: IRNode, inputs, info) => (this.live ? this.live.hooks.beforeNodeRun?.(node, inputs, info) : this.push(["cs", node.name, Date.now()]));
      out.afterNodeRun = (node: IRNode, inputs, outputs, info) => (this.live ? this.live.hooks.afterNodeRun?.(node, inputs, outputs, info) : this.push(["ce", node.name, "FINISHED", Date.now()]));
      out.onNodeError = (node: IRNode, error, inputs, info) => (this.live ? this.live.hooks.onNodeError?.(node, error, inputs, info) : this.push(["ce", node.name, "FAILED", Date.now()]));
    }
    return out;
  }

  async finish(record: RunRecord): Promise<RunRecord["mlflow"] | null> {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    this.ended = true;
    await this.adopting;
    if (this.live) return this.live.finish(record);
    this.push({ t: "end", status: record.status, finished_at: record.finished_at ?? new Date().toISOString(), git_commit: record.git_commit ?? null });
    await this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    for (const p of this.issues.slice(0, 5)) warn("MLC7002", p);
    return null;
  }

  handoff(): void {
    if (this.live) return this.live.handoff();
    handOff(this.root, this.o.env, this.cfg.client, this.o.runId);
  }

  /** The key as MLflow gets it (null: not usable, warned at the end). */
  private key(key: unknown, what: string): string | null {
    if (typeof key !== "string" || key === "") return null;
    let k = this.keys.get(key);
    if (k === undefined) {
      k = sanitizeKey(key);
      this.keys.set(key, k);
      if (k === null) this.issue(keyProblem(key, what));
    }
    return k;
  }

  private issue(msg: string): void {
    if (this.issues.length < 100 && !this.issues.includes(msg)) this.issues.push(msg);
  }

  private push(e: JournalEvent): void {
    this.buf.push(e);
    if (this.adopting || this.ended) return;
    if (this.buf.length >= FLUSH_EVENTS) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what is buffered (artifacts snapshotted first, in order); never throws. */
  private flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const p = this.writing.then(async () => {
      const events = this.buf.splice(0);
      if (!events.length || this.fd === null) return;
      try {
        if (this.artifacts > 0) await this.snapshotArtifacts(events);
        writeAll(this.fd, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
      } catch (err) {
        warn("MLC7001", `could not write the MLflow journal ${this.file}: ${(err as Error).message}; this run's mirror may be incomplete`);
      }
    });
    this.writing = p;
    return p;
  }

  /** Artifact events point at the run's own copy (`<outbox>/<run_id>/j<n>/<name>`) once written. */
  private async snapshotArtifacts(events: JournalEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (!Array.isArray(e) || e[0] !== "a") continue;
      this.artifacts--;
      const dest = join(outboxDir(this.root), this.o.runId, `j${++this.stored}`, basename(e[1]));
      try {
        await snapshotInto(e[1], dest);
        events[i] = ["a", dest, e[2], true];
      } catch {
        this.issue(`artifact ${e[1]} does not exist; not sent`);
        events.splice(i--, 1);
      }
    }
  }

  /**
   * A run still going after liveAfterMs(): the tracker adopts the journal (replays it into the
   * run's outbox, which it then holds) and streams from here on. Logging meanwhile is buffered and
   * handed over after the journal; if the tracker cannot be loaded the journal simply goes on.
   */
  private goLive(): void {
    if (this.ended || this.live || this.adopting) return;
    this.adopting = (async () => {
      try {
        await this.writing;
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        const { adoptJournal } = await loadTracker();
        const live = await adoptJournal(this.o, this.cfg, this.file, () => this.buf.splice(0));
        if (this.fd !== null) closeSync(this.fd);
        this.fd = null;
        try {
          unlinkSync(this.file);
        } catch {
          // already gone
        }
        this.live = live.tracking;
        live.go(this.buf.splice(0));
      } catch (err) {
        warn("MLC7001", `could not start streaming to MLflow (${(err as Error).message}); the run is delivered when it ends`);
      } finally {
        this.adopting = null;
        if (!this.live && this.buf.length && !this.ended) void this.flush();
      }
    })();
  }
}

function openJournal(file: string, dir: string): number {
  try {
    return openSync(file, "a");
  } catch {
    mkdirSync(dir, { recursive: true }); // the project's first journal
    return openSync(file, "a");
  }
}

/** The graph IR of a run whose graph has no hash: kept with the run's own files. */
function snapshotText(file: string, text: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, "utf8");
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
}
