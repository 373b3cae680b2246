// The MLflow plugin of one `mlc run`: a sink that only buffers (node code never waits on the
// network), hooks for dataset inputs, nested node runs and node ends, and finish(). What the run
// logs goes to its event file first (event-log.ts); one pump streams it to the server with
// `deliver` while the run goes; finish() appends the end and delivers the rest within
// MLC_MLFLOW_FINISH_TIMEOUT_MS, leaving what did not go queued for `mlc mlflow sync`. Under
// `delivery: background` the run only writes the file and hands it to a detached one-shot sync.
import { MlcError } from "../../compiler/diagnostics.js";
import { emitJson } from "../../compiler/emit/json.js";
import { emitMermaid } from "../../compiler/emit/mermaid.js";
import type { RunEvent as ExecutorEvent } from "../../executors/executor.js";
import type { PluginContext, RunPlugin } from "../plugins.js";
import type { RunRecord } from "../../runs/record.js";
import { applyLongParams, flattenParams } from "./batcher.js";
import { RunBuffer } from "./buffer.js";
import { MlflowClient, safeUri } from "./client.js";
import { trackingFor, type TrackingConfig } from "./config.js";
import { bounded, Deliverer, finishBudgetMs } from "./deliver.js";
import { endEvents, EventLog, lockRun, queuedRuns, removeRun, type RunEvent } from "./event-log.js";
import type { KeyValue, RunStatus } from "./types.js";
import { currentUser, defaultRunName, runTags } from "./run-tags.js";
import { warn } from "./warn.js";

const FLUSH_MS = 250;
const CATCH_UP_MS = 5000;

/** Starts mirroring a run; null when tracking is off for it. Rejects (MlcError) only when the user asked to fail. */
export async function start(ctx: PluginContext): Promise<RunPlugin | null> {
  const cfg = trackingFor(ctx.project, ctx.record.pipeline);
  if (!cfg?.client) return null;
  const kv = Object.entries(flattenParams(ctx.project.parameters, cfg)).map(([key, value]) => ({ key, value }));
  const params = applyLongParams(kv, cfg.longParamsStrategy);
  if (params.tooLong.length) {
    const [keys, n] = [params.tooLong.map((k) => `"${k}"`).join(", "), params.tooLong.length];
    const fix = `use truncate or tag to log ${n > 1 ? "them" : "it"} anyway`;
    const what = `parameter${n > 1 ? "s" : ""} ${keys} longer than MLflow's 6000-character limit`;
    throw new MlcError("MLC7002", `${what} (tracking.params.long_params_strategy: fail; ${fix})`);
  }
  const run = new MlflowRun(ctx, cfg);
  params.params.forEach((p) => run.buffer.logParam(p.key, p.value));
  params.tags.forEach((t) => run.buffer.setTag(t.key, t.value));
  await run.begin();
  return {
    name: "mlflow",
    sink: run.buffer,
    hooks: run.buffer.hooks(ctx.project),
    onEvent: (e) => run.onEvent(e),
    finish: (r) => run.finish(r),
    closed: () => run.closed(),
  };
}

class MlflowRun {
  readonly buffer: RunBuffer;
  private readonly log: EventLog;
  private readonly runId: string;
  private readonly root: string;
  private readonly url: string;
  private readonly client: MlflowClient | null = null;
  private readonly deliverer: Deliverer | null = null;
  /** Every event appended; delivery's progress says how many are on the server. */
  private readonly events: RunEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private pumping: Promise<void> | null = null;
  private lastError: MlcError | null = null;
  private offline = false;
  private warned = false;
  private timer: NodeJS.Timeout | undefined;
  private release: (() => void) | null;

  constructor(
    private readonly ctx: PluginContext,
    private readonly cfg: TrackingConfig,
  ) {
    [this.runId, this.root, this.url] = [ctx.record.run_id, ctx.project.root, safeUri(cfg.client!.uri)];
    // Locked before the file exists: no sync takes a starting run's empty file for a crashed one.
    this.release = lockRun(this.root, this.runId);
    this.log = new EventLog(this.root, this.runId);
    this.buffer = new RunBuffer(cfg, this.runId, () => void this.flush(false));
    if (cfg.delivery === "background") return;
    this.client = new MlflowClient(cfg.client!);
    this.deliverer = new Deliverer(this.client, this.root, this.runId, { sent: 0, runs: {} }, false);
  }

  async begin(): Promise<void> {
    const { record: r, plan } = this.ctx;
    const start_time = Date.parse(r.started_at) || Date.now();
    const run_name = this.cfg.runName ?? defaultRunName(r.pipeline, new Date(start_time));
    const { experimentName: name, restoreDeleted: restore_deleted, artifactLocation: artifact_location } = this.cfg;
    const experiment = { name, restore_deleted, artifact_location, tags: pairs(this.cfg.experimentTags) };
    this.append([
      {
        t: "start",
        run_id: this.runId,
        pid: process.pid,
        uri: this.url,
        experiment,
        run_name,
        start_time,
        tags: runTags(r, this.root, run_name, currentUser()),
      },
      ...(await this.buffer.drain(this.log)),
      { t: "artifact", file: this.log.write("mlc/graph.json", emitJson(plan.graph)), path: "mlc/graph.json" },
      { t: "artifact", file: this.log.write("mlc/pipeline.mmd", emitMermaid(plan.graph)), path: "mlc/pipeline.mmd" },
    ]);
    this.log.sync().catch(() => {});
    this.timer = setInterval(() => void (this.buffer.dirty && this.flush(false)), FLUSH_MS).unref();
    if (this.cfg.onError === "warn") return void this.pump();
    await this.pump();
    if (this.lastError) throw this.unlock(this.lastError);
  }

  /** A node's end makes what it logged durable. */
  onEvent(e: ExecutorEvent): void {
    if (e.type === "node-end" && this.buffer.dirty) void this.flush(true);
  }

  private append(events: RunEvent[]): void {
    this.log.append(events);
    this.events.push(...events);
  }

  /** Moves buffered logging into the file (one flush at a time: file order is call order), then wakes the pump. */
  private flush(durable: boolean): Promise<void> {
    this.flushing = this.flushing
      .then(async () => {
        this.append(await this.buffer.drain(this.log));
        if (durable) this.log.sync().catch(() => {});
      })
      .catch((err) =>
        this.goOffline(new MlcError("MLC7001", `could not write the MLflow outbox: ${(err as Error).message}`)),
      );
    return this.flushing.then(() => void this.pump());
  }

  /** The one delivery loop of this run: until nothing is pending or the server fails. */
  private pump(): Promise<void> {
    const d = this.deliverer;
    if (!d || this.offline) return Promise.resolve();
    return (this.pumping ??= (async () => {
      while (d.progress.sent < this.events.length) {
        const err = await d.deliver(this.events);
        if (err) return this.goOffline(err);
      }
    })().finally(() => (this.pumping = null)));
  }

  private goOffline(err: MlcError): void {
    [this.lastError, this.offline] = [err, true];
    if (this.warned || this.cfg.onError === "fail") return;
    this.warned = true;
    warn(
      err.code,
      `${err.message}; the run keeps going and its MLflow mirror is kept in .mlc/outbox/ (deliver it later with \`mlc mlflow sync\`)`,
    );
  }

  async finish(record: RunRecord): Promise<Partial<RunRecord>> {
    const until = Date.now() + finishBudgetMs();
    clearInterval(this.timer);
    const end = Date.parse(record.finished_at ?? "") || Date.now();
    const status: RunStatus =
      record.status === "success" ? "FINISHED" : record.status === "failed" ? "FAILED" : "KILLED";
    await this.flushing;
    const runJson = this.log.write("mlc/run.json", JSON.stringify(record, null, 2) + "\n");
    this.append(await this.buffer.drain(this.log));
    this.append([
      { t: "artifact", file: runJson, path: "mlc/run.json" },
      ...this.buffer.takeRegistrations(),
      ...endEvents(this.events, status, end, status === "FINISHED" ? "KILLED" : status),
    ]);
    // The run's end is made durable while the rest is sent, not before.
    const closing = this.log.close();
    if (!this.deliverer) return this.unlock(await closing.then(() => ({})));
    this.offline = false; // one more try after an outage during the run: the server may be back
    const stop = () => this.client!.close();
    await bounded(this.pump(), until, stop);
    await closing;
    const left = this.events.length - this.deliverer.progress.sent;
    if (left === 0) {
      removeRun(this.root, this.runId);
      // Earlier runs left queued for this server get what remains of a short budget.
      if (queuedRuns(this.root).length) {
        const { syncRuns } = await import("./sync.js");
        const catchUp = syncRuns(this.root, (uri) => (uri === this.url ? this.client : null), { except: this.runId });
        await bounded(catchUp, Math.min(until, Date.now() + CATCH_UP_MS), stop);
      }
    }
    try {
      return this.conclude(left);
    } finally {
      this.unlock(null);
    }
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
    const fail = this.cfg.onError === "fail";
    if (left > 0) {
      const kept = `${left} operation${left > 1 ? "s" : ""} of run ${this.runId} kept in .mlc/outbox/ (deliver with \`mlc mlflow sync\`)`;
      const why = this.lastError?.message ?? `MLflow server ${this.url} did not answer in time`;
      if (fail) throw new MlcError(this.lastError?.code ?? "MLC7001", `${why}; ${kept}`);
      warn(this.lastError?.code ?? "MLC7001", this.warned ? kept : `${why}; ${kept}`); // the outage was told already
    }
    if (fail && problems.length) throw new MlcError("MLC7002", problems[0]);
    for (const p of problems.slice(0, 5)) warn("MLC7002", p);
    const link = this.deliverer!.link();
    return link ? { mlflow: link } : {};
  }

  /** Background delivery: after the final record, a detached one-shot `mlc mlflow sync` delivers the run. */
  async closed(): Promise<void> {
    if (this.cfg.delivery !== "background") return;
    (await import("./sync.js")).startDetachedSync(this.root, this.ctx.record.env, this.runId);
  }
}

function pairs(o: Readonly<Record<string, string>>): KeyValue[] {
  return Object.entries(o).map(([key, value]) => ({ key, value }));
}
