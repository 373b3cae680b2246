// `mlc compile [file] [--out build] [--check] [--stdout json|mermaid]`: writes graph.json and
// pipeline.mmd atomically into --out (relative to the project root); --check compares instead.
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempPathFor } from "../../catalog/atomic.js";
import { compileProject } from "../../compiler/compile.js";
import { emitJson, emitJsonTo } from "../../compiler/emit/json.js";
import { emitMermaid, emitMermaidTo } from "../../compiler/emit/mermaid.js";
import type { GraphIR } from "../../compiler/types.js";
import { EXIT } from "../exit.js";
import { assertReplaceable, writeForFlag } from "../output.js";
import { compileOptionsFromFlags, type CommonFlags, type SelectionFlags } from "../project.js";
import { printDiagnostics } from "./print-diagnostics.js";

/** The outputs, each written by handing its text on in pieces (see emitJsonTo / emitMermaidTo). */
const OUTPUTS: Record<string, (graph: GraphIR, write: (text: string) => void) => void> = {
  "graph.json": (graph, write) => emitJsonTo(graph, write),
  "pipeline.mmd": (graph, write) => emitMermaidTo(graph, {}, write),
};

/** `mlc compile` flags (see cli/main.ts). */
export type CompileFlags = CommonFlags &
  SelectionFlags & { catalog?: string; out: string; check?: boolean; stdout?: "json" | "mermaid" };

/** Compiles the project; exit 0 written/fresh, 1 invalid or stale. */
export default async function compile(opts: CompileFlags, args: string[]): Promise<number> {
  const copts = await compileOptionsFromFlags(opts, args[0]);
  const { project, diagnostics, ctx } = await compileProject(copts);
  printDiagnostics(diagnostics, ctx, opts);
  if (!project) return EXIT.invalid;
  const graph = project.selected;
  if (opts.stdout) {
    process.stdout.write(opts.stdout === "json" ? emitJson(graph) : emitMermaid(graph));
    return EXIT.ok;
  }
  const outArg = opts.out;
  const outDir = resolve(copts.root, outArg);
  const names = Object.keys(OUTPUTS);
  const shown = (f: string) => join(outArg, f).split("\\").join("/");
  if (opts.check) {
    const stale = names.filter((f) => !read(join(outDir, f))?.equals(bytesOf(graph, f)));
    for (const f of stale) process.stderr.write(`stale: ${shown(f)} (run mlc compile)\n`);
    if (stale.length === 0 && !opts.quiet) process.stdout.write(`up to date: ${names.map(shown).join(", ")}\n`);
    return stale.length ? EXIT.invalid : EXIT.ok;
  }
  for (const f of names) assertReplaceable("--out", outArg, join(outDir, f));
  await writeForFlag("--out", outArg, async (ensureDir) => {
    await ensureDir(outDir);
    for (const f of names) writeReplacing(join(outDir, f), (write) => OUTPUTS[f](graph, write));
  });
  if (!opts.quiet) {
    process.stdout.write(
      `wrote ${names.map(shown).join(", ")} (${graph.nodes.length} nodes, ${graph.datasets.length} datasets)\n`,
    );
  }
  return EXIT.ok;
}

/** One output's whole bytes (for --check). */
function bytesOf(graph: GraphIR, f: string): Buffer {
  const parts: string[] = [];
  OUTPUTS[f](graph, (text) => parts.push(text));
  return Buffer.from(parts.join(""));
}

/**
 * Temp file in the same folder, then rename: readers see the old file or the new one, never half
 * of one. No fsync: build outputs are regenerated from sources, and syncing 10 MB costs more than
 * the whole compile. The text goes to the file in blocks of up to 1 MB as `emit` produces it: a
 * 10,000-node graph.json never exists as one 10 MB string, nor as a 10 MB buffer.
 */
function writeReplacing(path: string, emit: (write: (text: string) => void) => void): void {
  const tmp = tempPathFor(path);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, "w");
    const out = new BlockWriter(fd);
    emit((text) => out.put(text));
    out.flush();
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Text pieces to a file descriptor through one reused 1 MB buffer: each piece is encoded into it
 * (no buffer allocated per piece) and the buffer is written when the next piece might not fit.
 */
class BlockWriter {
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  constructor(private readonly fd: number) {}

  put(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (this.used + 3 * text.length > this.buf.length) {
      this.flush();
      if (3 * text.length > this.buf.length) return this.writeAll(Buffer.from(text));
    }
    this.used += this.buf.write(text, this.used);
  }

  flush(): void {
    if (this.used > 0) this.writeAll(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private writeAll(bytes: Buffer): void {
    for (let off = 0; off < bytes.length;) off += writeSync(this.fd, bytes, off);
  }
}

function read(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}
