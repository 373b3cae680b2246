// The coordinator side of `--executor distributed`: a NodeRunner for the shared scheduler that turns
// each attempt of a node into one BullMQ job and awaits its result. The scheduler keeps owning the
// DAG (BullMQ flows are trees), the cache decisions, hooks and the run record; a job carries the
// node's name and references to its memory inputs, and `mlc worker` processes run it.
import { Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import type { RunContext, RunPlan } from "../executor.js";
import { toErrorInfo } from "../errors.js";
import type { NodeOutcome, NodeRunner, NodeTask } from "../scheduler.js";
import { replaySinkCalls } from "../sink-calls.js";
import { assertCloneable } from "../parallel/transfer.js";
import { isArrowTable } from "../../catalog/datasets/arrow.js";
import { unpackArtifacts, type ArtifactFiles } from "./artifacts.js";
import { codeCheck } from "./code-check.js";
import type { CodeCheck, JobData, JobResult } from "./messages.js";
import { connect, jobId, jobPrefix, keys, type QueueTarget } from "./queue.js";
import { ValueStore, type ValueRef } from "./values.js";

/** How often the coordinator looks at its jobs itself (an event missed across a Redis restart). */
const POLL_MS = 2000;
/** Redis silent this long: the run fails (MLC7003) with the resume command. */
const GONE_MS = 30_000;
/** A finished job nobody removed (its coordinator was killed) goes after a day. */
const ORPHAN_AGE_S = 24 * 3600;
/** How long an interrupted run waits for its cancelled running jobs to end before removing them. */
const CANCEL_WAIT_MS = 10_000;

/** A job's result, or why there is none (MLC5003: it failed on the queue; MLC7003: the queue failed). */
type Settled = { readonly result?: JobResult; readonly error?: string; readonly code?: "MLC5003" | "MLC7003" };

export class DistributedRunner implements NodeRunner {
  readonly name = "distributed";
  /** Every ready node is queued at once: the workers' concurrency decides how many run. */
  readonly slots: number;
  private readonly pending = new Map<string, (s: Settled) => void>();
  private readonly queued = new Set<string>();
  private readonly inputs = new Map<string, { value: unknown; ref: ValueRef }>();
  private readonly code = new Map<string, Promise<CodeCheck>>();
  private readonly poll: NodeJS.Timeout;
  private lastAnswer = Date.now();
  private looking = false;
  private stored = 0;

  private constructor(
    private readonly ctx: RunContext,
    private readonly target: QueueTarget,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly values: ValueStore,
    plan: RunPlan,
  ) {
    this.slots = Math.max(1, plan.order.length);
    events.on("completed", ({ jobId: id, returnvalue }) => this.settle(id, { result: parse(returnvalue) }));
    events.on("failed", ({ jobId: id, failedReason }) =>
      this.settle(id, { error: `its job failed on the queue: ${failedReason}` }),
    );
    this.poll = setInterval(() => void this.look(), POLL_MS);
    this.poll.unref();
  }

  /** Connects (MLC7003 within seconds when Redis is down) and listens for job events before any job exists. */
  static async open(plan: RunPlan, ctx: RunContext, target: QueueTarget) {
    const redis = await connect(target);
    const connection = target.redis;
    const queue = new Queue(target.name, { connection });
    const events = new QueueEvents(target.name, { connection });
    queue.on("error", () => {}); // reconnects are retried; a lasting outage fails the run in look()
    events.on("error", () => {});
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const values = new ValueStore(redis, ctx.project, target.name, ctx.runId);
    return new DistributedRunner(ctx, target, redis, queue, events, values, plan);
  }

  async run(task: NodeTask, ctx: RunContext): Promise<NodeOutcome> {
    const t0 = performance.now();
    const id = jobId(ctx.runId, task.node.name, task.attempt);
    try {
      const data = await this.jobData(task);
      const settled = new Promise<Settled>((ok) => this.pending.set(id, ok));
      // Removed as soon as its result is read; the age limit only cleans up after a coordinator that died.
      const orphan = { age: ORPHAN_AGE_S };
      await this.queue.add(task.node.name, data, {
        jobId: id,
        attempts: 1,
        removeOnComplete: orphan,
        removeOnFail: orphan,
      });
      this.queued.add(id);
      const { result, error, code } = await settled;
      await this.queue.remove(id).catch(() => {});
      if (!result) return failed({ code: code ?? "MLC5003", message: jobFailure(task, error) }, t0);
      if (!result.ok) {
        replaySinkCalls(ctx.sink, result.logs);
        return { ok: false, error: result.error, durationMs: result.durationMs };
      }
      const { memoryOutputs, loaded, saved, artifacts } = (await this.values.take(result.values)) as Record<
        string,
        Record<string, unknown>
      >;
      const logs = await unpackArtifacts(result.logs, artifacts as ArtifactFiles, ctx.project.root);
      replaySinkCalls(ctx.sink, logs);
      return {
        ok: true,
        memoryOutputs,
        ...(loaded ? { loaded } : {}),
        ...(saved ? { saved } : {}),
        ...(result.versions ? { versions: result.versions } : {}),
        logs,
        durationMs: result.durationMs,
      };
    } catch (err) {
      return failed(toErrorInfo(err, "MLC7003"), t0);
    } finally {
      this.pending.delete(id);
      this.queued.delete(id);
    }
  }

  private async jobData(task: NodeTask): Promise<JobData> {
    const { node } = task;
    const inputs: Record<string, ValueRef> = {};
    for (const [name, value] of Object.entries(task.memoryInputs))
      inputs[name] = await this.inputRef(name, value, node.name);
    let code = this.code.get(node.name);
    if (!code) this.code.set(node.name, (code = codeCheck(node, this.ctx.project.root)));
    const hooks = this.ctx.hooks;
    return {
      runId: this.ctx.runId,
      node: node.name,
      attempt: task.attempt,
      env: this.ctx.project.env,
      runtimeParams: this.ctx.runtimeParams ?? {},
      saveVersion: this.ctx.saveVersion,
      loadVersions: this.ctx.loadVersions,
      code: await code,
      inputs,
      memoryOutputNames: task.memoryOutputNames,
      ...(task.keptOutputNames ? { keptOutputNames: task.keptOutputNames } : {}),
      ...(task.versions ? { versions: true } : {}),
      wantData: Boolean(hooks.afterDatasetLoaded || hooks.afterNodeRun || hooks.afterDatasetSaved),
    };
  }

  /** The reference of a memory input, stored once however many nodes read the same value. */
  private async inputRef(name: string, value: unknown, node: string): Promise<ValueRef> {
    const known = this.inputs.get(name);
    if (known && known.value === value) return known.ref;
    if (!isArrowTable(value)) assertCloneable(value, name, node);
    const ref = await this.values.put(`in-${++this.stored}`, { [name]: value });
    this.inputs.set(name, { value, ref });
    return ref;
  }

  private settle(id: string, s: Settled): void {
    this.pending.get(id)?.(s);
  }

  /** Settles jobs whose event was missed, and fails the run's jobs when Redis lost them or stays away. */
  private async look(): Promise<void> {
    if (this.queued.size === 0) return void (this.lastAnswer = Date.now());
    if (Date.now() - this.lastAnswer > GONE_MS) {
      const error = `the job queue at ${this.target.shown} did not answer for ${GONE_MS / 1000} s`;
      for (const id of this.queued) this.settle(id, { error, code: "MLC7003" });
    }
    if (this.looking) return;
    this.looking = true;
    try {
      for (const id of [...this.queued]) {
        const job = await Job.fromId(this.queue, id);
        this.lastAnswer = Date.now();
        if (!this.queued.has(id)) continue;
        if (job === undefined)
          this.settle(id, {
            error: "its job is gone from the queue (Redis restarted without its data?)",
            code: "MLC7003",
          });
        else if (job.finishedOn && job.failedReason)
          this.settle(id, { error: `its job failed on the queue: ${job.failedReason}` });
        else if (job.finishedOn) this.settle(id, { result: job.returnvalue as JobResult });
      }
    } catch {
      // Redis is away: the next look counts the silence.
    } finally {
      this.looking = false;
    }
  }

  /**
   * Removes what an earlier run of this project left on the queue when its coordinator died: its
   * jobs (workers stop the running ones), its values. Called before a `--resume` of it starts.
   */
  async clearRun(runId: string): Promise<void> {
    await this.redis.publish(keys.cancel(this.target.name), runId);
    const prefix = jobPrefix(runId);
    const jobs = await this.queue.getJobs(["waiting", "active", "delayed", "completed", "failed", "prioritized"]);
    await this.removeJobs(
      jobs.filter((j) => j?.id?.startsWith(prefix)).map((j) => j.id!),
      CANCEL_WAIT_MS,
    );
    await this.values.forRun(runId).clear();
  }

  /** Removes what is still queued, cancels what runs, then deletes every key and value of the run. */
  async close(): Promise<void> {
    clearInterval(this.poll);
    const left = await this.removeJobs([...this.queued], 0);
    // Workers close the run's threads on this message: a running node stops, a finished run frees them.
    await this.redis.publish(keys.cancel(this.target.name), this.ctx.runId).catch(() => {});
    await this.removeJobs(left, CANCEL_WAIT_MS);
    for (const s of this.pending.values()) s({ error: "the run ended" });
    await this.values.clear().catch(() => {});
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }

  /**
   * Removes jobs, retrying for up to `waitMs` those a worker still holds (BullMQ refuses to remove a
   * locked job); returns the ids still there. A Redis error ends the attempt for that job.
   */
  private async removeJobs(ids: readonly string[], waitMs: number): Promise<string[]> {
    const deadline = Date.now() + waitMs;
    const left: string[] = [];
    for (const id of ids) {
      let removed = await this.queue.remove(id).catch(() => 1);
      while (removed !== 1 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        removed = await this.queue.remove(id).catch(() => 1);
      }
      if (removed !== 1) left.push(id);
    }
    return left;
  }
}

function parse(v: unknown): JobResult {
  return (typeof v === "string" ? JSON.parse(v) : v) as JobResult;
}

function failed(error: ReturnType<typeof toErrorInfo>, t0: number): NodeOutcome {
  return { ok: false, error, durationMs: performance.now() - t0 };
}

function jobFailure(task: NodeTask, reason: string | undefined): string {
  return `node "${task.node.name}": ${reason ?? "its job failed on the queue"}`;
}
