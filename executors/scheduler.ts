// The shared ready-set loop every executor runs on (Kedro's runner core). Executors differ only in
// their NodeRunner: how ONE attempt of ONE node runs (in-process, in a worker thread, ...).
//
// The loop: ready set (lowest plan index first, so runs are deterministic) -> start up to
// runner.slots nodes -> await the first to finish -> keep its memory outputs -> release memory
// datasets whose last planned consumer finished -> newly ready nodes. Retries re-run a failed node
// `node.retries` more times (a node-retry event each). After a failure no new node starts, the
// running ones finish, everything not started is `not_run`, the result is `failed`. When
// ctx.signal aborts (SIGINT/SIGTERM) nothing new starts, running nodes are abandoned (recorded
// `not_run`; the runner's close() stops them where it can) and the result is `interrupted`.
//
// Hooks are called here, on the main thread, so every executor behaves the same. Because a runner
// loads and saves persisted datasets itself (possibly in a worker), the order is:
// beforeNodeRun(node, memory inputs + params) -> runner -> afterDatasetLoaded (each memory input,
// then each persisted input the runner reported) -> afterNodeRun(node, all inputs, outputs) -> afterDatasetSaved
// (each output); onNodeError only after the last attempt failed. Memory values pass by reference.
// With ctx.cache (cache/session.ts) a ready node that is up to date is `cached`: no runner, no hooks.
import type { IRNode } from "../compiler/types.js";
import type { ErrorInfo, NodeRecord } from "../runs/record.js";
import type { RunInfo } from "../hooks/hooks.js";
import type { RunContext, RunPlan, RunResult } from "./executor.js";
import { errorScrubber, toErrorInfo, type Clean } from "./errors.js";
import { isRunScoped, keptDatasets, memoryDatasets } from "./datasets.js";
import { paramValues } from "./invoke.js";
import { afterSuccess, callHook } from "./node-hooks.js";
import type { SinkCall } from "./sink-calls.js";
export { isParamInput, memoryDatasets } from "./datasets.js";

/** One attempt of one node, as the scheduler hands it to a runner. */
export interface NodeTask {
  readonly node: IRNode;
  /** 1-based attempt number (> 1 for retries). */
  readonly attempt: number;
  /** Values of the node's memory inputs (dataset name -> value), held on the main thread. */
  readonly memoryInputs: Readonly<Record<string, unknown>>;
  /**
   * The node's outputs that are memory datasets: the runner RETURNS these in `memoryOutputs` and
   * saves every other output through the catalog. Every input that is neither in `memoryInputs`
   * nor a parameter (`params:x`, `parameters`) is persisted: the runner loads it from the catalog.
   */
  readonly memoryOutputNames: readonly string[];
  /** Persisted outputs the runner saves through the catalog AND returns in `memoryOutputs` (kept datasets). */
  readonly keptOutputNames?: readonly string[];
  /** Return `versions`: the content version of each persisted output, computed where it was saved. */
  readonly versions?: boolean;
}

/** How one attempt ended. Runners report failures here; they should never throw. */
export type NodeOutcome =
  | {
      readonly ok: true;
      /** Values of `task.memoryOutputNames` and `task.keptOutputNames`. */
      readonly memoryOutputs: Record<string, unknown>;
      /** Persisted inputs as loaded (for hooks); runners that load elsewhere may omit it. */
      readonly loaded?: Record<string, unknown>;
      /** Persisted outputs as saved (for hooks); runners that save elsewhere may omit it. */
      readonly saved?: Record<string, unknown>;
      /** When `task.versions`: persisted output -> content version (null: nothing saved; undefined: no version()). */
      readonly versions?: Record<string, string | null | undefined>;
      /** When `task.versions`: what the node logged (metrics, params, tags, artifacts), in order. */
      readonly logs?: readonly SinkCall[];
      readonly durationMs: number;
    }
  | { readonly ok: false; readonly error: ErrorInfo; readonly durationMs: number };

/**
 * Runs one attempt of one node. `slots` is how many attempts may run at once. The runner enforces
 * `node.timeoutMs` (MLC5002) and may observe `ctx.signal` to stop early on an interrupt.
 * `close()` frees its resources (workers, caches); the Executor calls it after `schedule`.
 */
export interface NodeRunner {
  readonly name: string;
  readonly slots: number;
  run(task: NodeTask, ctx: RunContext): Promise<NodeOutcome>;
  close(): Promise<void>;
}

/** Observers of scheduling internals (tests, benches). */
export interface ScheduleOptions {
  /** Called when a memory dataset's value is dropped after its last planned consumer completed. */
  readonly onRelease?: (dataset: string) => void;
}

/** Runs `plan` with `runner` to the end (or the first failure, or an interrupt). Never throws for node errors. */
export async function schedule(
  plan: RunPlan,
  ctx: RunContext,
  runner: NodeRunner,
  opts: ScheduleOptions = {},
): Promise<RunResult> {
  const { runId, pipeline = "__default__", project } = ctx;
  const [env, root, params, nodes] = [project.env, project.root, project.parameters, plan.order];
  const info: RunInfo = { runId, pipeline, executor: runner.name, env, root, params, nodes };
  const hooks = ctx.hooks;
  const clean = errorScrubber(ctx);
  const before = clean(await callHook(() => hooks.beforePipelineRun?.(info)));
  if (before) {
    await callHook(() => hooks.onPipelineError?.(info, before));
    return { status: "failed", nodes: plan.order.map((name) => notRun(name, 0)), error: before };
  }
  const result = await new Loop(plan, ctx, runner, info, opts, clean).run();
  if (result.status !== "success") {
    // A failing onPipelineError hook must not hide the run's own error.
    if (result.error) await callHook(() => hooks.onPipelineError?.(info, result.error!));
    return result;
  }
  const after = clean(await callHook(() => hooks.afterPipelineRun?.(info, result)));
  return after ? { ...result, status: "failed", error: after } : result;
}

function notRun(name: string, attempts: number): NodeRecord {
  return { name, status: "not_run", attempts, duration_ms: 0 };
}

type Done = { readonly index: number; readonly record: NodeRecord };

/**
 * How long the loop may run nodes without giving the event loop a turn: nodes without real I/O (a
 * memory chain) settle on promises alone, and I/O callbacks (tracking's replies) would wait for the end.
 */
const YIELD_MS = 10;
const turn = () => new Promise<number>((r) => setImmediate(() => r(performance.now())));

/** The state of one scheduling run; `run()` is the loop. */
class Loop {
  private readonly nodes: IRNode[];
  private readonly indexOf = new Map<string, number>();
  private readonly waiting: number[];
  private readonly consumers: number[][];
  private readonly memory: Set<string>;
  private readonly kept: Set<string>;
  private readonly runScoped: Set<string>;
  private readonly remaining: Map<string, number>;
  private readonly store = new Map<string, unknown>();
  private readonly records: (NodeRecord | undefined)[];
  private readonly attemptsSoFar: number[];
  private readonly seqOf: number[];
  private ready: number[] = [];
  private finished: Done[] = [];
  private wake: (() => void) | null = null;
  private started = 0;
  private running = 0;
  private stopped = false;
  private closed = false;
  private firstError: (ErrorInfo & { node?: string }) | undefined;

  constructor(
    private readonly plan: RunPlan,
    private readonly ctx: RunContext,
    private readonly runner: NodeRunner,
    private readonly info: RunInfo,
    private readonly opts: ScheduleOptions,
    private readonly clean: Clean,
  ) {
    const byName = new Map(plan.graph.nodes.map((n) => [n.name, n]));
    this.nodes = plan.order.map((name) => {
      const n = byName.get(name);
      if (!n) throw new Error(`plan names node "${name}" missing from its graph`);
      return n;
    });
    this.nodes.forEach((n, i) => this.indexOf.set(n.name, i));
    this.memory = memoryDatasets(plan);
    this.kept = keptDatasets(plan);
    this.runScoped = new Set(plan.graph.datasets.filter((d) => isRunScoped(d.type)).map((d) => d.name));
    this.remaining = new Map(Object.entries(plan.releaseCounts));
    this.records = new Array(this.nodes.length);
    this.attemptsSoFar = new Array(this.nodes.length).fill(0);
    this.seqOf = new Array(this.nodes.length).fill(0);
    [this.waiting, this.consumers] = this.dependencies();
  }

  /** Unfinished planned producers per node, and distinct planned consumers per node. */
  private dependencies(): [number[], number[][]] {
    const producer = new Map<string, number>();
    this.nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
    const waiting = new Array<number>(this.nodes.length).fill(0);
    const consumers: number[][] = this.nodes.map(() => []);
    this.nodes.forEach((n, i) => {
      const ups = new Set<number>();
      for (const input of n.inputs) {
        const p = producer.get(input);
        if (p !== undefined) ups.add(p);
      }
      waiting[i] = ups.size;
      for (const p of ups) consumers[p].push(i);
    });
    return [waiting, consumers];
  }

  async run(): Promise<RunResult> {
    const signal = this.ctx.signal;
    const onAbort = () => this.wake?.();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      this.waiting.forEach((w, i) => w === 0 && this.ready.push(i));
      let yielded = performance.now();
      for (;;) {
        if (signal.aborted) this.stopped = true;
        while (!this.stopped && this.running < this.runner.slots && this.ready.length > 0)
          this.start(this.ready.shift()!);
        if (this.running === 0 || signal.aborted) break;
        if (this.finished.length === 0) await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
        for (const done of this.finished.splice(0)) this.complete(done);
        if (performance.now() - yielded > YIELD_MS) yielded = await turn();
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.closed = true;
    }
    return this.result(signal.aborted);
  }

  private result(aborted: boolean): RunResult {
    const nodes = this.nodes.map((n, i) => this.records[i] ?? notRun(n.name, this.attemptsSoFar[i]));
    const allDone = nodes.every((r) => r.status === "completed" || r.status === "cached");
    const status = allDone ? "success" : aborted ? "interrupted" : "failed";
    this.store.clear();
    return this.firstError && status !== "success" ? { status, nodes, error: this.firstError } : { status, nodes };
  }

  private start(i: number): void {
    this.running++;
    const seq = (this.seqOf[i] = ++this.started);
    this.lifecycle(i, seq).then(
      (record) => this.finish(i, record),
      (err) =>
        this.finish(i, {
          name: this.nodes[i].name,
          status: "failed",
          attempts: this.attemptsSoFar[i],
          duration_ms: 0,
          error: toErrorInfo(err, "MLC5001"),
        }),
    );
  }

  private finish(index: number, record: NodeRecord): void {
    if (this.closed) return;
    const error = this.clean(record.error);
    this.finished.push({ index, record: error === record.error ? record : { ...record, error } });
    this.wake?.();
  }

  private complete({ index, record }: Done): void {
    this.running--;
    this.records[index] = record;
    this.ctx.onEvent({ type: "node-end", record, index: this.seqOf[index], total: this.nodes.length });
    if (record.status !== "completed" && record.status !== "cached") {
      this.stopped = true;
      this.firstError ??= record.error ? { ...record.error, node: record.name } : undefined;
      return;
    }
    for (const input of this.nodes[index].inputs) this.release(input);
    for (const c of this.consumers[index]) if (--this.waiting[c] === 0) this.insertReady(c);
  }

  /** Drops a memory value once its last planned consumer completed. */
  private release(dataset: string): void {
    const left = this.remaining.get(dataset);
    if (left === undefined) return;
    if (left <= 1) {
      this.remaining.delete(dataset);
      this.store.delete(dataset);
      this.opts.onRelease?.(dataset);
    } else this.remaining.set(dataset, left - 1);
  }

  private insertReady(i: number): void {
    const r = this.ready;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    r.splice(lo, 0, i);
  }

  /** All attempts of one node, hooks included; resolves to its final record. */
  private async lifecycle(i: number, seq: number): Promise<NodeRecord> {
    const node = this.nodes[i];
    const memoryInputs: Record<string, unknown> = {};
    for (const input of node.inputs) {
      if (!this.memory.has(input)) continue;
      if (!this.store.has(input)) return this.missingMemory(node, input);
      memoryInputs[input] = this.store.get(input);
    }
    // A kept input whose producer ran in this run comes from the store; otherwise from the catalog.
    for (const input of node.inputs)
      if (this.kept.has(input) && this.store.has(input)) memoryInputs[input] = this.store.get(input);
    const cache = this.ctx.cache;
    const check = cache ? await cache.check(node) : null;
    if (check?.cause.kind === "up to date") {
      const values = await cache!.hit(node, check, this.ctx.sink);
      if (values) return this.cached(node, values);
    }
    if (check) await cache!.willRun(node, memoryInputs);
    const memoryOutputNames = node.outputs.filter((o) => this.memory.has(o));
    // With a cache, run-scoped outputs (metrics) come back too: they are kept to re-log on a hit.
    const keptOutputNames = node.outputs.filter((o) => this.kept.has(o) || (cache && this.runScoped.has(o)));
    let total = 0;
    for (let attempt = 1; ; attempt++) {
      this.attemptsSoFar[i] = attempt;
      this.ctx.onEvent({ type: "node-start", node: node.name, attempt, index: seq, total: this.nodes.length });
      const outcome = await this.attempt({
        node,
        attempt,
        memoryInputs,
        memoryOutputNames,
        ...(keptOutputNames.length ? { keptOutputNames } : {}),
        ...(cache ? { versions: true } : {}),
      });
      total += outcome.durationMs;
      if (this.closed) return notRun(node.name, attempt);
      if (outcome.ok) {
        if (check) await cache!.saved(node, check, outcome);
        return this.succeeded(node, attempt, total, memoryInputs, outcome);
      }
      if (attempt <= node.retries && !this.ctx.signal.aborted) {
        this.ctx.onEvent({ type: "node-retry", node: node.name, attempt, error: outcome.error });
        continue;
      }
      await callHook(() =>
        this.ctx.hooks.onNodeError?.(node, outcome.error, this.hookInputs(node, memoryInputs), this.info),
      );
      return {
        name: node.name,
        status: "failed",
        attempts: attempt,
        duration_ms: Math.round(total),
        error: outcome.error,
      };
    }
  }

  /** One attempt: beforeNodeRun, then the runner; a hook that throws fails the attempt. */
  private async attempt(task: NodeTask): Promise<NodeOutcome> {
    try {
      const before = this.ctx.hooks.beforeNodeRun;
      if (before)
        await before.call(this.ctx.hooks, task.node, this.hookInputs(task.node, task.memoryInputs), this.info);
      const outcome = await this.runner.run(task, this.ctx);
      return outcome.ok ? outcome : { ...outcome, error: this.clean(outcome.error) };
    } catch (err) {
      // Runners report their own failures; this is a throwing hook or a runner bug (no duration).
      return { ok: false, error: this.clean(toErrorInfo(err, "MLC5001")), durationMs: 0 };
    }
  }

  private succeeded(
    node: IRNode,
    attempt: number,
    total: number,
    memoryInputs: Record<string, unknown>,
    outcome: Extract<NodeOutcome, { ok: true }>,
  ): NodeRecord | Promise<NodeRecord> {
    for (const k in outcome.memoryOutputs) if (this.remaining.has(k)) this.store.set(k, outcome.memoryOutputs[k]);
    const record: NodeRecord = {
      name: node.name,
      status: "completed",
      attempts: attempt,
      duration_ms: Math.round(total),
    };
    const pending = afterSuccess(
      this.ctx.hooks,
      node,
      memoryInputs,
      () => this.hookInputs(node, memoryInputs),
      outcome,
      this.info,
    );
    return pending ? pending.then((error) => (error ? { ...record, status: "failed", error } : record)) : record;
  }

  /** An up-to-date node: its restored memory outputs go to the store; no hooks, no runner. */
  private cached(node: IRNode, values: Record<string, unknown>): NodeRecord {
    for (const k in values) if (this.remaining.has(k)) this.store.set(k, values[k]);
    return { name: node.name, status: "cached", attempts: 0, duration_ms: 0 };
  }

  private missingMemory(node: IRNode, input: string): NodeRecord {
    const producer = [...this.plan.graph.nodes, ...this.ctx.project.graph.nodes].find((n) =>
      n.outputs.includes(input),
    )?.name;
    const why = producer ? `its producer "${producer}" is not part of this run` : "no node produces it";
    const message = `node "${node.name}": memory dataset "${input}" has no value (${why}); run its producer too or give it a persistent catalog entry`;
    return { name: node.name, status: "failed", attempts: 0, duration_ms: 0, error: { code: "MLC6001", message } };
  }

  /** Inputs as hooks see them before loading: memory inputs and parameter values. */
  private hookInputs(node: IRNode, memoryInputs: Record<string, unknown>): Record<string, unknown> {
    return { ...memoryInputs, ...paramValues(node, this.ctx.project.parameters) };
  }
}
