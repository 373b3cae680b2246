// The MLflow plugin of one `mlc run`: a sink that only buffers (node code never waits on the
// network), hooks for dataset inputs, nested node runs and the node ends, and finish(). What the
// run logs goes to its event file first (event-log.ts), then one pump streams it to the server
// with `deliver` while the run goes. finish() appends the end and delivers the rest, bounded by
// MLC_MLFLOW_FINISH_TIMEOUT_MS; what is left stays queued for `mlc mlflow sync`. Under
// `delivery: background` the run only writes the file and hands it to a detached one-shot sync.
import { MlcError } from "../../compiler/diagnostics.js";
import { emitJson } from "../../compiler/emit/json.js";
import { emitMermaid } from "../../compiler/emit/mermaid.js";
import type { PluginContext, RunPlugin } from "../plugins.js";
import type { RunRecord } from "../run-record.js";
import { applyLongParams, flattenParams } from "./batcher.js";
import { RunBuffer } from "./buffer.js";
import { MlflowClient } from "./client.js";
import { trackingFor, type TrackingConfig } from "./config.js";
import { Deliverer } from "./deliver.js";
import { EventLog, lockRun, readProgress, removeRun, type RunEvent } from "./event-log.js";
import { safeUri } from "./options.js";
import { defaultRunName, mlflowStatus, runTags } from "./run-info.js";
import { bounded, finishBudgetMs, keptMessage, syncRuns, startDetachedSync } from "./sync.js";
import { warn } from "./warn.js";

const FLUSH_MS = 250;
const CATCH_UP_MS = 5000;

/** Starts mirroring a run; null when tracking is off for it. Rejects (MlcError) only when the user asked to fail. */
export async function start(ctx: PluginContext): Promise<RunPlugin | null> {
  const cfg = trackingFor(ctx.project, ctx.record.pipeline);
  if (!cfg?.client) return null;
  const run = new MlflowRun(ctx, cfg, startParams(cfg, ctx.project.parameters));
  await run.begin();
  return { name: "mlflow", sink: run.buffer, hooks: run.hooks(), finish: (r) => run.finish(r), closed: () => run.closed() };
}

/** The run's params as MLflow takes them; MLC7002 for one over the limit under long_params_strategy: fail. */
function startParams(cfg: TrackingConfig, params: Readonly<Record<string, unknown>>) {
  const kv = Object.entries(flattenParams(params, cfg)).map(([key, value]) => ({ key, value }));
  const long = applyLongParams(kv, cfg.longParamsStrategy);
  const n = long.tooLong.length;
  if (n) {
    const keys = long.tooLong.map((k) => `"${k}"`).join(", ");
    throw new MlcError("MLC7002", `parameter${n > 1 ? "s" : ""} ${keys} longer than MLflow's 6000-character limit (tracking.params.long_params_strategy: fail; use truncate or tag to log ${n > 1 ? "them" : "it"} anyway)`);
  }
  return long;
}

class MlflowRun {
  readonly buffer: RunBuffer;
  private readonly log: EventLog;
  private readonly runId: string;
  private readonly root: string;
  private readonly url: string;
  private readonly client: MlflowClient | null;
  private readonly deliverer: Deliverer | null;
  /** Events appended but not yet on the server; `base` is the number of the first. */
  private pending: RunEvent[] = [];
  private base = 0;
  private flushing: Promise<void> = Promise.resolve();
  private pumping: Promise<void> | null = null;
  private lastError: MlcError | null = null;
  private offline = false;
  private warned = false;
  private timer: NodeJS.Timeout | null = null;
  private release: (() => void) | null;

  constructor(private readonly ctx: PluginContext, private readonly cfg: TrackingConfig, params: ReturnType<typeof startParams>) {
    this.runId = ctx.record.run_id;
    this.root = ctx.project.root;
    this.url = safeUri(cfg.client!.uri);
    // Locked before the file exists: no sync takes a starting run's empty file for a crashed one.
    this.release = lockRun(this.root, this.runId);
    this.log = new EventLog(this.root, this.runId);
    this.buffer = new RunBuffer(cfg, this.runId, () => void this.flush(false));
    for (const p of params.params) this.buffer.logParam(p.key, p.value);
    for (const t of params.tags) this.buffer.setTag(t.key, t.value);
    const live = cfg.delivery === "wait";
    this.client = live ? new MlflowClient(cfg.client!) : null;
    this.deliverer = live ? new Deliverer(this.client!, this.root, this.runId, readProgress(this.root, this.runId), false) : null;
  }

  async begin(): Promise<void> {
    const r = this.ctx.record;
    const startTime = Date.parse(r.started_at) || Date.now();
    const runName = this.cfg.runName ?? defaultRunName(r.pipeline, new Date(startTime));
    const tags = runTags({ ...r, runName, root: this.root, runId: this.runId, commit: r.git_commit });
    const experiment = {
      name: this.cfg.experimentName, restore_deleted: this.cfg.restoreDeleted, artifact_location: this.cfg.artifactLocation,
      tags: Object.entries(this.cfg.experimentTags).map(([key, value]) => ({ key, value })),
    };
    const graph = this.ctx.plan.graph;
    this.append([
      { t: "start", run_id: this.runId, pid: process.pid, uri: this.url, experiment, run_name: runName, start_time: startTime, tags },
      ...(await this.buffer.drain(this.log)),
      { t: "artifact", file: this.log.write("mlc/graph.json", emitJson(graph)), path: "mlc/graph.json" },
      { t: "artifact", file: this.log.write("mlc/pipeline.mmd", emitMermaid(graph)), path: "mlc/pipeline.mmd" },
    ]);
    void this.log.sync().catch(() => {});
    this.timer = setInterval(() => void (this.buffer.dirty && this.flush(false)), FLUSH_MS);
    this.timer.unref();
    if (!this.deliverer) return;
    if (this.cfg.onError === "fail") {
      await this.pump();
      if (this.lastError) throw this.unlock(this.lastError);
    } else void this.pump();
  }

  hooks() {
    // A node's end makes what it logged durable.
    return this.buffer.hooks(this.ctx.project, () => void (this.buffer.dirty && this.flush(true)));
  }

  private append(events: RunEvent[]): void {
    this.log.append(events);
    if (this.deliverer) this.pending.push(...events);
  }

  /** Moves buffered logging into the file (one flush at a time: file order is call order), then wakes the pump. */
  private flush(durable: boolean): Promise<void> {
    const p = this.flushing.then(async () => {
      this.append(await this.buffer.drain(this.log));
      if (durable) void this.log.sync().catch(() => {});
    });
    this.flushing = p.catch((err) => this.goOffline(new MlcError("MLC7001", `could not write the MLflow outbox: ${(err as Error).message}`)));
    return this.flushing.then(() => void (this.offline || this.pump()));
  }

  /** The one delivery loop of this run: until nothing is pending or the server fails. */
  private pump(): Promise<void> {
    if (!this.deliverer || this.offline) return Promise.resolve();
    return (this.pumping ??= (async () => {
      try {
        while (this.deliverer!.progress.sent < this.base + this.pending.length) {
          const err = await this.deliverer!.deliver(this.pending, this.base);
          const done = this.deliverer!.progress.sent - this.base;
          this.pending.splice(0, done);
          this.base += done;
          if (err) return this.goOffline(err);
        }
      } finally {
        this.pumping = null;
      }
    })());
  }

  private goOffline(err: MlcError): void {
    this.lastError = err;
    this.offline = true;
    if (this.warned || this.cfg.onError === "fail") return;
    this.warned = true;
    warn(err.code, `${err.message}; the run keeps going and its MLflow mirror is kept in .mlc/outbox/ (deliver it later with \`mlc mlflow sync\`)`);
  }

  async finish(record: RunRecord): Promise<Partial<RunRecord>> {
    const until = Date.now() + finishBudgetMs();
    if (this.timer) clearInterval(this.timer);
    const end = Date.parse(record.finished_at ?? "") || Date.now();
    const status = mlflowStatus(record.status);
    this.buffer.closeChildren(status, end);
    await this.flushing;
    this.append([
      ...(await this.buffer.drain(this.log)),
      { t: "artifact", file: this.log.write("mlc/run.json", JSON.stringify(record, null, 2) + "\n"), path: "mlc/run.json" },
      { t: "end", status, end_time: end },
    ]);
    await this.log.close();
    if (!this.deliverer) return this.unlock({});
    this.offline = false; // one more try after an outage during the run: the server may be back
    await bounded(this.pump(), until, () => this.client!.close());
    const left = this.pending.length;
    if (left === 0) {
      removeRun(this.root, this.runId);
      // Earlier runs left queued for this server get what remains of a short budget.
      const catchUp = syncRuns(this.root, (uri) => (uri === this.url ? this.client : null), { except: this.runId });
      await bounded(catchUp, Math.min(until, Date.now() + CATCH_UP_MS), () => this.client!.close());
    }
    return this.unlock(this.conclude(left));
  }

  private unlock<T>(v: T): T {
    this.release?.();
    this.release = null;
    this.client?.close();
    return v;
  }

  /** Warnings (or, under on_error: fail, the error) for what the server refused or did not get. */
  private conclude(left: number): Partial<RunRecord> {
    const problems = [...this.buffer.problems(), ...this.deliverer!.rejections()];
    const link = this.deliverer!.link();
    const fail = this.cfg.onError === "fail";
    if (left > 0) {
      const kept = keptMessage(left, this.runId);
      const why = this.lastError?.message ?? `MLflow server ${this.url} did not answer in time`;
      if (fail) throw new MlcError(this.lastError?.code ?? "MLC7001", `${why}; ${kept}`);
      // Once warned about the outage, say only what was kept.
      warn(this.lastError?.code ?? "MLC7001", this.warned ? kept : `${why}; ${kept}`);
    }
    if (fail && problems.length) throw new MlcError("MLC7002", problems[0]);
    for (const p of problems.slice(0, 5)) warn("MLC7002", p);
    return link ? { mlflow: link } : {};
  }

  /** Background delivery: after the final record, a detached one-shot `mlc mlflow sync` delivers the run. */
  closed(): void {
    if (this.cfg.delivery === "background") startDetachedSync(this.root, this.ctx.record.env, this.runId);
  }
}
