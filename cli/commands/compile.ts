// `mlc compile [file] [--out build] [--check] [--stdout json|mermaid]`: writes graph.json and
// pipeline.mmd atomically into --out (relative to the project root); --check compares instead.
import { promises as fsp, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempPathFor } from "../../catalog/atomic.js";
import { compileProject } from "../../compiler/compile.js";
import { emitJson } from "../../compiler/emit/json.js";
import { emitMermaid } from "../../compiler/emit/mermaid.js";
import { EXIT } from "../exit.js";
import { assertReplaceable, writeForFlag } from "../output.js";
import { compileOptionsFromFlags } from "../project.js";
import { printDiagnostics } from "./print-diagnostics.js";

/** Compiles the project; exit 0 written/fresh, 1 invalid or stale. */
export default async function compile(opts: Record<string, unknown>, args: string[]): Promise<number> {
  const copts = await compileOptionsFromFlags(opts, args[0]);
  const { project, diagnostics, ctx } = await compileProject(copts);
  printDiagnostics(diagnostics, ctx, opts);
  if (!project) return EXIT.invalid;
  const graph = project.selected;
  const files = { "graph.json": emitJson(graph), "pipeline.mmd": emitMermaid(graph) };
  if (opts.stdout === "json" || opts.stdout === "mermaid") {
    process.stdout.write(opts.stdout === "json" ? files["graph.json"] : files["pipeline.mmd"]);
    return EXIT.ok;
  }
  const outArg = typeof opts.out === "string" ? opts.out : "build";
  const outDir = resolve(copts.root, outArg);
  const shown = (f: string) => join(outArg, f).split("\\").join("/");
  if (opts.check) {
    const stale = Object.entries(files).filter(([f, text]) => read(join(outDir, f)) !== text).map(([f]) => f);
    for (const f of stale) process.stderr.write(`stale: ${shown(f)} (run mlc compile)\n`);
    if (stale.length === 0 && !opts.quiet) process.stdout.write(`up to date: ${Object.keys(files).map(shown).join(", ")}\n`);
    return stale.length ? EXIT.invalid : EXIT.ok;
  }
  for (const f of Object.keys(files)) assertReplaceable("--out", outArg, join(outDir, f));
  await writeForFlag("--out", outArg, async (ensureDir) => {
    await ensureDir(outDir);
    await Promise.all(Object.entries(files).map(([f, text]) => writeReplacing(join(outDir, f), text)));
  });
  if (!opts.quiet) {
    process.stdout.write(`wrote ${Object.keys(files).map(shown).join(", ")} (${graph.nodes.length} nodes, ${graph.datasets.length} datasets)\n`);
  }
  return EXIT.ok;
}

/**
 * Temp file in the same folder, then rename: readers see the old file or the new one, never half
 * of one. No fsync: build outputs are regenerated from sources, and syncing 10 MB costs more than
 * the whole compile.
 */
async function writeReplacing(path: string, text: string): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await fsp.writeFile(tmp, text);
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
