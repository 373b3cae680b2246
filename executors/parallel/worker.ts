// The worker entry (prebuilt JS in dist/, so no TypeScript loader per worker start). Runs one
// attempt of one node: loads persisted inputs itself, calls the function, saves persisted outputs
// itself, and returns memory outputs by transfer. What the node logs (logMetric, ...) is buffered
// and returned with the result, so it reaches the run in order and never needs a second channel.
// An unhandled rejection or uncaught exception during a task fails THAT task (Piscina would
// otherwise swallow it or lose the worker without saying why).
import { move, transferableSymbol, valueSymbol, workerData } from "piscina";
import { DataCatalog } from "../../catalog/catalog.js";
import { scrubber } from "../../catalog/secrets.js";
import { loadExport } from "../../modules/load-module.js";
import { installSink, type RunSink } from "../../tracking/sink.js";
import { toErrorInfo } from "../errors.js";
import { invokeNode, threw, unsettled } from "../invoke.js";
import { isParamInput } from "../scheduler.js";
import { runSqlNode } from "../sql-node.js";
import { timedOut } from "../timeout.js";
import { userStack } from "../stack.js";
import type { SinkCall, WorkerResult, WorkerSetup, WorkerTask } from "./messages.js";
import { isArrowTable } from "../../catalog/datasets/arrow.js";
import { fromWire, mapValues, toWire } from "./arrow-wire.js";
import { assertCloneable, transferables } from "./transfer.js";

process.setSourceMapsEnabled(true);
const setup = workerData as WorkerSetup;
const scrub = scrubber(setup.credentials);
/** Inside a worker a node is stopped by terminating the thread, so its own signal never fires. */
const NEVER = new AbortController().signal;

let failCurrent: ((err: unknown) => void) | null = null;
const stray = (kind: string) => (reason: unknown) => {
  const e = reason instanceof Error ? reason : new Error(String(reason));
  const err = Object.assign(new Error(`${kind}: ${e.message}`), {
    userStack: e.stack ? userStack(e.stack) : undefined,
    code: "MLC5001",
  });
  if (failCurrent) failCurrent(err);
  else process.stderr.write(`mlc worker: ${kind} outside a task: ${scrub(e.message)}\n`);
};
process.on("unhandledRejection", stray("unhandled promise rejection"));
process.on("uncaughtException", stray("uncaught exception"));

let logs: SinkCall[] = [];
const bufferSink: RunSink = {
  logMetric: (...args) => void logs.push({ method: "logMetric", args }),
  logParam: (...args) => void logs.push({ method: "logParam", args }),
  setTag: (...args) => void logs.push({ method: "setTag", args }),
  logArtifact: (...args) => void logs.push({ method: "logArtifact", args }),
};
installSink(bufferSink);

// One catalog per worker for the whole run: dataset instances are built lazily and reused.
const catalog = new DataCatalog({
  root: setup.root,
  datasets: setup.datasets,
  credentials: setup.credentials,
  saveVersion: setup.saveVersion,
  loadVersions: setup.loadVersions,
  sink: bufferSink,
});

/** Piscina's task function. */
export default async function runTask(task: WorkerTask): Promise<unknown> {
  const t0 = performance.now();
  logs = [];
  try {
    const result = await new Promise<Extract<WorkerResult, { ok: true }>>((resolve, reject) => {
      failCurrent = reject;
      stopWatching = watchIdle(task.name, reject);
      decoded(task)
        .then((t) => execute(t, t0))
        .then(encoded)
        .then(resolve, reject);
    });
    return move({ [transferableSymbol]: transferables(result.memoryOutputs), [valueSymbol]: result } as never);
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    const wrapped = typeof code === "string" && code.startsWith("MLC") ? err : threw(setup.nodes[task.name], err);
    return {
      ok: false,
      error: toErrorInfo(wrapped, "MLC5001"),
      durationMs: performance.now() - t0,
      logs,
    } satisfies WorkerResult;
  } finally {
    failCurrent = null;
    stopWatching();
  }
}

let stopWatching = () => {};
/** How often a pending task looks whether anything is left that could settle it. */
const IDLE_CHECK_MS = 250;

/**
 * Fails the task (MLC5001) once this thread holds nothing but what it held when the task began:
 * no timer, socket, file operation or child, so the promise the node awaits can never settle.
 * Piscina's own ports keep the thread alive, so Node's 'beforeExit' never tells; the check timer
 * is unref'd and does not count itself.
 */
function watchIdle(name: string, fail: (err: unknown) => void): () => void {
  const before = process.getActiveResourcesInfo().length;
  const timer = setInterval(() => {
    if (process.getActiveResourcesInfo().length <= before) fail(unsettled(name));
  }, IDLE_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The task with Arrow Tables rebuilt from their wire form (arrow-wire.ts). */
async function decoded(task: WorkerTask): Promise<WorkerTask> {
  return { ...task, memoryInputs: await mapValues(task.memoryInputs, fromWire) };
}

/** The result with every Arrow Table in its wire form, so its buffers can move to the main thread. */
async function encoded(r: Extract<WorkerResult, { ok: true }>): Promise<Extract<WorkerResult, { ok: true }>> {
  const memoryOutputs = await mapValues(r.memoryOutputs, toWire);
  if (!r.loaded && !r.saved) return { ...r, memoryOutputs };
  const loaded = r.loaded && (await mapValues(r.loaded, toWire));
  const saved = r.saved && (await mapValues(r.saved, toWire));
  return { ...r, memoryOutputs, ...(loaded ? { loaded } : {}), ...(saved ? { saved } : {}) };
}

async function execute(task: WorkerTask, t0: number): Promise<Extract<WorkerResult, { ok: true }>> {
  const node = setup.nodes[task.name];
  if (node.sql !== undefined) return executeSql(task, t0);
  const fn = await loadExport(node.func, setup.root);
  const inputs: Record<string, unknown> = { ...task.memoryInputs };
  const loaded: Record<string, unknown> = {};
  for (const name of node.inputs) {
    if (isParamInput(name) || name in inputs) continue;
    inputs[name] = loaded[name] = await catalog.load(name);
  }
  const outputs = await invokeNode(node, fn, inputs, setup.parameters, NEVER, task.attempt);
  const memory = new Set(task.memoryOutputNames);
  const memoryOutputs: Record<string, unknown> = {};
  const saved: Record<string, unknown> = {};
  const versions: Record<string, string | null | undefined> = {};
  for (const name of node.outputs) {
    if (memory.has(name)) {
      if (!isArrowTable(outputs[name])) assertCloneable(outputs[name], name, node.name);
      memoryOutputs[name] = outputs[name];
    } else {
      await catalog.save(name, outputs[name]);
      saved[name] = outputs[name];
      // Hashed here, in the thread that wrote the file, while its pages are still in the OS cache.
      if (task.versions) versions[name] = await catalog.version(name);
      if (task.keptOutputNames?.includes(name)) memoryOutputs[name] = outputs[name];
    }
  }
  const durationMs = performance.now() - t0;
  return setup.wantData
    ? { ok: true, memoryOutputs, loaded, saved, versions, durationMs, logs }
    : { ok: true, memoryOutputs, versions, durationMs, logs };
}

/** How often a running sql node looks whether the run was interrupted. */
const INTERRUPT_POLL_MS = 50;

/** A sql node's attempt (sql-node.ts): DuckDB reads plain files and writes a plain file output itself. */
async function executeSql(task: WorkerTask, t0: number): Promise<Extract<WorkerResult, { ok: true }>> {
  const node = setup.nodes[task.name];
  const out = node.outputs[0];
  const isMemory = task.memoryOutputNames.includes(out);
  // Timed out here, not by terminating the worker (runner.ts): the query is interrupted, and the
  // node fails once DuckDB has let go of it (a worker ended mid-query would abort the process).
  const ctl = new AbortController();
  const ms = node.timeoutMs;
  const timer = ms !== null ? setTimeout(() => ctl.abort(timedOut(node.name, ms)), ms) : undefined;
  const flag = new Int32Array(setup.interrupted);
  const poll = setInterval(() => Atomics.load(flag, 0) === 1 && ctl.abort(new Error("interrupted")), INTERRUPT_POLL_MS);
  const r = await runSqlNode(node, task.memoryInputs, catalog, setup.parameters, isMemory, ctl.signal).finally(() => {
    clearTimeout(timer);
    clearInterval(poll);
  });
  const memoryOutputs: Record<string, unknown> = {};
  const saved: Record<string, unknown> = {};
  if (isMemory) memoryOutputs[out] = r.outputs[out];
  else if (!r.written) {
    await catalog.save(out, r.outputs[out]);
    saved[out] = r.outputs[out];
    if (task.keptOutputNames?.includes(out)) memoryOutputs[out] = r.outputs[out];
  }
  // Saved by the catalog or written by DuckDB, the output's content version is what the cache records.
  const versions = task.versions && !isMemory ? { [out]: await catalog.version(out) } : undefined;
  const durationMs = performance.now() - t0;
  return setup.wantData
    ? { ok: true, memoryOutputs, loaded: r.loaded ?? {}, saved, versions, durationMs, logs }
    : { ok: true, memoryOutputs, versions, durationMs, logs };
}
