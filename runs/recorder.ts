// The RunSink that records what node code logs (metrics with step and history, params, tags,
// artifacts) into the local run record, and a tee that fans one sink out to several. The metric
// history is not kept here: the run writer drains it into an append-only metrics.jsonl.
import { isAbsolute, relative } from "node:path";
import type { MetricPoint, RunRecord } from "./record.js";
import type { RunSink } from "../tracking/sink.js";

type Logged = Pick<RunRecord, "metrics" | "logged_params" | "tags" | "artifacts">;

/** Collects logging calls of one run; `snapshot()` gives the run-record fields. Never throws. */
export class RunRecorder implements RunSink {
  private readonly metrics: Record<string, number> = {};
  private pending: MetricPoint[] = [];
  private readonly params: Record<string, string> = {};
  private readonly tags: Record<string, string> = {};
  private readonly artifacts: { path: string; artifact_path: string | null }[] = [];
  private readonly warned = new Set<string>();
  /** Called after every change (the run command uses it to schedule a record write). */
  onChange: () => void = () => {};

  constructor(
    private readonly root: string,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  logMetric(key: string, value: number, step?: number): void {
    if (typeof key !== "string" || key === "")
      return this.once("metric-key", `logMetric: the key must be a non-empty string (got ${String(key)}); ignored`);
    const v = typeof value === "number" ? value : Number.NaN;
    if (typeof value !== "number")
      this.once(
        `metric-value:${key}`,
        `logMetric("${key}"): the value must be a number (got ${typeof value}); recorded as NaN`,
      );
    // MLflow's default step is 0; keep the record consistent with the mirror.
    const s = Number.isInteger(step) ? (step as number) : 0;
    this.metrics[key] = v;
    this.pending.push({ key, value: v, step: s, timestamp: Date.now() });
    this.onChange();
  }

  logParam(key: string, value: unknown): void {
    if (typeof key !== "string" || key === "") return;
    this.params[key] = typeof value === "string" ? value : safeJson(value);
    this.onChange();
  }

  setTag(key: string, value: string): void {
    if (typeof key !== "string" || key === "") return;
    this.tags[key] = String(value);
    this.onChange();
  }

  logArtifact(localPath: string, artifactPath?: string): void {
    if (typeof localPath !== "string" || localPath === "") return;
    const rel = relative(this.root, localPath);
    const shown = !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : localPath;
    this.artifacts.push({ path: shown, artifact_path: artifactPath ?? null });
    this.onChange();
  }

  /** The logged values as run-record fields (copies). */
  snapshot(): Logged {
    return {
      metrics: { ...this.metrics },
      logged_params: { ...this.params },
      tags: { ...this.tags },
      artifacts: [...this.artifacts],
    };
  }

  /** The metric points logged since the last call (the run writer appends them to metrics.jsonl). */
  takeHistory(): MetricPoint[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  private once(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(message);
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** One sink calling each of `sinks` in order; a sink that throws does not stop the others. */
export function teeSinks(...sinks: RunSink[]): RunSink {
  const each = (f: (s: RunSink) => void) => {
    for (const s of sinks) {
      try {
        f(s);
      } catch {
        // Logging never breaks a node (SPEC 8: calls are harmless).
      }
    }
  };
  return {
    logMetric: (k, v, step) => each((s) => s.logMetric(k, v, step)),
    logParam: (k, v) => each((s) => s.logParam(k, v)),
    setTag: (k, v) => each((s) => s.setTag(k, v)),
    logArtifact: (p, a, r) => each((s) => s.logArtifact(p, a, r)),
  };
}
