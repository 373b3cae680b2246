// `mlc runs show ID [--json]`: one run record (unknown id: exit 2 with close matches).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { didYouMean } from "../../compiler/suggest.js";
import { hasRunFolder, listRuns, readMetricHistory, readRun } from "../../runs/store.js";
import { EXIT, UsageError } from "../exit.js";
import { findProjectRoot, type CommonFlags } from "../project.js";
import { formatFailure, formatSummary } from "../run-summary.js";

/** `mlc runs show` flags (see cli/main.ts). */
export type RunsShowFlags = CommonFlags & { json?: boolean };

/** Shows one run: the whole record with --json, else summary, metrics, failure and resume command. */
export default async function runsShow(opts: RunsShowFlags, args: string[]): Promise<number> {
  const root = findProjectRoot(opts.project);
  const id = args[0];
  if (!id) throw new UsageError("runs show needs a RUN_ID (see mlc runs ls)");
  return show(root, await resolveRunId(root, id), opts);
}

/** The id of the run `id` names (exactly, or as a unique prefix); UsageError with close matches. */
export async function resolveRunId(root: string, id: string): Promise<string> {
  if (readRun(root, id)) return id;
  const ids = (await listRuns(root)).map((r) => r.run_id);
  const prefixed = ids.filter((i) => i.startsWith(id));
  if (prefixed.length === 1) return prefixed[0];
  if (hasRunFolder(root, id))
    throw new UsageError(`run "${id}": its run.json is damaged (not a run record); see .mlc/runs/${id}/run.json`);
  throw new UsageError(`no run "${id}"${didYouMean(id, ids)} (see mlc runs ls)`);
}

function show(root: string, id: string, opts: Record<string, unknown>): number {
  const record = readRun(root, id)!;
  if (opts.json) {
    const history = readMetricHistory(root, id);
    process.stdout.write(
      JSON.stringify(history.length ? { ...record, metric_history: history } : record, null, 2) + "\n",
    );
    return EXIT.ok;
  }
  const lines = [
    `run_id:     ${record.run_id}`,
    `status:     ${record.status}`,
    `started:    ${record.started_at}`,
    `finished:   ${record.finished_at ?? "-"}`,
    `pipeline:   ${record.pipeline}   env: ${record.env}   executor: ${record.executor}`,
    `command:    ${record.command}`,
    `git commit: ${record.git_commit ?? "-"}`,
  ];
  if (record.mlflow) lines.push(`mlflow:     ${record.mlflow.url}`);
  else if (existsSync(join(root, ".mlc", "outbox", `${id}.jsonl`)))
    lines.push(
      "mlflow:     not delivered yet (queued in .mlc/outbox/: delivered in the background, or run `mlc mlflow sync`)",
    );
  const metrics = Object.entries(record.metrics ?? {});
  if (metrics.length) lines.push("metrics:", ...metrics.map(([k, v]) => `  ${k} = ${v}`));
  const versions = (record.datasets ?? []).filter((d) => d.version);
  if (versions.length) lines.push("dataset versions:", ...versions.map((d) => `  ${d.name} @ ${d.version}`));
  process.stdout.write(lines.join("\n") + "\n\n" + formatSummary(record, false) + formatFailure(record, root, false));
  return EXIT.ok;
}
