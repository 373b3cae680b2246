// The worker entry (prebuilt JS in dist/, so no TypeScript loader per worker start). Runs one
// attempt of one node: loads persisted inputs itself, calls the function, saves persisted outputs
// itself, and returns memory outputs by transfer. Errors leave as plain {code, message, stack}.
// An unhandled rejection or uncaught exception during a task fails THAT task (Piscina would
// otherwise swallow it or lose the worker without saying why).
import { move, transferableSymbol, valueSymbol } from "piscina";
import { DataCatalog } from "../../catalog/catalog.js";
import { loadExport } from "../../compiler/load-module.js";
import { installSink, type RunSink } from "../../tracking/sink.js";
import { toErrorInfo } from "../errors.js";
import { invokeNode, threw } from "../invoke.js";
import { isParamInput } from "../scheduler.js";
import { userStack } from "../stack.js";
import type { SinkMessage, WorkerResult, WorkerTask } from "./messages.js";
import { assertCloneable, transferables } from "./transfer.js";

process.setSourceMapsEnabled(true);

let failCurrent: ((err: unknown) => void) | null = null;
const stray = (kind: string) => (reason: unknown) => {
  const e = reason instanceof Error ? reason : new Error(String(reason));
  const err = Object.assign(new Error(`${kind}: ${e.message}`), { userStack: e.stack ? userStack(e.stack) : undefined, code: "MLC5001" });
  if (failCurrent) failCurrent(err);
  else process.stderr.write(`mlc worker: ${kind} outside a task: ${e.message}\n`);
};
process.on("unhandledRejection", stray("unhandled promise rejection"));
process.on("uncaughtException", stray("uncaught exception"));

function relaySink(port: WorkerTask["port"]): RunSink {
  const post = (method: SinkMessage["method"], args: unknown[]) => port.postMessage({ type: "sink", method, args } satisfies SinkMessage);
  return {
    logMetric: (...a) => post("logMetric", a),
    logParam: (...a) => post("logParam", a),
    setTag: (...a) => post("setTag", a),
    logArtifact: (...a) => post("logArtifact", a),
  };
}

/** Piscina's task function. */
export default async function runTask(task: WorkerTask): Promise<unknown> {
  const t0 = performance.now();
  const sink = relaySink(task.port);
  const restore = installSink(sink);
  try {
    const result = await new Promise<Extract<WorkerResult, { ok: true }>>((resolve, reject) => {
      failCurrent = reject;
      execute(task, sink, t0).then(resolve, reject);
    });
    const list = transferables(result.memoryOutputs);
    return move({ [transferableSymbol]: list, [valueSymbol]: result } as never);
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    const wrapped = typeof code === "string" && code.startsWith("MLC") ? err : threw(task.node, err);
    return { ok: false, error: toErrorInfo(wrapped, "MLC5001"), durationMs: performance.now() - t0 } satisfies WorkerResult;
  } finally {
    failCurrent = null;
    restore();
    task.port.close();
  }
}

async function execute(task: WorkerTask, sink: RunSink, t0: number): Promise<Extract<WorkerResult, { ok: true }>> {
  const { node } = task;
  const fn = await loadExport(node.func, task.root);
  const catalog = new DataCatalog({
    root: task.root,
    datasets: task.datasets,
    credentials: task.credentials,
    saveVersion: task.saveVersion,
    loadVersions: task.loadVersions,
    sink,
  });
  const inputs: Record<string, unknown> = { ...task.memoryInputs };
  const loaded: Record<string, unknown> = {};
  for (const name of node.inputs) {
    if (isParamInput(name) || name in inputs) continue;
    inputs[name] = loaded[name] = await catalog.load(name);
  }
  const signal = new AbortController().signal;
  const outputs = await invokeNode(node, fn, inputs, task.params, signal, task.attempt);
  const memory = new Set(task.memoryOutputNames);
  const memoryOutputs: Record<string, unknown> = {};
  const saved: Record<string, unknown> = {};
  for (const name of node.outputs) {
    if (memory.has(name)) {
      assertCloneable(outputs[name], name, node.name);
      memoryOutputs[name] = outputs[name];
    } else {
      await catalog.save(name, outputs[name]);
      saved[name] = outputs[name];
    }
  }
  const durationMs = performance.now() - t0;
  return task.wantData ? { ok: true, memoryOutputs, loaded, saved, durationMs } : { ok: true, memoryOutputs, durationMs };
}
