// The main-thread side of the parallel executor: a validating facade over a private Piscina pool.
// Builds a plain-data WorkerTask per attempt, moves typed arrays without copying, relays what a
// worker logs to the run's sink, enforces timeouts by terminating the worker (Piscina replaces
// it), and maps every way a worker can fail onto a coded outcome.
import { availableParallelism } from "node:os";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import type { DatasetConfig } from "../../compiler/types.js";
import type { ErrorInfo } from "../../tracking/run-record.js";
import type { RunContext, RunPlan } from "../executor.js";
import { formatDuration } from "../timeout.js";
import { toErrorInfo } from "../errors.js";
import type { NodeOutcome, NodeRunner, NodeTask } from "../scheduler.js";
import { isParamInput } from "../scheduler.js";
import type { SinkMessage, WorkerResult, WorkerTask } from "./messages.js";
import { assertCloneable, toShared, transferables } from "./transfer.js";

/** The prebuilt worker: dist/executors/parallel/worker.js, also when mlc runs from sources. */
export function workerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, "worker.js");
  if (existsSync(sibling) && !import.meta.url.endsWith(".ts")) return sibling;
  const built = join(here, "..", "..", "dist", "executors", "parallel", "worker.js");
  if (!existsSync(built)) throw new Error(`parallel executor: ${built} is missing; run \`npm run build\``);
  return built;
}

export interface ParallelOptions {
  readonly maxWorkers?: number;
  /** Per-worker heap limit (resourceLimits.maxOldGenerationSizeMb); a node over it fails MLC5003. */
  readonly maxHeapMb?: number;
}

/** A NodeRunner that runs each attempt in a worker thread of a Piscina pool. */
export class ParallelRunner implements NodeRunner {
  readonly name = "parallel";
  readonly slots: number;
  private readonly pool: Piscina;
  /** Memory values already copied into SharedArrayBuffers, so later consumers pay nothing. */
  private readonly shared = new WeakMap<object, unknown>();
  /** Planned readers of each dataset not yet started: the last one may take typed arrays by transfer. */
  private readonly readersLeft = new Map<string, number>();

  constructor(plan: RunPlan, opts: ParallelOptions = {}) {
    const planned = new Set(plan.order);
    for (const n of plan.graph.nodes)
      if (planned.has(n.name)) for (const i of new Set(n.inputs)) this.readersLeft.set(i, (this.readersLeft.get(i) ?? 0) + 1);
    this.slots = Math.max(1, opts.maxWorkers ?? availableParallelism());
    const heap = opts.maxHeapMb ?? (Number(process.env.MLC_WORKER_MAX_HEAP_MB) || undefined);
    this.pool = new Piscina({
      filename: workerFile(),
      minThreads: this.slots,
      maxThreads: this.slots,
      idleTimeout: 10 * 60_000,
      concurrentTasksPerWorker: 1,
      ...(heap ? { resourceLimits: { maxOldGenerationSizeMb: heap } } : {}),
    });
  }

  async run(task: NodeTask, ctx: RunContext): Promise<NodeOutcome> {
    const t0 = performance.now();
    const { node } = task;
    const channel = new MessageChannel();
    channel.port1.on("message", (m: SinkMessage) => relay(ctx, m));
    const timeout = new AbortController();
    const timer = node.timeoutMs !== null ? setTimeout(() => timeout.abort(), node.timeoutMs) : undefined;
    try {
      const { payload, transferList } = this.buildTask(task, ctx, channel.port2);
      const signal = AbortSignal.any([timeout.signal, ctx.signal]);
      const result = (await this.pool.run(payload, { transferList: [...transferList, channel.port2] as never, signal })) as WorkerResult;
      return result.ok ? result : { ok: false, error: result.error, durationMs: result.durationMs };
    } catch (err) {
      const durationMs = performance.now() - t0;
      return { ok: false, error: this.failure(err, task, timeout.signal.aborted), durationMs };
    } finally {
      clearTimeout(timer);
      // Let relayed log calls already in flight arrive before the port closes.
      setImmediate(() => channel.port1.close());
    }
  }

  private buildTask(task: NodeTask, ctx: RunContext, port: WorkerTask["port"]): { payload: WorkerTask; transferList: ArrayBuffer[] } {
    const { node } = task;
    const project = ctx.project;
    const configs = new Map(project.graph.datasets.map((d) => [d.name, d.config] as const));
    const datasets: Record<string, DatasetConfig> = {};
    const credentials: Record<string, unknown> = {};
    for (const name of [...node.inputs, ...node.outputs]) {
      if (isParamInput(name) || name in task.memoryInputs || task.memoryOutputNames.includes(name)) continue;
      const cfg = configs.get(name);
      if (!cfg) continue;
      datasets[name] = cfg;
      for (const ref of credentialRefs(cfg)) if (ref in project.credentials) credentials[ref] = project.credentials[ref];
    }
    const { values, transferList } = this.prepareInputs(task, ctx);
    const hooks = ctx.hooks;
    const payload: WorkerTask = {
      root: project.root,
      node,
      attempt: task.attempt,
      memoryInputs: values,
      memoryOutputNames: task.memoryOutputNames,
      datasets,
      credentials,
      params: project.parameters,
      saveVersion: ctx.saveVersion,
      loadVersions: ctx.loadVersions,
      wantData: Boolean(hooks.afterDatasetLoaded || hooks.afterNodeRun || hooks.afterDatasetSaved),
      port,
    };
    return { payload, transferList };
  }

  /**
   * Memory inputs ready to post: refused when they cannot cross threads; typed arrays moved when
   * this node is their only reader and cannot retry, else shared once via SharedArrayBuffer.
   */
  private prepareInputs(task: NodeTask, ctx: RunContext): { values: Record<string, unknown>; transferList: ArrayBuffer[] } {
    const values: Record<string, unknown> = {};
    const transferList: ArrayBuffer[] = [];
    for (const [name, value] of Object.entries(task.memoryInputs)) {
      assertCloneable(value, name, task.node.name);
      const left = (this.readersLeft.get(name) ?? 1) - (task.attempt === 1 ? 1 : 0);
      this.readersLeft.set(name, left);
      const buffers = transferables(value);
      if (buffers.length === 0) values[name] = value;
      else if (left <= 0 && task.node.retries === 0) {
        values[name] = value;
        transferList.push(...buffers);
      } else values[name] = this.share(value);
    }
    return { values, transferList };
  }

  private share(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    let s = this.shared.get(value);
    if (s === undefined) this.shared.set(value, (s = toShared(value)));
    return s;
  }

  private failure(err: unknown, task: NodeTask, timedOut: boolean): ErrorInfo {
    const name = task.node.name;
    if (timedOut && task.node.timeoutMs !== null)
      return { code: "MLC5002", message: `node "${name}" timed out after ${formatDuration(task.node.timeoutMs)}` };
    const e = err as { name?: string; code?: string; message?: string };
    if (e?.name === "AbortError") return { code: "MLC5003", message: `node "${name}" was stopped: the run was interrupted` };
    if (e?.code === "ERR_WORKER_OUT_OF_MEMORY")
      return { code: "MLC5003", message: `node "${name}": its worker ran out of memory (${e.message}); raise MLC_WORKER_MAX_HEAP_MB or use --executor sequential` };
    if (/worker exited|terminated/i.test(e?.message ?? ""))
      return { code: "MLC5003", message: `node "${name}": its worker exited (${e.message}); did the node call process.exit()?` };
    if (e?.name === "DataCloneError")
      return { code: "MLC5005", message: `node "${name}": an input cannot cross worker threads (${e.message}); persist it or use --executor sequential` };
    return toErrorInfo(err, "MLC5003");
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

function credentialRefs(cfg: DatasetConfig): string[] {
  const out: string[] = [];
  for (let c: DatasetConfig | undefined = cfg; c; c = c.dataset) if (typeof c.credentials === "string") out.push(c.credentials);
  return out;
}

function relay(ctx: RunContext, m: SinkMessage): void {
  if (m?.type !== "sink") return;
  try {
    (ctx.sink[m.method] as (...a: unknown[]) => void)(...m.args);
  } catch {
    // Logging must never fail a node.
  }
}
