// `mlc runs ls [--filter EXPR] [--order-by EXPR]... [--limit N] [--json]`: the local run history,
// newest first, searched with MLflow's filter grammar (search/filter.ts).
import { orderRuns, own, runFilter, type RunQuery } from "../search/search.js";
import type { SearchView } from "../search/view.js";
import { listRuns } from "../../runs/store.js";
import type { RunRecord } from "../../runs/record.js";
import { EXIT } from "../exit.js";
import { human } from "../progress.js";
import { findProjectRoot, type CommonFlags } from "../project.js";
import { parseQuery, type QueryFlags } from "../search/query.js";
import { table } from "./table.js";

/** One line of `mlc runs ls --json`. */
export function runSummary(r: RunRecord) {
  const counts: Record<string, number> = {};
  for (const n of r.nodes ?? []) counts[n.status] = (counts[n.status] ?? 0) + 1;
  return {
    run_id: r.run_id,
    status: r.status,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_ms: r.finished_at ? Date.parse(r.finished_at) - Date.parse(r.started_at) : null,
    pipeline: r.pipeline,
    executor: r.executor,
    env: r.env,
    nodes: counts,
    ...(r.error ? { error: r.error.code } : {}),
  };
}

/** `mlc runs ls` flags (see cli/main.ts). */
export type RunsLsFlags = CommonFlags & QueryFlags & { json?: boolean };

/** Lists runs (those matching the query); exit 0 (an empty history is not an error). */
export default async function runsLs(opts: RunsLsFlags): Promise<number> {
  const query = parseQuery(opts);
  const root = findProjectRoot(opts.project);
  const views = orderRuns(await listRuns(root, runFilter(query, root)), query, root);
  const records = views.map((v) => v.record);
  const runs = records.map(runSummary);
  if (opts.json) {
    const items = views.map((v, i) => ({ ...runs[i], metrics: v.metrics, params: v.params }));
    process.stdout.write(JSON.stringify({ runs: items }, null, 2) + "\n");
    return EXIT.ok;
  }
  if (runs.length === 0) {
    const none = isSearch(query) ? "No run matches." : "No runs yet (mlc run records them under .mlc/runs).";
    if (!opts.quiet) process.stdout.write(none + "\n");
    return EXIT.ok;
  }
  const extra = queryColumns(query);
  const rows = runs.map((r, i) => [
    r.run_id,
    r.status,
    r.started_at.replace("T", " ").replace(/\.\d+Z$/, "Z"),
    r.duration_ms === null ? "-" : human(r.duration_ms),
    r.pipeline,
    Object.entries(r.nodes)
      .map(([s, c]) => `${c} ${s.replace("_", " ")}`)
      .join(", "),
    ...extra.map((col) => col.cell(views[i])),
  ]);
  const header = ["RUN", "STATUS", "STARTED", "DURATION", "PIPELINE", "NODES", ...extra.map((c) => c.title)];
  process.stdout.write(table(header, rows));
  return EXIT.ok;
}

function isSearch(q: RunQuery): boolean {
  return q.clauses.length > 0 || q.order.length > 0;
}

interface Column {
  readonly title: string;
  cell(v: SearchView): string;
}

/** One column per metric or param the query filters or orders on, in the order first named. */
function queryColumns(q: RunQuery): Column[] {
  const seen = new Map<string, Column>();
  for (const { type, key } of [...q.clauses, ...q.order]) {
    const id = `${type}:${key}`;
    if (seen.has(id)) continue;
    if (type === "metric") seen.set(id, { title: key, cell: (v) => metricCell(own(v.metrics, key)) });
    if (type === "parameter") seen.set(id, { title: `params.${key}`, cell: (v) => v.param(key) ?? "-" });
  }
  return [...seen.values()];
}

function metricCell(v: number | null): string {
  if (v === null) return "-";
  return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(6)));
}
