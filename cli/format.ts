// Diagnostics as text (location, message, code frame, summary), JSON ({valid, diagnostics}) or
// GitHub workflow commands (SPEC section 6). Pure functions: the command decides about colour.
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { Diagnostic } from "../compiler/diagnostics.js";
import type { RawDocument } from "../compiler/types.js";

export type Format = "text" | "json" | "github";
export interface FormatOptions {
  readonly docs: Map<string, RawDocument>;
  readonly color: boolean;
}

/** Renders diagnostics in one of the three output formats (text ends with a summary line). */
export function formatDiagnostics(diags: Diagnostic[], format: Format, opts: FormatOptions): string {
  // Tolerate the (diags, {format, docs, color}) call shape too.
  const alt = format as unknown as (FormatOptions & { format?: Format }) | null;
  if (alt !== null && typeof alt === "object") return formatDiagnostics(diags, alt.format ?? "text", alt);
  if (format === "json") return formatJson(diags);
  if (format === "github") return diags.map(formatGithub).join("");
  return formatText(diags, opts);
}

/** `{"valid": bool, "diagnostics": [...]}` with a stable key order, newline-terminated. */
export function formatJson(diags: Diagnostic[]): string {
  const items = diags.map((d) => {
    const o: Record<string, unknown> = {
      code: d.code,
      severity: d.severity,
      message: d.message,
      file: d.file,
      line: d.line,
      column: d.column,
    };
    for (const k of ["endLine", "endColumn", "path", "hint", "expected"] as const) if (d[k] !== undefined) o[k] = d[k];
    return o;
  });
  return JSON.stringify({ valid: !diags.some((d) => d.severity === "error"), diagnostics: items }, null, 2) + "\n";
}

// GitHub's escaping rules for workflow commands: data escapes % CR LF; properties also : and ,.
function escData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escProp(s: string): string {
  return escData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * Diagnostics with `file` named as GitHub reads annotation paths: relative to the repository root
 * (`GITHUB_WORKSPACE`, or the current folder when unset), not to the project folder `root`.
 */
export function githubPaths(diags: Diagnostic[], root: string, env = process.env): Diagnostic[] {
  const base = resolve(env.GITHUB_WORKSPACE || process.cwd());
  return diags.map((d) => {
    if (!d.file) return d;
    const rel = relative(base, resolve(root, d.file));
    const file = rel.startsWith("..") || isAbsolute(rel) ? resolve(root, d.file) : rel;
    return { ...d, file: file.split(sep).join("/") };
  });
}

/** One `::error file=F,line=L,col=C,title=CODE::message` line (`::warning` for warnings). */
export function formatGithub(d: Diagnostic): string {
  const props = d.file ? [`file=${escProp(d.file)}`, `line=${d.line}`, `col=${d.column}`] : [];
  props.push(`title=${escProp(d.code)}`);
  const msg = d.hint ? `${d.message}\n${d.hint}` : d.message;
  return `::${d.severity === "warning" ? "warning" : "error"} ${props.join(",")}::${escData(msg)}\n`;
}

interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
}

function paint(on: boolean): Paint {
  const w = (a: number, b: number) => (s: string) => (on ? `\x1b[${a}m${s}\x1b[${b}m` : s);
  return { red: w(31, 39), yellow: w(33, 39), dim: w(2, 22), bold: w(1, 22), cyan: w(36, 39) };
}

function formatText(diags: Diagnostic[], opts: FormatOptions): string {
  const p = paint(opts.color);
  const out: string[] = [];
  const split = new Map<string, string[]>(); // each file split once, not once per diagnostic
  for (const d of diags) {
    const sev = d.severity === "warning" ? p.yellow("warning") : p.red("error");
    const loc = d.file ? `${p.bold(`${d.file}:${d.line}:${d.column}`)} ` : "";
    out.push(`${loc}${sev} ${p.dim(d.code)} ${visible(d.message)}`);
    const doc = d.file ? opts.docs.get(d.file) : undefined;
    if (doc && !isSecretFile(d.file)) {
      let lines = split.get(d.file);
      if (!lines) split.set(d.file, (lines = doc.text.split(/\r?\n/)));
      out.push(...codeFrame(lines, d, p));
    }
    if (d.hint) out.push(`  ${p.cyan("hint:")} ${visible(d.hint)}`);
    out.push("");
  }
  out.push(summary(diags));
  return out.join("\n") + "\n";
}

/** Control characters from user files (e.g. ANSI escapes in a key) shown as \uXXXX, never sent to the terminal. */
function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f\u009b]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** credentials files never have their lines printed (they hold secrets). */
function isSecretFile(file: string): boolean {
  return /(^|\/)credentials[^/]*\.ya?ml$/.test(file);
}

const MAX_WIDTH = 160;

/** Two lines of context either side, a gutter with line numbers, carets under the range. */
export function codeFrame(text: string | readonly string[], d: Diagnostic, p: Paint = paint(false)): string[] {
  const lines = typeof text === "string" ? text.split(/\r?\n/) : text;
  if (d.line < 1 || d.line > lines.length) return [];
  const first = Math.max(1, d.line - 2);
  const last = Math.min(lines.length, d.line + 2);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const { shown, shift } = clip(lines[n - 1], n === d.line ? d.column : 1);
    const mark = n === d.line ? p.red(">") : " ";
    out.push(`${mark} ${p.dim(String(n).padStart(width) + " |")} ${visible(shown)}`.trimEnd());
    if (n !== d.line) continue;
    const line = lines[n - 1];
    const start = Math.max(1, Math.min(d.column, line.length + 1));
    const end =
      d.endLine === d.line && d.endColumn && d.endColumn > start
        ? Math.min(d.endColumn, line.length + 1)
        : line.length + 1;
    const count = Math.max(1, Math.min(end - start, MAX_WIDTH));
    const pad = line.slice(shift, start - 1).replace(/[^\t]/g, " ");
    out.push(`  ${p.dim(" ".repeat(width) + " |")} ${pad}${p.red("^".repeat(count))}`);
  }
  return out;
}

/** A window of a very long line around the column (minified or generated YAML). */
function clip(line: string, column: number): { shown: string; shift: number } {
  if (line.length <= MAX_WIDTH) return { shown: line, shift: 0 };
  const shift = Math.max(0, Math.min(column - 1 - MAX_WIDTH / 2, line.length - MAX_WIDTH));
  return {
    shown: (shift > 0 ? "…" : "") + line.slice(shift, shift + MAX_WIDTH) + (shift + MAX_WIDTH < line.length ? "…" : ""),
    shift: shift > 0 ? shift - 1 : 0,
  };
}

/** "2 errors, 1 warning in 3 files" or "no problems found". */
export function summary(diags: Diagnostic[]): string {
  if (diags.length === 0) return "no problems found";
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.length - errors;
  const files = new Set(diags.map((d) => d.file).filter(Boolean)).size;
  const parts = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? "" : "s"}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
  return `${parts.join(", ")}${files ? ` in ${files} file${files === 1 ? "" : "s"}` : ""}`;
}
