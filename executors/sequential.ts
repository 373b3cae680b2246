// The sequential executor: the shared scheduler with a runner that runs one node at a time in
// this thread. Loads persisted inputs through the DataCatalog, imports the node's function once
// (cached), calls it (invoke.ts), saves persisted outputs and hands memory outputs back. A
// watchdog thread (watchdog.ts) stops a node that blocks this thread past its timeout, an
// interrupt or the heap limit.
import type { DataCatalog } from "../catalog/catalog.js";
import { loadFunction } from "../modules/load-module.js";
import type { Executor, RunContext, RunPlan, RunResult } from "./executor.js";
import { toErrorInfo } from "./errors.js";
import { invokeNode } from "./invoke.js";
import { runSqlNode } from "./sql-node.js";
import { isParamInput, schedule, type NodeOutcome, type NodeRunner, type NodeTask } from "./scheduler.js";
import { withTimeout } from "./timeout.js";
import { catalogSink, recordCalls, type SinkCall } from "./sink-calls.js";
import { startWatchdog, type Watchdog } from "./watchdog.js";

type Guard = NonNullable<RunContext["guard"]>;

/** What the runner needs of a data catalog. */
export type CatalogLike = Pick<DataCatalog, "load" | "save" | "configOf" | "contextFor" | "version">;

/** Builds the run's DataCatalog (catalog/catalog.ts) over the plan's datasets. */
export async function openCatalog(plan: RunPlan, ctx: RunContext): Promise<CatalogLike> {
  const { DataCatalog } = await import("../catalog/catalog.js");
  return new DataCatalog({
    root: ctx.project.root,
    datasets: Object.fromEntries(plan.graph.datasets.map((d) => [d.name, d.config])),
    credentials: ctx.project.credentials,
    saveVersion: ctx.saveVersion,
    loadVersions: ctx.loadVersions,
    sink: catalogSink(ctx.sink),
  });
}

/** What the runner wraps each attempt in: the run's stray trap and watchdog, when it has them. */
interface Guards {
  readonly guard?: Guard;
  readonly watchdog?: LazyWatchdog;
}

/** The run's watchdog, started (and awaited once) for the first node that runs. */
interface LazyWatchdog {
  current?: Watchdog;
  start(): Promise<Watchdog>;
}

/** A runner calling node functions in this thread, one at a time. `catalog` is called on the first persisted load or save. */
export function createSequentialRunner(
  catalog: () => Promise<CatalogLike>,
  root: string,
  guards: Guards = {},
): NodeRunner {
  // Resolved functions by ref: the hot path (1,000s of tiny nodes) awaits no cached promise.
  const fns = new Map<string, unknown>();
  const fnOf = async (ref: string) => {
    const fn = await loadFunction(ref, root);
    fns.set(ref, fn);
    return fn;
  };
  return {
    name: "sequential",
    slots: 1,
    run(task: NodeTask, ctx: RunContext): Promise<NodeOutcome> {
      // Not async itself: one promise per node fewer on the hot path (runTask never rejects).
      const t0 = performance.now();
      const ref = task.node.func;
      if (task.node.sql !== undefined) return runTask(task, ctx, catalog, SQL, t0, guards);
      if (fns.has(ref)) return runTask(task, ctx, catalog, fns.get(ref), t0, guards);
      return fnOf(ref).then(
        (fn) => runTask(task, ctx, catalog, fn, t0, guards),
        (err) => failed(err, t0),
      );
    },
    async close() {
      fns.clear();
    },
  };
}

function failed(err: unknown, t0: number): NodeOutcome {
  return { ok: false, error: toErrorInfo(err, "MLC5001"), durationMs: performance.now() - t0 };
}

/** Loads, calls and saves for one attempt; never rejects (failures become outcomes). */
async function runTask(
  task: NodeTask,
  ctx: RunContext,
  catalog: () => Promise<CatalogLike>,
  fn: unknown,
  t0: number,
  guards: Guards,
): Promise<NodeOutcome> {
  const { guard, watchdog } = guards;
  const { name, timeoutMs } = task.node;
  try {
    const once = () => recorded(task, ctx, () => attempt(task, ctx, catalog, fn));
    const w = watchdog && (watchdog.current ?? (await watchdog.start()));
    const work = w ? w.watch(name, timeoutMs, once) : once();
    const done = await (guard ? guard(name, work) : work);
    return { ok: true, ...done, durationMs: performance.now() - t0 };
  } catch (err) {
    return failed(err, t0);
  }
}

type Done = Pick<Extract<NodeOutcome, { ok: true }>, "memoryOutputs" | "loaded" | "saved" | "versions" | "logs">;

/** An attempt recording what the node logs when the cache wants it (one node at a time in this thread). */
async function recorded(task: NodeTask, ctx: RunContext, work: () => Promise<Done>): Promise<Done> {
  if (!task.versions) return work();
  const logs: SinkCall[] = [];
  return { ...(await recordCalls(ctx.sink, logs, work)), logs };
}

/** Stands for the function of a sql node: its attempt runs the query instead of a call. */
const SQL = Symbol("sql");

/** One attempt: load persisted inputs, call the function, save persisted outputs. */
async function attempt(
  task: NodeTask,
  ctx: RunContext,
  catalog: () => Promise<CatalogLike>,
  fn: unknown,
): Promise<Done> {
  const { node, memoryInputs, memoryOutputNames } = task;
  if (fn === SQL) return attemptSql(task, ctx, await catalog());
  let loaded: Record<string, unknown> | undefined;
  for (const input of node.inputs) {
    if (isParamInput(input) || input in memoryInputs) continue;
    (loaded ??= {})[input] = await (await catalog()).load(input);
  }
  const values = loaded ? { ...memoryInputs, ...loaded } : memoryInputs;
  const params = ctx.project.parameters;
  const outputs =
    node.timeoutMs === null && !ctx.signal.aborted
      ? await invokeNode(node, fn, values, params, ctx.signal, task.attempt)
      : await withTimeout(node.name, node.timeoutMs, ctx.signal, (signal) =>
          invokeNode(node, fn, values, params, signal, task.attempt),
        );
  const memoryOutputs: Record<string, unknown> = {};
  let saved: Record<string, unknown> | undefined;
  let versions: Record<string, string | null | undefined> | undefined;
  for (const out of node.outputs) {
    if (memoryOutputNames.includes(out)) memoryOutputs[out] = outputs[out];
    else {
      await (await catalog()).save(out, outputs[out]);
      (saved ??= {})[out] = outputs[out];
      if (task.versions) (versions ??= {})[out] = await (await catalog()).version(out);
      if (task.keptOutputNames?.includes(out)) memoryOutputs[out] = outputs[out];
    }
  }
  return { memoryOutputs, loaded, saved, versions };
}

/** One attempt of a sql node (sql-node.ts), under the node's timeout like a function. */
async function attemptSql(task: NodeTask, ctx: RunContext, catalog: CatalogLike): Promise<Done> {
  const { node, memoryInputs, memoryOutputNames } = task;
  const out = node.outputs[0];
  const isMemory = memoryOutputNames.includes(out);
  const run = (signal: AbortSignal) =>
    runSqlNode(node, memoryInputs, catalog, ctx.project.parameters, isMemory, signal);
  const r = await withTimeout(node.name, node.timeoutMs, ctx.signal, run);
  if (isMemory) return { memoryOutputs: r.outputs, loaded: r.loaded };
  if (!r.written) await catalog.save(out, r.outputs[out]);
  const kept = task.keptOutputNames?.includes(out) && !r.written ? { [out]: r.outputs[out] } : {};
  // Saved by the catalog or written by DuckDB, the output's content version is what the cache records.
  const versions = task.versions ? { [out]: await catalog.version(out) } : undefined;
  return { memoryOutputs: kept, loaded: r.loaded, versions, ...(r.written ? {} : { saved: r.outputs }) };
}

/** The sequential executor (registered as "sequential"). */
export function createSequentialExecutor(): Executor {
  return {
    name: "sequential",
    async run(plan: RunPlan, ctx: RunContext): Promise<RunResult> {
      let catalog: Promise<CatalogLike> | undefined;
      // Built on first use: a run over memory datasets only never loads the catalog modules.
      // ctx.guard: a node's stray throw (setTimeout callback, dropped rejection) fails that node, not mlc.
      // Started by the first node that runs: a run whose nodes are all up to date starts no thread.
      const watchdog: LazyWatchdog = {
        async start() {
          const w = (this.current ??= startWatchdog(ctx.runId));
          await w.ready;
          return w;
        },
      };
      const runner = createSequentialRunner(() => (catalog ??= openCatalog(plan, ctx)), ctx.project.root, {
        guard: ctx.guard,
        watchdog,
      });
      try {
        return await schedule(plan, ctx, runner);
      } finally {
        watchdog.current?.close();
        await runner.close();
      }
    },
  };
}

export default createSequentialExecutor;
