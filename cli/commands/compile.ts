// `mlc compile [file] [--out build] [--check] [--stdout json|mermaid]`: writes graph.json and
// pipeline.mmd atomically into --out (relative to the project root); --check compares instead.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
  // Each text becomes bytes as soon as it exists: JSON.stringify leaves ~10 MB of young string
  // parts for a 10,000-node graph, which the garbage collector would otherwise copy while the
  // Mermaid text is built (and the write converts to bytes anyway).
  const files: Record<string, Buffer> = { "graph.json": Buffer.from(emitJson(graph)), "pipeline.mmd": Buffer.from(emitMermaid(graph)) };
  if (opts.stdout === "json" || opts.stdout === "mermaid") {
    process.stdout.write(opts.stdout === "json" ? files["graph.json"] : files["pipeline.mmd"]);
    return EXIT.ok;
  }
  const outArg = typeof opts.out === "string" ? opts.out : "build";
  const outDir = resolve(copts.root, outArg);
  const shown = (f: string) => join(outArg, f).split("\\").join("/");
  if (opts.check) {
    const stale = Object.entries(files).filter(([f, bytes]) => !read(join(outDir, f))?.equals(bytes)).map(([f]) => f);
    for (const f of stale) process.stderr.write(`stale: ${shown(f)} (run mlc compile)\n`);
    if (stale.length === 0 && !opts.quiet) process.stdout.write(`up to date: ${Object.keys(files).map(shown).join(", ")}\n`);
    return stale.length ? EXIT.invalid : EXIT.ok;
  }
  for (const f of Object.keys(files)) assertReplaceable("--out", outArg, join(outDir, f));
  await writeForFlag("--out", outArg, async (ensureDir) => {
    await ensureDir(outDir);
    for (const [f, bytes] of Object.entries(files)) writeReplacing(join(outDir, f), bytes);
  });
  if (!opts.quiet) {
    process.stdout.write(`wrote ${Object.keys(files).map(shown).join(", ")} (${graph.nodes.length} nodes, ${graph.datasets.length} datasets)\n`);
  }
  return EXIT.ok;
}

/**
 * Temp file in the same folder, then rename: readers see the old file or the new one, never half
 * of one. No fsync: build outputs are regenerated from sources, and syncing 10 MB costs more than
 * the whole compile. Synchronous: one write(2) per file instead of the promise API's 512 KB chunks.
 */
function writeReplacing(path: string, bytes: Buffer): void {
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function read(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}
