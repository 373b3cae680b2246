// The MLflow mirror of one `mlc run`: a sink that only buffers (node code never waits on the
// network), hooks for inputs and nested node runs, and finish() that ends the MLflow run. Every
// operation goes to the outbox first (write-ahead), then a single background pump delivers it.
// A dead server is noticed once (health preflight) and costs nothing more; the outbox keeps
// everything for `mlc mlflow sync`. Errors never reach the run unless tracking.on_error: fail.
// delivery: background (the default outside CI) sends nothing during the first second: a short
// run only writes its outbox and hands it to a detached `mlc mlflow sync` (handoff()), so
// tracking costs it no round trip; a longer run streams live, and hands over what is left.
import { existsSync, rmSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { MlcError } from "../../compiler/diagnostics.js";
import type { CompiledProject } from "../../compiler/types.js";
import type { Hooks } from "../hooks.js";
import type { RunRecord } from "../run-record.js";
import { runsDir } from "../run-store.js";
import type { RunSink } from "../sink.js";
import { applyLongParams, flattenParams } from "./batcher.js";
import type { MlflowClient } from "./client.js";
import { liveAfterMs, trackingFor, type TrackingConfig } from "./config.js";
import type { Deliverer } from "./deliver.js";
import { LiveQueue } from "./live-queue.js";
import { handOff, warnStale } from "./background.js";
import { listJournals, peekJournal, readJournal, TORN_MS, type JournalEvent, type JournalStart, type JournalState } from "./journal-format.js";
import { warn } from "./warn.js";
import { safeUri, type ClientOptions } from "./options.js";
import { Outbox, outboxDir, readOutbox, removeOutbox, sharedGraph, tryLock, type ArtifactOp, type Op } from "./outbox.js";
import { defaultRunName, gitCommit, mlflowStatus, runTags, runUser } from "./run-info.js";

export interface TrackingStartOptions {
  project: CompiledProject;
  runId: string;
  pipeline: string;
  executor: string;
  command: string;
  env: string;
  params: Readonly<Record<string, unknown>>;
  /** The run's graph as IR JSON text: graph.json and pipeline.mmd are rendered from it when delivered. */
  graphIr?: string;
  /**
   * sha256 of graphIr, when known: the IR is then kept once per graph in the outbox
   * (graphs/<hash>.json), shared by every run of that graph instead of written by each.
   */
  graphHash?: string;
  /** HEAD's commit as the run record has it (undefined: looked up here). */
  gitCommit?: string | null;
  /** The graph IR already stored (a journal's): used instead of graphIr. */
  graphFile?: string | null;
  /** Pre-rendered graph.json / pipeline.mmd (used as they are when given instead of graphIr). */
  graphJson?: string;
  mermaid?: string;
}

export interface Tracking {
  sink: RunSink;
  hooks: Hooks;
  finish(record: RunRecord): Promise<RunRecord["mlflow"] | null>;
  /** After the final run record is written: spawns the background deliverer when something is left. */
  handoff(): void;
}

export { warn } from "./warn.js";

type DeliveryModule = typeof import("./delivery.js");
let loadDelivery: () => Promise<DeliveryModule> = () => import("./delivery.js");

/**
 * How this module imports delivery.js. The build runs this module as a script through V8's code
 * cache (dist/tracking/mlflow/tracker.js loads tracker.cjs), where `import()` is not available:
 * that loader hands its own import over here.
 */
export function useDeliveryLoader(load: () => Promise<DeliveryModule>): void {
  loadDelivery = load;
}

const FINISH_BUDGET_MS = () => Number(process.env.MLC_MLFLOW_FINISH_TIMEOUT_MS) || 30_000;
const CATCH_UP_MS = 5000;

/**
 * A tracker made from a run's journal: "convert" shapes a finished (or dead) run's journal into
 * its outbox for the deliverer, which holds the run's lock; "adopt" is the run itself going live
 * after its first second (it takes the lock, and streams once handed the rest: go()).
 */
interface FromJournal {
  readonly mode: "convert" | "adopt";
  readonly startedAt: number;
  readonly who: { user: string } | { uid: number };
}

/**
 * Starts mirroring a run; null when tracking is off (not configured, or the pipeline is in
 * disable_tracking.pipelines). Rejects with MlcError only for a parameter over the length limit
 * under long_params_strategy: fail, or (under on_error: fail) when the server is unusable.
 */
export async function startTracking(opts: TrackingStartOptions, resolved?: TrackingConfig): Promise<Tracking | null> {
  // `resolved`: the settings the caller resolved already (mlc run: trackingFor, then the mode).
  const cfg = resolved ?? trackingFor(opts.project, opts.pipeline);
  if (!cfg?.client) return null;
  const t = new LiveTracker(opts, cfg, cfg.client);
  await t.begin();
  return { sink: t.queue, hooks: t.hooks(), finish: (r) => t.finish(r), handoff: () => t.handoff() };
}

class LiveTracker {
  readonly queue: LiveQueue;
  private outbox!: Outbox;
  /** Loaded with the first delivery (a short background run never needs them). */
  private deliverer: Deliverer | null = null;
  private client: MlflowClient | null = null;
  private net: Promise<typeof import("./delivery.js")> | null = null;
  /** The server's printable URL (no credentials). */
  private readonly url: string;
  /** Operations not yet settled (delivered ones are dropped: a long run must not hold them all). */
  private ops: Op[] = [];
  private pumping: Promise<void> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private offline = false;
  private lastError: MlcError | null = null;
  private catching: Promise<unknown> | null = null;
  private releaseLock: (() => void) | null = null;
  private knownServer = false;
  private readonly startedAt: Date;
  /** Delivering from this process: always under wait; under background once the run is long. */
  private live: boolean;
  private liveTimer: NodeJS.Timeout | null = null;
  private handOff = false;
  private commit: string | null = null;

  constructor(private readonly o: TrackingStartOptions, private readonly cfg: TrackingConfig, private readonly clientOptions: ClientOptions, private readonly from?: FromJournal) {
    this.startedAt = new Date(from?.startedAt ?? Date.now());
    this.live = cfg.delivery === "wait";
    this.url = safeUri(clientOptions.uri);
    this.queue = new LiveQueue(cfg, o.runId, () => void this.flush().catch((err) => this.goOffline(new MlcError("MLC7001", `could not write the MLflow outbox: ${(err as Error).message}`))));
  }

  async begin(): Promise<void> {
    const flat = flattenParams(this.o.params, this.cfg);
    const kv = Object.entries(flat).map(([key, value]) => ({ key, value }));
    const long = applyLongParams(kv, this.cfg.longParamsStrategy);
    if (long.tooLong.length) {
      throw new MlcError("MLC7002", `parameter${long.tooLong.length > 1 ? "s" : ""} ${long.tooLong.map((k) => `"${k}"`).join(", ")} longer than MLflow's 6000-character limit (tracking.params.long_params_strategy: fail; use truncate or tag to log ${long.tooLong.length > 1 ? "them" : "it"} anyway)`);
    }
    // Locked before the outbox file exists: a deliverer must never take a new run's empty outbox
    // for a crashed one.
    if (this.from?.mode !== "convert") this.releaseLock = tryLock(this.o.project.root, this.o.runId);
    this.outbox = new Outbox(this.o.project.root, this.o.runId);
    const runName = this.cfg.runName ?? defaultRunName(this.o.pipeline, this.startedAt);
    const { root } = this.o.project;
    this.commit = this.o.gitCommit !== undefined ? this.o.gitCommit : gitCommit(root);
    const who = this.from?.who ?? runUser();
    const tags = runTags({ ...this.o, runName, root, commit: this.commit, user: "user" in who ? who.user : null });
    const start: Op = {
      t: "start", seq: 0, mlc_run_id: this.o.runId, uri: this.url, run_name: runName, start_time: this.startedAt.getTime(), tags, pid: process.pid, ...("uid" in who ? { uid: who.uid } : {}),
      experiment: {
        name: this.cfg.experimentName, restore_deleted: this.cfg.restoreDeleted, artifact_location: this.cfg.artifactLocation,
        tags: Object.entries(this.cfg.experimentTags).map(([key, value]) => ({ key, value })),
      },
    };
    this.queue.seedParams(long.params, long.tags);
    // One append for the start, the params and the graph artifacts (known now: under wait they
    // reach the server while the nodes run, not after); one fsync under wait (see append()).
    await this.append([start, ...(await this.queue.drain(this.outbox)), ...this.graphOps()]);
    if (!this.live) {
      if (this.from) return; // replaying: the journal's events come next
      warnStale(this.o.project.root, this.o.runId);
      this.liveTimer = setTimeout(() => {
        this.live = true;
        void this.flush();
      }, liveAfterMs());
      this.liveTimer.unref();
      return;
    }
    if (this.cfg.onError === "fail") {
      await this.pump();
      if (this.lastError) throw this.lastError;
    } else {
      void this.pump();
    }
  }

  hooks(): Hooks {
    return this.queue.hooks(this.o.project);
  }

  private async append(ops: Op[]): Promise<void> {
    // Not yet live under background: no fsync on the run's time (the page cache outlives a crash
    // of mlc; the deliverer syncs the file to disk before it sends anything).
    await this.outbox.append(ops, this.live);
    this.ops.push(...ops);
  }

  /** Moves buffered logging into the outbox (one flush at a time, so seq order is append order), then wakes the pump. */
  private flush(kick = true): Promise<void> {
    const p = this.flushing.then(async () => {
      const ops = await this.queue.drain(this.outbox);
      if (ops.length) await this.append(ops);
    });
    this.flushing = p.catch(() => {});
    return p.then(() => {
      if (kick && this.live && !this.offline) void this.pump();
    });
  }

  /** The one delivery loop: runs until nothing is pending or the server fails. */
  private pump(): Promise<void> {
    if (this.pumping) return this.pumping;
    this.pumping = (async () => {
      try {
        const d = this.deliverer ?? (await this.loadDeliverer());
        const client = this.client!;
        // Preflight on /health (cheap for the server, short timeout): a dead server costs seconds.
        // Not the first real request: a cold server answers those slowly (seconds) on first use.
        // With a server we used before (experiment id cached), delivery starts alongside it and
        // a failed preflight cancels it: one round trip less per run.
        let preflight: Promise<boolean> | null = null;
        if (this.ops.length && !d.link()) {
          preflight = client.health().then((ok) => (ok || client.abort(), ok));
          if (!this.knownServer && !(await preflight)) return this.goOffline(this.unhealthy());
        }
        while (this.pendingCount() > 0) {
          const res = await d.deliver(this.ops);
          if (preflight && !(await preflight)) return this.goOffline(this.unhealthy());
          preflight = null;
          this.ops = this.ops.filter((o) => !d.isSettled(o.seq));
          if (res.error) return this.goOffline(res.error);
          // Our run exists: now earlier runs left in the outbox for this server may follow.
          this.catching ??= this.sending().then((m) => m.catchUp(client, this.o.project.root, this.o.runId));
        }
      } catch (err) {
        this.goOffline(err instanceof MlcError ? err : new MlcError("MLC7001", String((err as Error).message)));
      } finally {
        this.pumping = null;
      }
    })();
    return this.pumping;
  }

  private sending(): Promise<typeof import("./delivery.js")> {
    return (this.net ??= loadDelivery());
  }

  private async loadDeliverer(): Promise<Deliverer> {
    const m = await this.sending();
    const client = (this.client ??= new m.MlflowClient(this.clientOptions));
    this.knownServer = m.cachedExperiment(this.o.project.root, this.url, this.cfg.experimentName) !== null;
    return (this.deliverer = new m.Deliverer(client, this.outbox, null, false));
  }

  private unhealthy(): MlcError {
    return new MlcError("MLC7001", `MLflow server ${this.url} unreachable (GET /health: ${this.client?.healthProblem})`);
  }

  private goOffline(err: MlcError): void {
    this.lastError = err;
    if (this.offline) return;
    this.offline = true;
    if (this.cfg.onError === "warn") {
      warn(err.code, `${err.message}; the run keeps going and its MLflow mirror is kept in .mlc/outbox/ (deliver it later with \`mlc mlflow sync\`)`);
    }
  }

  async finish(record: RunRecord): Promise<RunRecord["mlflow"] | null> {
    const deadline = Date.now() + FINISH_BUDGET_MS();
    const end = Date.parse(record.finished_at ?? "") || Date.now();
    this.queue.close(record.status === "success" ? "FINISHED" : mlflowStatus(record.status), end);
    if (record.git_commit && record.git_commit !== this.commit) this.queue.setTag("mlflow.source.git.commit", record.git_commit);
    if (this.liveTimer) clearTimeout(this.liveTimer);
    // The last buffered logging, the run's own files and the end: one append.
    const last = this.flushing.then(async () => {
      const ops = await this.queue.drain(this.outbox);
      ops.push(this.runJsonOp(record), { t: "end", seq: this.outbox.seq(), status: mlflowStatus(record.status), end_time: end });
      await this.append(ops);
    });
    this.flushing = last.catch(() => {});
    await last;
    if (this.cfg.delivery === "background") return this.release();
    if (this.offline && this.client && (await this.client.health(1500))) this.offline = false;
    if (!this.offline) await withDeadline(this.pumpAll(), deadline);
    // Earlier runs' backlog gets what is left of a short budget; the rest waits for the next
    // run or `mlc mlflow sync` (this run's exit must not wait on a long backlog).
    if (this.catching) await withDeadline(this.catching, Math.min(deadline, Date.now() + CATCH_UP_MS));
    return this.conclude();
  }

  /**
   * mlc/run.json. Under background delivery, the run's own record file, read when delivered (the
   * final record is written right after finish); under wait, a snapshot sent before it is written.
   */
  private runJsonOp(record: RunRecord): ArtifactOp {
    if (this.cfg.delivery === "background") return { t: "artifact", seq: this.outbox.seq(), file: join(runsDir(this.o.project.root), this.o.runId, "run.json"), path: "mlc/run.json" };
    return this.snap("mlc/run.json", JSON.stringify(record, null, 2) + "\n");
  }

  private snap(name: string, content: string, render?: ArtifactOp["render"]): ArtifactOp {
    return { t: "artifact", seq: this.outbox.seq(), file: this.outbox.writeSnapshot(name, content), path: render ? `mlc/${render}` : name, ...(render ? { render } : {}) };
  }

  /** graph.json and pipeline.mmd: rendered from the IR at delivery, or given pre-rendered. */
  private graphOps(): ArtifactOp[] {
    if (this.o.graphFile || this.o.graphIr !== undefined) {
      // The IR stored already (a journal's), shared per graph hash, or this run's own copy.
      const stored = this.o.graphFile || (this.o.graphHash && this.o.graphIr !== undefined ? sharedGraph(this.o.project.root, this.o.graphHash, this.o.graphIr) : null);
      const ir: ArtifactOp = stored ? { t: "artifact", seq: this.outbox.seq(), file: stored, path: "mlc/graph.json", render: "graph.json" } : this.snap("mlc/graph.ir.json", this.o.graphIr!, "graph.json");
      return [ir, { ...ir, seq: this.outbox.seq(), path: "mlc/pipeline.mmd", render: "pipeline.mmd" }];
    }
    const ops: ArtifactOp[] = [];
    if (this.o.graphJson !== undefined) ops.push(this.snap("mlc/graph.json", this.o.graphJson));
    if (this.o.mermaid !== undefined) ops.push(this.snap("mlc/pipeline.mmd", this.o.mermaid));
    return ops;
  }

  /** Background delivery: stops this process's pump, keeps everything pending for the deliverer. */
  private async release(): Promise<RunRecord["mlflow"] | null> {
    this.offline = true;
    if (this.pumping) {
      this.client?.abort();
      await this.pumping.catch(() => {});
    }
    this.client?.close(); // none when this run never went live: nothing was sent
    await this.catching?.catch(() => {});
    // A journal's run warned about these itself (an adopted one warns here: its queue saw all).
    if (this.from?.mode !== "convert") for (const p of this.queue.problems().slice(0, 5)) warn("MLC7002", p);
    this.handOff = this.pendingCount() > 0;
    await this.outbox.close();
    if (!this.handOff) removeOutbox(this.o.project.root, this.o.runId);
    this.releaseLock?.();
    return this.deliverer?.link() ?? null;
  }

  /** Replays journal events into the queue, with their original times. */
  replay(events: readonly JournalEvent[]): void {
    const q = this.queue;
    for (const e of events) {
      if (!Array.isArray(e)) continue;
      switch (e[0]) {
        case "m": q.logMetric(e[1], typeof e[2] === "string" ? Number(e[2]) : e[2], e[3], e[4]); break;
        case "p": q.logParam(e[1], e[2]); break;
        case "t": q.setTag(e[1], e[2]); break;
        case "a": q.logArtifact(e[1], e[2] ?? undefined, e[3] === true); break;
        case "i": q.inputLoaded(e[1], e[2], e[3]); break;
        case "cs": q.startChild(e[1], e[2]); break;
        case "ce": q.endChild(e[1], e[2], e[3]); break;
      }
    }
  }

  /** A journal whose run died without an end: what it logged goes to the outbox (sync ends it KILLED). */
  async abandon(at: number): Promise<void> {
    this.queue.close("KILLED", at);
    await this.flush(false);
    await this.outbox.close();
    this.releaseLock?.();
  }

  /** An adopted journal's run goes live: the rest of its logging, then streaming. */
  go(rest: readonly JournalEvent[]): void {
    this.replay(rest);
    this.live = true;
    void this.flush();
  }

  /** Spawns the detached deliverer (`mlc mlflow sync`) when the run left operations to send. */
  handoff(): void {
    if (!this.handOff) return;
    this.handOff = false;
    handOff(this.o.project.root, this.o.env, this.cfg.client, this.o.runId);
  }

  private async pumpAll(): Promise<void> {
    while (!this.offline && this.pendingCount() > 0) {
      await this.pump();
      if (this.pendingCount() > 0 && this.offline) break;
    }
  }

  private pendingCount(): number {
    const d = this.deliverer;
    return d ? this.ops.filter((o) => !d.isSettled(o.seq)).length : this.ops.length;
  }

  private async conclude(): Promise<RunRecord["mlflow"] | null> {
    // Out of time or done: stop talking to the server (the catch-up too); what is left stays
    // in the outbox.
    this.offline = true;
    this.client?.close();
    await this.pumping?.catch(() => {});
    await this.catching?.catch(() => {});
    const pending = this.pendingCount();
    const rejected = this.deliverer?.rejections() ?? [];
    const problems = [...this.queue.problems(), ...rejected];
    await this.outbox.close();
    if (pending === 0) removeOutbox(this.o.project.root, this.o.runId);
    this.releaseLock?.();
    for (const p of problems.slice(0, 5)) if (this.cfg.onError === "warn") warn("MLC7002", p);
    if (pending > 0) {
      const why = this.lastError?.message ?? `MLflow server ${this.url} did not answer in time`;
      const msg = `${why}; ${pending} operation${pending > 1 ? "s" : ""} of run ${this.o.runId} kept in .mlc/outbox/ (deliver with \`mlc mlflow sync\`)`;
      if (this.cfg.onError === "fail") throw new MlcError(this.lastError?.code ?? "MLC7001", msg);
      if (!this.offline || !this.lastError) warn("MLC7001", msg);
      else warn(this.lastError.code, `${pending} operation${pending > 1 ? "s" : ""} of run ${this.o.runId} kept in .mlc/outbox/ (deliver with \`mlc mlflow sync\`)`);
    } else if (problems.length && this.cfg.onError === "fail") {
      throw new MlcError("MLC7002", problems[0]);
    }
    return this.deliverer?.link() ?? null;
  }
}

async function withDeadline(p: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const left = Math.max(0, deadline - Date.now());
  await Promise.race([p.catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, left)))]);
  clearTimeout(timer);
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
}

/** The start options and settings a journal's run had (no credentials: the deliverer has its own). */
function fromJournalStart(root: string, s: JournalStart): { o: TrackingStartOptions; cfg: TrackingConfig } {
  const o: TrackingStartOptions = {
    project: { root } as CompiledProject, runId: s.run_id, pipeline: s.pipeline, executor: s.executor, command: s.command, env: s.env,
    params: s.params, graphFile: s.graph, gitCommit: s.git_commit,
  };
  return { o, cfg: { ...s.cfg, client: { uri: s.uri }, delivery: "background", uiHost: "127.0.0.1", uiPort: 5000 } };
}

const whoOf = (s: JournalStart): FromJournal["who"] => (s.user !== undefined ? { user: s.user } : s.uid !== undefined ? { uid: s.uid } : { user: "unknown" });

/** The last time a journal's events name (a dead run's end). */
function lastEventTime(s: JournalState): number {
  let last = s.start?.start_time ?? 0;
  for (const e of s.events) {
    if (!Array.isArray(e)) continue;
    const at = e[0] === "m" ? e[4] : e[0] === "cs" ? e[2] : e[0] === "ce" ? e[3] : 0;
    if (typeof at === "number" && at > last) last = at;
  }
  return last;
}

/**
 * Shapes every finished journal into its run's outbox (the deliverer, `mlc mlflow sync`, before a
 * pass): `ready` says which runs can go (sync.ts journalReady). A journal with no readable start
 * (torn first write) is dropped once untouched for TORN_MS. Never throws; returns the journals
 * left for later, with why.
 */
export async function convertJournals(root: string, ready: (s: JournalState) => boolean): Promise<{ runId: string; problem: string }[]> {
  const problems: { runId: string; problem: string }[] = [];
  for (const file of listJournals(root)) {
    const runId = file.slice(file.lastIndexOf("/") + 1, -".journal".length);
    const peek = peekJournal(file);
    // No start: torn by a crash (dropped), or a run writing its first line this very moment.
    if (peek ? !ready(peek) : !olderThan(file, TORN_MS)) {
      problems.push({ runId, problem: "its run is still in progress" });
      continue;
    }
    const state = peek ? readJournal(file) : null;
    const s = state?.start ?? null;
    const release = tryLock(root, runId, "sync");
    if (!release) {
      problems.push({ runId, problem: "another sync is delivering it" });
      continue;
    }
    try {
      if (!state || !s) {
        unlinkSync(file);
        continue;
      }
      const out = join(outboxDir(root), `${runId}.jsonl`);
      if (existsSync(out)) {
        // Left by a conversion (or the run's own adoption) cut short: nothing of it was sent
        // unless it records delivery, and then the journal is the stale one.
        const st = readOutbox(out);
        if (st.mapped.size || st.done.size) {
          unlinkSync(file);
          continue;
        }
        rmSync(out, { force: true });
      }
      const { o, cfg } = fromJournalStart(root, s);
      const t = new LiveTracker(o, cfg, cfg.client!, { mode: "convert", startedAt: s.start_time, who: whoOf(s) });
      await t.begin();
      t.replay(state.events);
      if (state.end) await t.finish({ status: state.end.status, finished_at: state.end.finished_at, git_commit: state.end.git_commit } as RunRecord);
      else await t.abandon(lastEventTime(state));
      unlinkSync(file);
    } catch (err) {
      problems.push({ runId, problem: `its journal could not be read into the outbox (${(err as Error).message})` });
    } finally {
      release();
    }
  }
  return problems;
}

/**
 * The run itself going live (journal.ts, after its first second): a tracker made from its
 * journal so far, holding the run's outbox; `more` hands over what was logged meanwhile. The
 * caller removes the journal, then calls go() with what came after.
 */
export async function adoptJournal(o: TrackingStartOptions, cfg: TrackingConfig, file: string, more: () => JournalEvent[]): Promise<{ tracking: Tracking; go(rest: readonly JournalEvent[]): void }> {
  const state = readJournal(file);
  if (!state.start) throw new Error("the run's journal has no start record");
  const t = new LiveTracker({ ...o, graphFile: state.start.graph }, cfg, cfg.client!, { mode: "adopt", startedAt: state.start.start_time, who: whoOf(state.start) });
  await t.begin();
  t.replay(state.events);
  t.replay(more());
  return { tracking: { sink: t.queue, hooks: t.hooks(), finish: (r) => t.finish(r), handoff: () => t.handoff() }, go: (rest) => t.go(rest) };
}
