// `mlc runs compare`: the rows of a side-by-side comparison of runs, each marked when the runs
// disagree. Node durations always differ a little, so a node row is marked on its status only.
import type { NodeRecord, RunRecord } from "../../runs/record.js";
import { searchParams } from "./view.js";

/** One compared key: a value per run (null: the run has none) and whether they differ. */
export interface CompareRow<T> {
  readonly key: string;
  readonly values: readonly (T | null)[];
  readonly differs: boolean;
}

export type NodeCell = Pick<NodeRecord, "status" | "duration_ms" | "attempts">;

/** The comparison of two or more runs, in the order given. */
export interface Comparison {
  readonly runs: readonly Pick<RunRecord, "run_id" | "status" | "started_at" | "finished_at" | "pipeline">[];
  readonly params: readonly CompareRow<string>[];
  readonly metrics: readonly CompareRow<number>[];
  readonly datasets: readonly CompareRow<string>[];
  readonly nodes: readonly CompareRow<NodeCell>[];
}

/** Compares `records` key by key (keys sorted; nodes in the first run's order, then the others'). */
export function compareRuns(records: readonly RunRecord[]): Comparison {
  const params = records.map(searchParams);
  const versions = records.map((r) =>
    Object.fromEntries((r.datasets ?? []).filter((d) => d.version).map((d) => [d.name, d.version as string])),
  );
  const nodes = records.map((r) => new Map((r.nodes ?? []).map((n) => [n.name, n])));
  const nodeNames = [...new Set(records.flatMap((r) => (r.nodes ?? []).map((n) => n.name)))];
  return {
    runs: records.map((r) => ({
      run_id: r.run_id,
      status: r.status,
      started_at: r.started_at,
      finished_at: r.finished_at,
      pipeline: r.pipeline,
    })),
    params: rows(params, (v) => v),
    metrics: rows(
      records.map((r) => r.metrics ?? {}),
      (v) => (Number.isNaN(v) ? "NaN" : v),
    ),
    datasets: rows(versions, (v) => v),
    nodes: nodeNames.map((name) => {
      const values = nodes.map((m) => {
        const n = m.get(name);
        return n ? { status: n.status, duration_ms: n.duration_ms, attempts: n.attempts } : null;
      });
      return { key: name, values, differs: differs(values.map((v) => v?.status ?? null)) };
    }),
  };
}

function rows<T>(maps: readonly Readonly<Record<string, T>>[], identity: (v: T) => unknown): CompareRow<T>[] {
  const keys = [...new Set(maps.flatMap((m) => Object.keys(m)))].sort();
  return keys.map((key) => {
    const values = maps.map((m) => (Object.hasOwn(m, key) ? m[key] : null));
    return { key, values, differs: differs(values.map((v) => (v === null ? null : identity(v)))) };
  });
}

function differs(values: readonly unknown[]): boolean {
  return values.some((v) => v !== values[0]);
}
