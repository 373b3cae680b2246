// Prints compile diagnostics for the compile/ls/catalog commands to stderr (stdout stays clean
// for --json and --stdout output), in the text format of `mlc validate`, with code frames.
import type { CompileContext, Diagnostic } from "../../compiler/diagnostics.js";
import { formatDiagnostics } from "../format.js";

/** Writes diagnostics to stderr (warnings dropped with --quiet). */
export function printDiagnostics(
  diagnostics: readonly Diagnostic[],
  ctx: CompileContext,
  opts: { quiet?: boolean },
): void {
  const shown = opts.quiet ? diagnostics.filter((d) => d.severity === "error") : [...diagnostics];
  if (shown.length === 0) return;
  const color = !!process.stderr.isTTY && !process.env.NO_COLOR && process.env.CI !== "true";
  const text = formatDiagnostics(shown, "text", { docs: ctx.docs, color });
  process.stderr.write(text.endsWith("\n") ? text : text + "\n");
}
