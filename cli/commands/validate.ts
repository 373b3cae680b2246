// `mlc validate [file] [--catalog FILE] [--format text|json|github]`: every problem of every file
// in one pass, printed to stdout; exit 0 when there is no error (warnings allowed), 1 otherwise.
import { compileProject } from "../../compiler/compile.js";
import { EXIT } from "../exit.js";
import { formatDiagnostics, githubPaths, type Format } from "../format.js";
import { compileOptionsFromFlags, type CommonFlags } from "../project.js";

/** Colour only for a terminal, and never under NO_COLOR or CI. */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  const ci = process.env.CI;
  return !!stream.isTTY && !process.env.NO_COLOR && (!ci || ci === "false" || ci === "0");
}

/** `mlc validate` flags (see cli/main.ts). */
export type ValidateFlags = CommonFlags & { catalog?: string; format: Format };

/** Validates the project (or a single pipeline file) and prints the diagnostics. */
export default async function validate(opts: ValidateFlags, args: string[]): Promise<number> {
  const format = opts.format;
  const copts = await compileOptionsFromFlags(opts, args[0]);
  const { diagnostics, ctx } = await compileProject(copts);
  const shown = opts.quiet && format === "text" ? diagnostics.filter((d) => d.severity === "error") : diagnostics;
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (format !== "text" || shown.length > 0 || !opts.quiet) {
    const diags = format === "github" ? githubPaths(shown, copts.root) : shown;
    const text = formatDiagnostics(diags, format, { docs: ctx.docs, color: useColor() });
    if (format !== "github" || text) process.stdout.write(text);
  }
  return errors > 0 ? EXIT.invalid : EXIT.ok;
}
