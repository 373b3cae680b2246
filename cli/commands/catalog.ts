// `mlc catalog ls [--json]`: every dataset the pipeline uses with its resolved type, path, layer,
// the catalog entry or factory it matched, and whether it persists. Credentials show as a name only.
import { compileProject } from "../../compiler/compile.js";
import type { IRDataset } from "../../compiler/types.js";
import { EXIT } from "../exit.js";
import { compileOptionsFromFlags, type CommonFlags } from "../project.js";
import { printDiagnostics } from "./print-diagnostics.js";
import { table } from "./table.js";

/** One dataset as `mlc catalog ls --json` prints it. */
export function catalogRow(d: IRDataset) {
  const inner = d.config.dataset;
  const innerPath = inner && typeof inner.filepath === "string" ? inner.filepath : null;
  return {
    name: d.name,
    type: d.type,
    filepath: d.filepath ?? innerPath,
    layer: d.layer,
    entry: d.entry ?? null,
    factory: d.entry != null && d.entry !== d.name,
    persistent: d.persistent,
    versioned: d.config.versioned === true || inner?.versioned === true,
    credentials: typeof d.config.credentials === "string" ? d.config.credentials : null,
  };
}

/** `mlc catalog ls` flags (see cli/main.ts). */
export type CatalogFlags = CommonFlags & { json?: boolean };

/** Lists the datasets; exit 1 when the project is invalid. */
export default async function catalog(opts: CatalogFlags, args: string[]): Promise<number> {
  const copts = await compileOptionsFromFlags(opts, args[0], { checkFuncs: false });
  const { project, diagnostics, ctx } = await compileProject(copts);
  printDiagnostics(diagnostics, ctx, opts);
  if (!project) return EXIT.invalid;
  const datasets = project.graph.datasets.map(catalogRow);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ datasets }, null, 2) + "\n");
    return EXIT.ok;
  }
  const rows = datasets.map((d) => [
    d.name,
    d.type,
    d.filepath ?? "-",
    d.layer ?? "-",
    d.entry === null ? "(implicit memory)" : d.factory ? `factory ${d.entry}` : d.entry,
  ]);
  process.stdout.write(table(["DATASET", "TYPE", "FILEPATH", "LAYER", "ENTRY"], rows));
  return EXIT.ok;
}
