// `mlc cache gc`: drops cache state that no node of the current project and no run record refers
// to (SPEC 9): a node another pipeline file or an older version of the project ran stays cached
// while a record of a run that executed or skipped it is kept.
import { compileProject } from "../../compiler/compile.js";
import { EXIT } from "../exit.js";
import { compileOptionsFromFlags, type CommonFlags } from "../project.js";
import { printDiagnostics } from "./print-diagnostics.js";

export default async function cacheGc(opts: CommonFlags, args: string[]): Promise<number> {
  const { project, diagnostics, ctx } = await compileProject(await compileOptionsFromFlags(opts, args[0]));
  await printDiagnostics(diagnostics, ctx, opts);
  if (!project) return EXIT.invalid;
  const { collectGarbage } = await import("../../cache/state.js");
  const { listRuns } = await import("../../runs/store.js");
  const recorded = (await listRuns(project.root)).flatMap((r) =>
    r.nodes.filter((n) => n.status === "completed" || n.status === "cached").map((n) => n.name),
  );
  const { removed } = await collectGarbage(project.root, [...project.graph.nodes.map((n) => n.name), ...recorded]);
  if (!opts.quiet) process.stdout.write(`Removed ${removed} cache file${removed === 1 ? "" : "s"} from .mlc/cache/.\n`);
  return EXIT.ok;
}
