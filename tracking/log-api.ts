// The logging functions node code calls (`import { logMetric } from "mlc-pipelines"`). They reach
// the current run's sink (the main thread's, or a worker's relay); outside a run they do nothing,
// so node functions stay unit-testable. They never throw.
import { isAbsolute, resolve } from "node:path";
import { currentSink } from "./sink.js";

/** Logs a metric to the current run (latest value and history; `step` defaults to 0 as in MLflow). */
export function logMetric(key: string, value: number, step?: number): void {
  currentSink().logMetric(key, value, step);
}

/** Logs several metrics at once, all with the same step. */
export function logMetrics(metrics: Readonly<Record<string, number>>, step?: number): void {
  if (metrics === null || typeof metrics !== "object") return;
  const sink = currentSink();
  for (const [k, v] of Object.entries(metrics)) sink.logMetric(k, v, step);
}

/** Logs a run parameter (objects are recorded as JSON). */
export function logParam(key: string, value: unknown): void {
  currentSink().logParam(key, value);
}

/** Sets a tag on the current run. */
export function setTag(key: string, value: string): void {
  currentSink().setTag(key, String(value));
}

/** Logs a file as an artifact of the current run; a relative path is resolved against the working directory. */
export function logArtifact(localPath: string, artifactPath?: string): void {
  if (typeof localPath !== "string" || localPath === "") return;
  currentSink().logArtifact(isAbsolute(localPath) ? localPath : resolve(localPath), artifactPath);
}
