// `mlc runs ls [--json]`: the local run history, newest first.
import { listRuns } from "../../tracking/run-store.js";
import type { RunRecord } from "../../tracking/run-record.js";
import { EXIT } from "../exit.js";
import { human } from "../progress.js";
import { findProjectRoot, type CommonFlags } from "../project.js";
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
export type RunsLsFlags = CommonFlags & { json?: boolean };

/** Lists runs; exit 0 (an empty history is not an error). */
export default async function runsLs(opts: RunsLsFlags): Promise<number> {
  const runs = (await listRuns(findProjectRoot(opts.project))).map(runSummary);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ runs }, null, 2) + "\n");
    return EXIT.ok;
  }
  if (runs.length === 0) {
    if (!opts.quiet) process.stdout.write("No runs yet (mlc run records them under .mlc/runs).\n");
    return EXIT.ok;
  }
  const rows = runs.map((r) => [
    r.run_id,
    r.status,
    r.started_at.replace("T", " ").replace(/\.\d+Z$/, "Z"),
    r.duration_ms === null ? "-" : human(r.duration_ms),
    r.pipeline,
    Object.entries(r.nodes).map(([s, c]) => `${c} ${s.replace("_", " ")}`).join(", "),
  ]);
  process.stdout.write(table(["RUN", "STATUS", "STARTED", "DURATION", "PIPELINE", "NODES"], rows));
  return EXIT.ok;
}
