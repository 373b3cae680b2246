// What `mlc run` prints around a run: the plan (--dry-run), the summary table, the coded error
// with the user's stack, and the resume command.
import { relative } from "node:path";
import { nodeKeyPosition } from "../compiler/node-key.js";
import type { GraphIR } from "../compiler/types.js";
import type { RunPlan } from "../executors/executor.js";
import type { RunRecord } from "../runs/record.js";
import { human, paint } from "./progress.js";
import { table } from "./commands/table.js";
import { codeFrame } from "./format.js";

/** Nodes shown one per row in the summary; bigger runs show only the nodes that did not complete. */
const MAX_ROWS = 40;

/** The plan as `mlc run --dry-run` prints it (`--json`: `{"nodes": [...], "skipped": [...]}`). */
export function formatPlan(
  plan: RunPlan,
  json: boolean,
  skipped: readonly { name: string; reason: string }[] = [],
): string {
  if (json) return JSON.stringify({ nodes: plan.order, skipped }, null, 2) + "\n";
  const lines = [`Plan: ${plan.order.length} node${plan.order.length === 1 ? "" : "s"} would run, in this order:`];
  plan.order.forEach((n, i) => lines.push(`  ${String(i + 1).padStart(String(plan.order.length).length)}. ${n}`));
  if (plan.freeInputs.length > 0) lines.push(`Loaded from the catalog: ${plan.freeInputs.join(", ")}`);
  for (const s of skipped) lines.push(`Skipped: ${s.name} (${s.reason})`);
  return lines.join("\n") + "\n";
}

/** The summary table (node, status, attempts, duration) and a totals line. */
export function formatSummary(record: RunRecord, color: boolean): string {
  const p = paint(color);
  const nodes = record.nodes;
  const shown =
    nodes.length > MAX_ROWS ? nodes.filter((n) => n.status !== "completed" && n.status !== "cached") : nodes;
  const rows = shown.map((n) => [n.name, n.status, String(n.attempts), human(n.duration_ms)]);
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  const totals = [...counts].map(([s, c]) => `${c} ${s.replace("_", " ")}`).join(", ");
  const elapsed = record.finished_at ? Date.parse(record.finished_at) - Date.parse(record.started_at) : 0;
  const status =
    record.status === "success"
      ? p.green(record.status)
      : record.status === "failed"
        ? p.red(record.status)
        : p.yellow(record.status);
  const out = rows.length > 0 ? table(["NODE", "STATUS", "ATTEMPTS", "DURATION"], rows) : "";
  const more =
    shown.length < nodes.length ? `(${nodes.length - shown.length} completed or cached nodes not listed)\n` : "";
  const cached = nodes.filter((n) => n.status === "cached").length;
  const nothing =
    nodes.length > 0 && cached === nodes.length ? `Nothing to run: all ${cached} nodes are up to date (cached).\n` : "";
  return `${out}${more}${nothing}Run ${record.run_id} ${status} in ${human(elapsed)}: ${totals || "no nodes"} (${record.executor})\n`;
}

/** The failure block: coded error, the user's stack frames (project-relative), the resume commands. */
export function formatFailure(record: RunRecord, root: string, color: boolean, graph?: GraphIR): string {
  const p = paint(color);
  const lines: string[] = [];
  const e = record.error;
  if (e) {
    const where = e.node && !e.message.includes(`"${e.node}"`) ? `node "${e.node}": ` : "";
    const at = e.code === "MLC5004" ? outputsAt(graph, e.node, root) : null;
    lines.push(
      `${at ? p.bold(`${at.file}:${at.line}:${at.column}`) + " " : ""}${p.red("error")} ${e.code} ${where}${e.message}`,
    );
    if (at) lines.push(...codeFrame(at.text, { code: "MLC5004", severity: "error", message: "", ...at }));
    if (e.stack) lines.push(...e.stack.split("\n").map((l) => "  " + shortenPath(l.trim(), root)));
  } else if (record.status === "interrupted") {
    lines.push(`${p.yellow("interrupted")}: the run was stopped before it finished`);
  }
  const notRun = record.nodes.filter((n) => n.status !== "completed" && n.status !== "cached").length;
  if (record.resume_command) {
    lines.push(
      `${notRun} node${notRun === 1 ? " has" : "s have"} not completed. Resume from the nearest nodes with persisted inputs:`,
    );
    lines.push(`  ${record.resume_command}`);
    lines.push(`  or: mlc run --resume ${record.run_id}`);
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}

/** Where the failed node's `outputs:` is written: a wrong shape is fixed there or in the function. */
function outputsAt(graph: GraphIR | undefined, node: string | undefined, root: string) {
  const n = node === undefined ? undefined : graph?.nodes.find((x) => x.name === node);
  return n ? nodeKeyPosition(root, n, "outputs") : null;
}

/** Absolute paths inside `root` shown project-relative (stack frames read better). */
export function shortenPath(line: string, root: string): string {
  return line.replace(/(\(|at )(\/[^:()]+)(:\d+)/g, (m, pre: string, path: string, rest: string) => {
    const rel = relative(root, path);
    return rel.startsWith("..") ? m : `${pre}${rel}${rest}`;
  });
}
