// `mlc runs compare A B [C ...] [--json]`: params, metrics, dataset versions and nodes of runs side
// by side; a row where the runs differ starts with "*" (and is yellow on a terminal without NO_COLOR).
import { compareRuns, type CompareRow, type Comparison, type NodeCell } from "../search/compare.js";
import { readRun } from "../../runs/store.js";
import { EXIT, UsageError } from "../exit.js";
import { human, paint } from "../progress.js";
import { findProjectRoot, type CommonFlags } from "../project.js";
import { resolveRunId } from "./runs-show.js";
import { table } from "./table.js";

/** `mlc runs compare` flags (see cli/main.ts). */
export type RunsCompareFlags = CommonFlags & { json?: boolean };

/** Compares two or more runs (ids or unique prefixes); exit 2 for an unknown id. */
export default async function runsCompare(opts: RunsCompareFlags, args: string[]): Promise<number> {
  if (args.length < 2) throw new UsageError("runs compare needs at least two RUN_IDs (see mlc runs ls)");
  const root = findProjectRoot(opts.project);
  const ids: string[] = [];
  for (const a of args) ids.push(await resolveRunId(root, a));
  const cmp = compareRuns(ids.map((id) => readRun(root, id)!));
  if (opts.json) {
    process.stdout.write(JSON.stringify(cmp, null, 2) + "\n");
    return EXIT.ok;
  }
  const color = !!process.stdout.isTTY && !process.env.NO_COLOR;
  process.stdout.write(render(cmp, color));
  return EXIT.ok;
}

function render(cmp: Comparison, color: boolean): string {
  const p = paint(color);
  const body: { cells: string[]; differs: boolean }[] = [];
  const section = (title: string, rows: readonly CompareRow<unknown>[], cell: (v: never) => string) => {
    if (rows.length === 0) return;
    body.push({ cells: [title], differs: false });
    for (const r of rows)
      body.push({
        cells: [`  ${r.key}`, ...r.values.map((v) => (v === null ? "-" : cell(v as never)))],
        differs: r.differs,
      });
  };
  body.push({
    cells: ["status", ...cmp.runs.map((r) => r.status)],
    differs: new Set(cmp.runs.map((r) => r.status)).size > 1,
  });
  body.push({
    cells: ["started", ...cmp.runs.map((r) => r.started_at.replace("T", " ").replace(/\.\d+Z$/, "Z"))],
    differs: false,
  });
  section("params", cmp.params, (v: string) => v);
  section("metrics", cmp.metrics, (v: number) => String(v));
  section("dataset versions", cmp.datasets, (v: string) => v);
  section("nodes", cmp.nodes, (v: NodeCell) => `${v.status.replace("_", " ")} ${human(v.duration_ms ?? 0)}`);
  const header = ["", "", ...cmp.runs.map((r) => r.run_id)];
  const text = table(
    header,
    body.map((b) => [b.differs ? "*" : "", ...b.cells]),
  );
  const lines = text.split("\n");
  return lines.map((l, i) => (i > 0 && body[i - 1]?.differs ? p.yellow(l) : l)).join("\n");
}
