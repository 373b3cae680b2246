// Prints compile diagnostics for the compile/ls/catalog commands: through cli/format.ts when it
// exists (code frames, json/github formats), else one `file:line:col severity CODE message` line each.
import type { Diagnostic } from "../../compiler/diagnostics.js";
import type { CompileContext } from "../../compiler/diagnostics.js";

type Formatter = (diagnostics: readonly Diagnostic[], ...rest: unknown[]) => string;

/** Writes diagnostics to stderr (warnings dropped with --quiet). */
export async function printDiagnostics(diagnostics: readonly Diagnostic[], ctx: CompileContext, opts: Record<string, unknown>): Promise<void> {
  const shown = opts.quiet ? diagnostics.filter((d) => d.severity === "error") : diagnostics;
  if (shown.length === 0) return;
  const fmt = await formatter();
  const text = fmt ? fmt(shown, { format: "text", docs: ctx.docs, color: colorOn() }) : shown.map(plain).join("\n") + "\n";
  process.stderr.write(text.endsWith("\n") ? text : text + "\n");
}

function plain(d: Diagnostic): string {
  return `${d.file || "<project>"}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}${d.hint ? `\n  hint: ${d.hint}` : ""}`;
}

function colorOn(): boolean {
  return !process.env.NO_COLOR && process.env.CI !== "true" && !!process.stderr.isTTY;
}

async function formatter(): Promise<Formatter | null> {
  try {
    const spec = "../format.js";
    const mod = (await import(spec)) as { formatDiagnostics?: Formatter };
    return mod.formatDiagnostics ?? null;
  } catch {
    return null;
  }
}
