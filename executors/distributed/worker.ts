// `mlc worker`: a BullMQ Worker that runs the jobs of distributed runs in this checkout. Each run
// gets the parallel executor's runner (a Piscina pool, the same worker-thread code, timeouts and
// error mapping) over the project compiled with that run's env and params; a job's memory inputs
// come from the value store, its persisted datasets are loaded and saved here, and what the node
// logged goes back with the result for the coordinator to replay into its run.
import { hostname } from "node:os";
import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { compileProject } from "../../compiler/compile.js";
import type { CompiledProject, IRNode } from "../../compiler/types.js";
import type { RunContext } from "../executor.js";
import { plan as makePlan } from "../plan.js";
import { ParallelRunner } from "../parallel/runner.js";
import type { NodeOutcome } from "../scheduler.js";
import type { SinkCall } from "../sink-calls.js";
import { recordingSink } from "../sink-calls.js";
import { packArtifacts } from "./artifacts.js";
import { codeCheck, codeDifference } from "./code-check.js";
import type { JobData, JobOutcome, JobResult } from "./messages.js";
import { connect, keys, type QueueTarget } from "./queue.js";
import { ValueStore } from "./values.js";

/**
 * A dead worker's job is taken over once its lock expires and a stalled check sees it: within
 * LOCK_MS + STALL_MS. Locks are renewed from this process's main thread, which node code (in
 * worker threads) never blocks.
 */
export const LOCK_MS = 5000;
export const STALL_MS = 3000;

export interface WorkerOptions {
  readonly root: string;
  readonly target: QueueTarget;
  readonly concurrency: number;
  /** One line per event (ready, job done, stopping). */
  readonly log: (line: string) => void;
}

/** One run as this worker knows it: its compiled project and its thread pool. */
interface RunHere {
  readonly project: CompiledProject;
  readonly runner: ParallelRunner;
  readonly ctx: RunContext;
  readonly values: ValueStore;
  lastUsed: number;
}

/** How long a run's threads stay up after its last job (a run's end also closes them at once). */
const IDLE_RUN_MS = 60_000;

export class MlcWorker {
  readonly id = `${hostname()}-${process.pid}`;
  private readonly runs = new Map<string, Promise<RunHere>>();
  private worker!: Worker;
  private subscriber!: Redis;
  private sweep!: NodeJS.Timeout;

  private constructor(
    private readonly opts: WorkerOptions,
    private readonly redis: Redis,
  ) {}

  /** Connects (MLC7003 when Redis is down) and starts taking jobs. */
  static async start(opts: WorkerOptions): Promise<MlcWorker> {
    const w = new MlcWorker(opts, await connect(opts.target));
    await w.listen();
    return w;
  }

  private async listen(): Promise<void> {
    const { target, concurrency } = this.opts;
    this.subscriber = this.redis.duplicate();
    this.subscriber.on("error", () => {});
    this.subscriber.on("message", (_channel, runId: string) => void this.drop(runId));
    await this.subscriber.subscribe(keys.cancel(target.name));
    this.worker = new Worker(target.name, (job: Job<JobData>) => this.process(job), {
      connection: target.redis,
      concurrency,
      name: this.id,
      lockDuration: LOCK_MS,
      stalledInterval: STALL_MS,
      maxStalledCount: 3,
    });
    this.worker.on("error", (err) => this.opts.log(`queue error: ${err.message}`));
    await this.worker.waitUntilReady();
    this.sweep = setInterval(() => this.closeIdle(), IDLE_RUN_MS / 4);
    this.sweep.unref();
    this.opts.log(
      `ready: queue ${target.name} at ${target.shown}, concurrency ${concurrency}, project ${this.opts.root}`,
    );
  }

  private async process(job: Job<JobData>): Promise<JobResult> {
    const t0 = performance.now();
    const data = job.data;
    const logs: SinkCall[] = [];
    const done = (r: JobOutcome): JobResult => ({ ...r, worker: this.id, logs, durationMs: performance.now() - t0 });
    let run: RunHere;
    try {
      run = await this.run(data);
    } catch (err) {
      this.runs.delete(data.runId);
      return done({ ok: false, error: { code: "MLC5006", message: `worker ${this.id}: ${(err as Error).message}` } });
    }
    run.lastUsed = Date.now();
    const node = run.project.graph.nodes.find((n) => n.name === data.node);
    const stale = node ? codeDifference(data.code, await codeCheck(node, this.opts.root)) : "it has no such node";
    if (!node || stale) return done({ ok: false, error: this.staleError(data.node, stale!) });
    const outcome = await this.execute(run, node, data, logs);
    this.opts.log(
      `${data.node} (run ${data.runId}, attempt ${data.attempt}): ${outcome.ok ? "done" : outcome.error.code}`,
    );
    if (!outcome.ok) return done({ ok: false, error: outcome.error });
    const { memoryOutputs, loaded, saved, versions } = outcome;
    const artifacts = await packArtifacts(logs.splice(0), this.opts.root);
    logs.push(...artifacts.logs);
    const values = await run.values.put(`out-${job.id}`, { memoryOutputs, loaded, saved, artifacts: artifacts.files });
    return done({ ok: true, values, ...(versions ? { versions } : {}) });
  }

  private async execute(run: RunHere, node: IRNode, data: JobData, logs: SinkCall[]): Promise<NodeOutcome> {
    const memoryInputs: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(data.inputs)) memoryInputs[name] = (await run.values.get(ref))[name];
    const task = {
      node,
      attempt: data.attempt,
      memoryInputs,
      memoryOutputNames: data.memoryOutputNames,
      ...(data.keptOutputNames ? { keptOutputNames: data.keptOutputNames } : {}),
      ...(data.versions ? { versions: true } : {}),
    };
    return run.runner.run(task, { ...run.ctx, sink: recordingSink(run.ctx.sink, logs) });
  }

  private staleError(node: string, why: string) {
    const message =
      `worker ${this.id} (${this.opts.root}) runs other code than the coordinator for node "${node}": ${why}; ` +
      "update that worker's checkout (and npm ci) and restart it";
    return { code: "MLC5006", message };
  }

  /** The run's state here, compiled on its first job. */
  private run(data: JobData): Promise<RunHere> {
    let r = this.runs.get(data.runId);
    if (!r) this.runs.set(data.runId, (r = this.open(data)));
    return r;
  }

  private async open(data: JobData): Promise<RunHere> {
    const root = this.opts.root;
    const { project } = await compileProject({ root, env: data.env, runtimeParams: data.runtimeParams });
    if (!project) throw new Error(`the project at ${root} does not compile here (run mlc validate on this machine)`);
    const plan = makePlan(project.graph);
    const nothing = () => {};
    const ctx: RunContext = {
      runId: data.runId,
      project,
      saveVersion: data.saveVersion,
      loadVersions: data.loadVersions,
      hooks: {},
      sink: { logMetric: nothing, logParam: nothing, setTag: nothing, logArtifact: nothing },
      signal: new AbortController().signal,
      onEvent: nothing,
    };
    const runner = new ParallelRunner(plan, ctx, { maxWorkers: this.opts.concurrency, wantData: data.wantData });
    const values = new ValueStore(this.redis, project, this.opts.target.name, data.runId);
    return { project, runner, ctx, values, lastUsed: Date.now() };
  }

  /** Closes a run's threads: the run ended, or was interrupted (its running nodes stop). */
  private async drop(runId: string): Promise<void> {
    const r = this.runs.get(runId);
    if (!r) return;
    this.runs.delete(runId);
    await (await r.catch(() => null))?.runner.close();
  }

  private closeIdle(): void {
    for (const [id, r] of this.runs)
      void r.then((run) => (Date.now() - run.lastUsed > IDLE_RUN_MS ? this.drop(id) : undefined)).catch(() => {});
  }

  /** Finishes the jobs running now, takes no new one, and disconnects. */
  async close(): Promise<void> {
    clearInterval(this.sweep);
    await this.worker.close();
    await Promise.allSettled([...this.runs.keys()].map((id) => this.drop(id)));
    this.subscriber.disconnect();
    this.redis.disconnect();
  }
}
