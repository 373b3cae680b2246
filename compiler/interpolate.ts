// Nunjucks interpolation of string scalars (`{{ globals.x }}`, `{{ runtime.x }}`, `{{ env.X }}`).
// Plain strings never touch Nunjucks; strings made only of `{{ a.b }}` lookups are rendered here
// without it; anything else (filters, `{% %}`) loads Nunjucks lazily on first use.
//
// Typing choice (as Kedro's OmegaConf): a string that is exactly one `{{ a.b }}` keeps the type of
// the value (`epochs: "{{ globals.epochs }}"` stays a number); any other template renders a string.
import { createRequire } from "node:module";
import type { CompileContext } from "./diagnostics.js";
import { setOwn } from "./plain-data.js";
import { didYouMean } from "./suggest.js";
import type { DocPath, SourceRef } from "./types.js";

const require = createRequire(import.meta.url);
type Env = { renderString(t: string, ctx: object): string };
let env: Env | null = null;

function nunjucksEnv(): Env {
  if (!env) {
    const nunjucks = require("nunjucks") as typeof import("nunjucks");
    env = new nunjucks.Environment(null, { throwOnUndefined: true, autoescape: false });
  }
  return env;
}

const WHOLE = /^\{\{\s*([A-Za-z_$][\w$]*(?:\.[\w$]+)*)\s*\}\}$/;
const LOOKUP = /\{\{\s*([A-Za-z_$][\w$]*(?:\.[\w$]+)*)\s*\}\}/g;
const BLOCKS = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const DOTTED = /(?<![\w.'"])([A-Za-z_$][\w$]*(?:\.[\w$]+)+)/g;
const HANDLES_UNDEFINED = /\|\s*(default|d)\b|\bis\s+(not\s+)?(defined|undefined)\b|\bif\b/;
const SCOPES = new Set(["globals", "runtime", "env", "params", "matrix"]);
const NAMES = /\{\{-?\s*([A-Za-z_$][\w$]*(?:\.[\w$]+)*)/g;

/** True when `s` contains template syntax. */
export function isTemplate(s: string): boolean {
  return s.includes("{{") || s.includes("{%");
}

/**
 * Renders one string scalar. Returns the input unchanged when it is not a template, or after
 * reporting MLC3004 (undefined variable, bad template) at `at`. A string that is exactly one
 * `{{ a.b }}` returns the looked-up value with its type (so the return type is widened).
 */
export function renderValue(
  template: string,
  vars: Record<string, unknown>,
  at: SourceRef,
  ctx: CompileContext,
): unknown {
  if (!isTemplate(template)) return template;
  const whole = WHOLE.exec(template);
  if (whole) {
    const v = lookup(vars, whole[1]);
    if (v !== undefined) return v === null ? null : deepCopy(v);
    reportUndefined(whole[1], vars, at, ctx);
    return template;
  }
  if (!template.includes("{%") && onlyLookups(template)) {
    let missing: string | null = null;
    const out = template.replace(LOOKUP, (_m, name: string) => {
      const v = lookup(vars, name);
      if (v === undefined || v === null) missing ??= name;
      return v === undefined || v === null ? "" : String(v);
    });
    if (missing === null) return out;
    reportUndefined(missing, vars, at, ctx);
    return template;
  }
  return renderNunjucks(template, vars, at, ctx);
}

/** Renders one string (always a string result): see renderValue. */
export function renderString(
  template: string,
  vars: Record<string, unknown>,
  at: SourceRef,
  ctx: CompileContext,
): string {
  const v = renderValue(template, vars, at, ctx);
  return typeof v === "string" ? v : v !== null && typeof v === "object" ? JSON.stringify(v) : String(v);
}

function onlyLookups(t: string): boolean {
  return t.replace(LOOKUP, "").indexOf("{{") === -1;
}

function renderNunjucks(template: string, vars: Record<string, unknown>, at: SourceRef, ctx: CompileContext): string {
  // Nunjucks only throws on undefined values it outputs directly (`{{ x | upper }}` renders ""),
  // so dotted paths into our scopes are checked first, except where undefined is handled
  // (`| default(...)`, `is defined`, inline `if`) and in `{% %}` tags (conditions test for it).
  for (const block of template.matchAll(BLOCKS)) {
    if (block[0].startsWith("{%") || HANDLES_UNDEFINED.test(block[0])) continue;
    for (const m of block[0].matchAll(DOTTED)) {
      const root = m[1].split(".")[0];
      if ((root in vars || SCOPES.has(root)) && lookup(vars, m[1]) === undefined) {
        reportUndefined(m[1], vars, at, ctx);
        return template;
      }
    }
  }
  try {
    return nunjucksEnv().renderString(template, vars);
  } catch (e) {
    // Prefer naming the undefined variable; Nunjucks' own message is about "null or undefined value".
    for (const m of template.matchAll(NAMES)) {
      if (lookup(vars, m[1]) === undefined && !KEYWORDS.has(m[1].split(".")[0])) {
        reportUndefined(m[1], vars, at, ctx);
        return template;
      }
    }
    ctx.report({ code: "MLC3004", message: `template error: ${cleanNunjucksError(e)}`, at });
    return template;
  }
}

const KEYWORDS = new Set([
  "true",
  "false",
  "none",
  "null",
  "not",
  "and",
  "or",
  "in",
  "is",
  "if",
  "else",
  "loop",
  "range",
]);

function cleanNunjucksError(e: unknown): string {
  const msg = String((e as Error)?.message ?? e);
  const lines = msg
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines[lines.length - 1] ?? msg;
  return last.replace(/^(Template render error|Error):\s*/i, "");
}

function reportUndefined(name: string, vars: Record<string, unknown>, at: SourceRef, ctx: CompileContext): void {
  const parts = name.split(".");
  let hint: string | undefined;
  let scope: unknown = vars;
  let known = "";
  for (const p of parts) {
    if (scope === null || typeof scope !== "object" || !(p in (scope as object))) break;
    scope = (scope as Record<string, unknown>)[p];
    known = known ? `${known}.${p}` : p;
  }
  const depth = known === "" ? 0 : known.split(".").length;
  const missingPart = parts[depth] ?? "";
  const candidates = scope !== null && typeof scope === "object" ? Object.keys(scope as object) : [];
  const prefix = known ? `${known}.` : "";
  const suggestion =
    depth < parts.length ? didYouMean(missingPart, candidates).replace(/"([^"]+)"/g, `"${prefix}$1"`) : "";
  if (parts[0] === "env" && !("env" in vars))
    hint = "{{ env.VAR }} is only available in credentials.yml and mlflow.yml";
  else if (parts[0] === "runtime" && !("runtime" in vars)) hint = "{{ runtime.x }} is not available in globals.yml";
  else if (depth === 0) hint = `available variables: ${Object.keys(vars).sort().join(", ") || "none"}`;
  ctx.report({
    code: "MLC3004",
    message: `undefined variable "${name}" in template${suggestion}`,
    at,
    ...(hint ? { hint } : {}),
  });
}

function lookup(vars: Record<string, unknown>, name: string): unknown {
  let v: unknown = vars;
  for (const p of name.split(".")) {
    if (v === null || typeof v !== "object" || !Object.prototype.hasOwnProperty.call(v, p)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function deepCopy(v: unknown): unknown {
  return v !== null && typeof v === "object" ? structuredClone(v) : v;
}

interface Frame {
  readonly src: unknown;
  readonly parent: Frame | null;
  readonly key: string | number | null;
  readonly set: (v: unknown) => void;
}

function pathOf(f: Frame, basePath: DocPath): DocPath {
  const out: (string | number)[] = [];
  for (let x: Frame | null = f; x && x.key !== null; x = x.parent) out.push(x.key);
  return [...basePath, ...out.reverse()];
}

/**
 * A deep copy of `value` with every string scalar rendered (see renderValue); errors are
 * reported at `file` + `basePath` + the path inside `value`. Iterative: depth-safe.
 */
export function interpolateTree(
  value: unknown,
  vars: Record<string, unknown>,
  file: string,
  basePath: DocPath,
  ctx: CompileContext,
): unknown {
  let result: unknown;
  const stack: Frame[] = [{ src: value, parent: null, key: null, set: (v) => (result = v) }];
  while (stack.length > 0) {
    const f = stack.pop()!;
    const s = f.src;
    if (typeof s === "string") {
      f.set(isTemplate(s) ? renderValue(s, vars, { file, path: pathOf(f, basePath) }, ctx) : s);
    } else if (Array.isArray(s)) {
      const out: unknown[] = new Array(s.length);
      f.set(out);
      for (let i = s.length - 1; i >= 0; i--) stack.push({ src: s[i], parent: f, key: i, set: (v) => (out[i] = v) });
    } else if (s !== null && typeof s === "object") {
      const out: Record<string, unknown> = {};
      f.set(out);
      const keys = Object.keys(s);
      for (const k of keys) setOwn(out, k, undefined); // keep key order
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i];
        stack.push({ src: (s as Record<string, unknown>)[k], parent: f, key: k, set: (v) => setOwn(out, k, v) });
      }
    } else f.set(s);
  }
  return result;
}
