// Shapes what a run logs into requests the server accepts: valid keys, parameter values within
// the length limit (kedro-mlflow's long_params_strategy), and log-batch chunks within MLflow's
// limits (1000 metrics, 100 params, 100 tags, 1000 entities, under 1 MB of JSON).
import type { KeyValue, Metric } from "./types.js";

export const LIMITS = {
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
  /** The server refuses 1,000,000 bytes; keep room for run_id and the envelope. */
  batchBytes: 950_000,
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
} as const;

export type LongParamsStrategy = "fail" | "truncate" | "tag";

/** One log-batch body, without run_id. */
export interface Batch {
  readonly metrics: Metric[];
  readonly params: KeyValue[];
  readonly tags: KeyValue[];
}

/**
 * A key MLflow accepts: letters, digits, `_ - . / : space`, at most 250 characters, no empty,
 * `.` or `..` path segment, no leading or trailing slash. Other characters become `_`.
 * Returns null when nothing usable is left or the key is too long (truncating could collide).
 */
export function sanitizeKey(key: string): string | null {
  const cleaned = String(key).replace(/[^\p{L}\p{N}_\-. /:]/gu, "_");
  const segs = cleaned
    .split("/")
    .filter((s) => s !== "")
    .map((s) => (s === "." || s === ".." ? "_" : s));
  const out = segs.join("/");
  if (out === "" || out.length > LIMITS.keyLength) return null;
  return out;
}

/** A parameter value as MLflow stores it: strings as-is, everything else as JSON. */
export function paramString(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "None";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return JSON.stringify(v) ?? String(v);
}

export interface FlattenOptions {
  readonly flatten: boolean;
  readonly recursive: boolean;
  readonly sep: string;
}

/** Parameters as key -> value strings: nested maps joined with `sep` when flattening. */
export function flattenParams(params: Readonly<Record<string, unknown>>, o: FlattenOptions): Record<string, string> {
  const out: Record<string, string> = {};
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  const walk = (obj: Record<string, unknown>, prefix: string, depth: number) => {
    for (const k of Object.keys(obj).sort()) {
      const v = obj[k];
      const key = prefix ? `${prefix}${o.sep}${k}` : k;
      if (o.flatten && isMap(v) && Object.keys(v).length > 0 && (o.recursive || depth === 0)) walk(v, key, depth + 1);
      else out[key] = paramString(v);
    }
  };
  walk(params as Record<string, unknown>, "", 0);
  return out;
}

/** What applying long_params_strategy left: params to log, tags to log instead, and failures. */
export interface LongParamsResult {
  readonly params: KeyValue[];
  readonly tags: KeyValue[];
  /** Keys over the limit under `fail` (nothing of these is sent). */
  readonly tooLong: string[];
}

/** Applies kedro-mlflow's long_params_strategy to values over 6000 characters. */
export function applyLongParams(params: readonly KeyValue[], strategy: LongParamsStrategy): LongParamsResult {
  const out: KeyValue[] = [];
  const tags: KeyValue[] = [];
  const tooLong: string[] = [];
  for (const p of params) {
    if (p.value.length <= LIMITS.paramValueLength) out.push(p);
    else if (strategy === "truncate") out.push({ key: p.key, value: p.value.slice(0, LIMITS.paramValueLength) });
    else if (strategy === "tag") tags.push({ key: p.key, value: p.value.slice(0, LIMITS.tagValueLength) });
    else tooLong.push(p.key);
  }
  return { params: out, tags, tooLong };
}

/** Splits metrics, params and tags into log-batch bodies within every server limit, in order. */
export function chunkBatches(
  metrics: readonly Metric[],
  params: readonly KeyValue[],
  tags: readonly KeyValue[],
): Batch[] {
  const batches: Batch[] = [];
  let cur: Batch = { metrics: [], params: [], tags: [] };
  let bytes = 64;
  const count = () => cur.metrics.length + cur.params.length + cur.tags.length;
  const add = <K extends keyof Batch>(kind: K, item: Batch[K][number], max: number) => {
    const size = encodeJson(item).length + 1;
    if (cur[kind].length >= max || count() >= LIMITS.entitiesPerBatch || bytes + size > LIMITS.batchBytes) {
      batches.push(cur);
      cur = { metrics: [], params: [], tags: [] };
      bytes = 64;
    }
    (cur[kind] as unknown[]).push(item);
    bytes += size;
  };
  params.forEach((p) => add("params", p, LIMITS.paramsPerBatch));
  tags.forEach((t) => add("tags", t, LIMITS.tagsPerBatch));
  metrics.forEach((m) => add("metrics", m, LIMITS.metricsPerBatch));
  if (count() > 0) batches.push(cur);
  return batches;
}

/** JSON with non-finite numbers as MLflow's strings ("NaN", "Infinity", "-Infinity"). */
export function encodeJson(body: unknown): string {
  return JSON.stringify(body, (_k, v) =>
    typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") : v,
  );
}
