// What a node logged during one attempt, as plain data: worker threads send it to the main thread,
// and the cache keeps it so an up-to-date node's metrics, params, tags and artifacts are logged to
// the run that skipped it (its MLflow run stays comparable with one that executed everything).
import type { SinkCall } from "./parallel/messages.js";
import { currentSink, installSink, type RunSink } from "../tracking/sink.js";

export type { SinkCall };

/** A sink that records every call into `into` and forwards it to `target`. */
export function recordingSink(target: RunSink, into: SinkCall[]): RunSink {
  const call =
    (method: SinkCall["method"]) =>
    (...args: unknown[]) => {
      into.push({ method, args });
      (target[method] as (...a: unknown[]) => void)(...args);
    };
  return {
    logMetric: call("logMetric"),
    logParam: call("logParam"),
    setTag: call("setTag"),
    logArtifact: call("logArtifact"),
  };
}

let recording: RunSink | null = null;

/**
 * The sink a thread's catalog logs to: `fallback`, or while `recordCalls` runs, its recorder (so
 * mlflow.* dataset saves are recorded along with the node's own calls).
 */
export function catalogSink(fallback: RunSink): RunSink {
  const to = () => recording ?? fallback;
  return {
    logMetric: (...a) => to().logMetric(...a),
    logParam: (...a) => to().logParam(...a),
    setTag: (...a) => to().setTag(...a),
    logArtifact: (...a) => to().logArtifact(...a),
  };
}

/** Runs `work` (one node attempt; one at a time per thread) recording what it logs into `into`. */
export async function recordCalls<T>(catalogTarget: RunSink, into: SinkCall[], work: () => Promise<T>): Promise<T> {
  const restore = installSink(recordingSink(currentSink(), into));
  recording = recordingSink(catalogTarget, into);
  try {
    return await work();
  } finally {
    recording = null;
    restore();
  }
}

/** Calls `sink` as recorded; a failing call is dropped (sink calls never fail a node). */
export function replaySinkCalls(sink: RunSink, calls: readonly SinkCall[] | undefined): void {
  for (const call of calls ?? []) {
    try {
      (sink[call.method] as (...a: unknown[]) => void)(...call.args);
    } catch {
      // ignored on purpose
    }
  }
}
