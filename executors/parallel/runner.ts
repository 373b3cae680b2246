// The main-thread side of the parallel executor: a validating facade over a private Piscina pool.
// Run-constant data goes to each worker once (workerData); a task is the node's name, attempt and
// memory inputs, with typed arrays moved rather than copied. Timeouts terminate the worker
// (Piscina replaces it); every way a worker can fail maps onto a coded outcome.
import { replaySinkCalls } from "../sink-calls.js";
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import type { DatasetConfig, IRNode } from "../../compiler/types.js";
import type { ErrorInfo } from "../../runs/record.js";
import type { RunContext, RunPlan } from "../executor.js";
import { threadFile } from "../thread-file.js";
import { formatDuration } from "../timeout.js";
import { toErrorInfo } from "../errors.js";
import type { NodeOutcome, NodeRunner, NodeTask } from "../scheduler.js";
import { isParamInput } from "../scheduler.js";
import type { SinkCall, WorkerResult, WorkerSetup, WorkerTask } from "./messages.js";
import { assertCloneable, toShared, transferables } from "./transfer.js";
import { isArrowTable } from "../../catalog/datasets/arrow.js";
import { toWire } from "./arrow-wire.js";

/** The prebuilt worker: dist/executors/parallel/worker.js, also when mlc runs from sources (tests). */
export function workerFile(): string {
  return threadFile("parallel/worker.js");
}

export interface ParallelOptions {
  readonly maxWorkers?: number;
  /** Per-worker heap limit (resourceLimits.maxOldGenerationSizeMb); a node over it fails MLC5003. */
  readonly maxHeapMb?: number;
  /** Return loaded inputs and saved outputs (default: when ctx.hooks want them; a distributed worker is told). */
  readonly wantData?: boolean;
}

/** A NodeRunner that runs each attempt in a worker thread of a Piscina pool (one pool per run). */
export class ParallelRunner implements NodeRunner {
  readonly name = "parallel";
  readonly slots: number;
  /** Started by the first node that runs: a run whose nodes are all up to date starts no thread. */
  private pool: Piscina | undefined;
  private readonly startPool: () => Piscina;
  /** Memory values already copied into SharedArrayBuffers, so later consumers pay nothing. */
  private readonly shared = new WeakMap<object, unknown>();
  /** Arrow Tables on this thread (kept values the cache read back) in the wire form workers take, made once. */
  private readonly wires = new WeakMap<object, Promise<unknown>>();
  /** Planned readers of each dataset not yet started: the last one may take typed arrays by transfer. */
  private readonly readersLeft = new Map<string, number>();
  /**
   * A flag the workers read to interrupt their DuckDB queries, and the sql tasks running: a worker
   * cannot be terminated while a query runs (the process would wait for the query), so the pool
   * closes only once they have stopped.
   */
  private readonly interrupted = new SharedArrayBuffer(4);
  private readonly queries = new Set<Promise<unknown>>();

  constructor(plan: RunPlan, ctx: RunContext, opts: ParallelOptions = {}) {
    for (const n of plan.graph.nodes)
      for (const i of new Set(n.inputs)) this.readersLeft.set(i, (this.readersLeft.get(i) ?? 0) + 1);
    // Never more threads than nodes to run: each one costs a worker start and its heap.
    this.slots = Math.max(1, Math.min(opts.maxWorkers ?? availableParallelism(), plan.order.length));
    const heap = opts.maxHeapMb ?? (Number(process.env.MLC_WORKER_MAX_HEAP_MB) || undefined);
    this.startPool = () =>
      new Piscina({
        filename: workerFile(),
        workerData: workerSetup(plan, ctx, this.interrupted, opts.wantData),
        minThreads: this.slots,
        maxThreads: this.slots,
        idleTimeout: 10 * 60_000,
        concurrentTasksPerWorker: 1,
        atomics: "disabled",
        recordTiming: false,
        ...(heap ? { resourceLimits: { maxOldGenerationSizeMb: heap } } : {}),
      });
  }

  async run(task: NodeTask, ctx: RunContext): Promise<NodeOutcome> {
    const t0 = performance.now();
    const { node } = task;
    // A sql node times out inside its worker (which interrupts DuckDB; terminating a worker whose
    // query runs would wait for the query), so it gets no terminating timer here.
    const timeout = node.timeoutMs !== null && node.sql === undefined ? new AbortController() : null;
    const timer = timeout ? setTimeout(() => timeout.abort(), node.timeoutMs!) : undefined;
    try {
      const { values, transferList } = await this.prepareInputs(task);
      const payload: WorkerTask = {
        name: node.name,
        attempt: task.attempt,
        memoryInputs: values,
        memoryOutputNames: task.memoryOutputNames,
        ...(task.keptOutputNames ? { keptOutputNames: task.keptOutputNames } : {}),
        ...(task.versions ? { versions: true } : {}),
      };
      const pending = (this.pool ??= this.startPool()).run(payload, {
        transferList: transferList as never,
        ...(timeout ? { signal: timeout.signal } : {}),
      });
      if (node.sql !== undefined) {
        this.queries.add(pending);
        void pending.finally(() => this.queries.delete(pending)).catch(() => {});
      }
      const result = (await pending) as WorkerResult;
      replaySinkCalls(ctx.sink, result.logs);
      return result.ok ? result : { ok: false, error: result.error, durationMs: result.durationMs };
    } catch (err) {
      return {
        ok: false,
        error: failure(err, node, timeout?.signal.aborted ?? false),
        durationMs: performance.now() - t0,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Memory inputs ready to post: refused when they cannot cross threads; typed arrays moved when
   * this node is their last reader and cannot retry, else shared once via SharedArrayBuffer.
   */
  private async prepareInputs(
    task: NodeTask,
  ): Promise<{ values: Record<string, unknown>; transferList: ArrayBuffer[] }> {
    const values: Record<string, unknown> = {};
    const transferList: ArrayBuffer[] = [];
    for (const [name, input] of Object.entries(task.memoryInputs)) {
      const value = isArrowTable(input) ? await this.wire(input) : input;
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

  private wire(table: object): Promise<unknown> {
    let w = this.wires.get(table);
    if (w === undefined) this.wires.set(table, (w = toWire(table)));
    return w;
  }

  private share(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    let s = this.shared.get(value);
    if (s === undefined) this.shared.set(value, (s = toShared(value)));
    return s;
  }

  async close(): Promise<void> {
    Atomics.store(new Int32Array(this.interrupted), 0, 1);
    await Promise.allSettled([...this.queries]);
    await this.pool?.destroy();
  }
}

/** The run-constant part of every task, sent to each worker once. */
function workerSetup(
  plan: RunPlan,
  ctx: RunContext,
  interrupted: SharedArrayBuffer,
  wantData: boolean | undefined,
): WorkerSetup {
  const project = ctx.project;
  const datasets: Record<string, DatasetConfig> = {};
  const credentials: Record<string, unknown> = {};
  for (const d of plan.graph.datasets) {
    if (!d.persistent) continue;
    datasets[d.name] = d.config;
    for (let c: DatasetConfig | undefined = d.config; c; c = c.dataset)
      if (typeof c.credentials === "string" && c.credentials in project.credentials)
        credentials[c.credentials] = project.credentials[c.credentials];
  }
  const hooks = ctx.hooks;
  return {
    root: project.root,
    nodes: Object.fromEntries(plan.graph.nodes.map((n) => [n.name, n])),
    datasets,
    credentials,
    parameters: project.parameters,
    saveVersion: ctx.saveVersion,
    loadVersions: ctx.loadVersions,
    wantData: wantData ?? Boolean(hooks.afterDatasetLoaded || hooks.afterNodeRun || hooks.afterDatasetSaved),
    interrupted,
  };
}

/** The coded error for a task that did not return normally. */
function failure(err: unknown, node: IRNode, timedOut: boolean): ErrorInfo {
  const name = node.name;
  if (timedOut && node.timeoutMs !== null)
    return { code: "MLC5002", message: `node "${name}" timed out after ${formatDuration(node.timeoutMs)}` };
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.code === "ERR_WORKER_OUT_OF_MEMORY")
    return {
      code: "MLC5003",
      message: `node "${name}": its worker ran out of memory (${e.message}); raise MLC_WORKER_MAX_HEAP_MB or use --executor sequential`,
    };
  if (/worker exited|terminated/i.test(e?.message ?? ""))
    return {
      code: "MLC5003",
      message: `node "${name}": its worker exited (${e.message}); did the node call process.exit()?`,
    };
  if (e?.name === "DataCloneError")
    return {
      code: "MLC5005",
      message: `node "${name}": an input cannot cross worker threads (${e.message}); persist it or use --executor sequential`,
    };
  return toErrorInfo(err, "MLC5003");
}
