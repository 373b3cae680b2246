// `mlc status [selection] [--json]` (SPEC section 9): per node, `up to date` or why it would run.
import { compileProject } from "../../compiler/compile.js";
import { plan as makePlan } from "../../executors/plan.js";
import { EXIT } from "../exit.js";
import { compileOptionsFromFlags, type ProjectFlags } from "../project.js";
import { printDiagnostics } from "./print-diagnostics.js";

export type StatusFlags = ProjectFlags & { json?: boolean };

export default async function status(opts: StatusFlags, args: string[]): Promise<number> {
  const { project, diagnostics, ctx } = await compileProject(await compileOptionsFromFlags(opts, args[0]));
  await printDiagnostics(diagnostics, ctx, opts);
  if (!project) return EXIT.invalid;
  const { cacheStatus, formatStatus } = await import("../../cache/status.js");
  const rows = await cacheStatus(project, makePlan(project.selected));
  if (opts.json) {
    const nodes = rows.map((r) => ({
      name: r.node,
      up_to_date: r.upToDate,
      upstream: r.upstream,
      reason: r.reason,
      cause: r.cause,
    }));
    process.stdout.write(JSON.stringify({ nodes }, null, 2) + "\n");
  } else process.stdout.write(formatStatus(rows));
  return EXIT.ok;
}
