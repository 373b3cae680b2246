// Phase `load`: read one YAML file and parse it with js-yaml (the fast parser). Positions are not
// kept here: compiler/locate.ts finds them lazily (line scanner or the `yaml` package) only when a
// diagnostic needs a line:col. Bad input (binary, invalid UTF-8, alias bombs, absurd nesting, huge files)
// becomes a coded diagnostic, never a crash or a hang.
import { isUtf8 } from "node:buffer";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { relative, sep } from "node:path";
import * as jsyaml from "js-yaml";
import { CORE_SCHEMA, load as parseYaml, type Type } from "js-yaml";
import type { CompileContext } from "./diagnostics.js";
import type { RawDocument } from "./types.js";
import { BAIL, parseFastYaml } from "./yaml-fast.js";

/**
 * Files above this size are refused (MLC1003) instead of parsed: pipeline and config files are
 * kilobytes; a 16 MB YAML file is almost certainly a mistake, and refusing keeps `validate` fast.
 */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Extra nodes that aliases may add by expansion before the document counts as an alias bomb. */
export const MAX_ALIAS_EXPANSION = 1_000_000;

/** The project-relative POSIX path of `absPath` (diagnostics never show absolute paths). */
export function projectPath(root: string, absPath: string): string {
  const rel = relative(root, absPath);
  return rel.split(sep).join("/") || ".";
}

const ERRNO: Record<string, string> = {
  ELOOP: "a symbolic link loop",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a parent of it is a file, not a folder",
  ENAMETOOLONG: "the name is too long",
  EIO: "an I/O error",
};

/** "a symbolic link loop (ELOOP)" rather than a bare errno code. */
function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code ? `${ERRNO[code] ?? (e as Error).message ?? "error"} (${code})` : String((e as Error)?.message ?? e);
}

/**
 * Reads and parses one YAML file, registers it in `ctx.docs`. Returns null when the file is
 * missing (reported as MLC1003 unless `optional`) or cannot be parsed (MLC1001/MLC1003 reported).
 * Duplicate keys (MLC1002) are reported and the document is still returned (last key wins).
 */
export function loadYaml(absPath: string, ctx: CompileContext, opts: { optional?: boolean } = {}): RawDocument | null {
  const file = projectPath(ctx.root, absPath);
  const at = { file, path: [] as string[] };
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(absPath, { throwIfNoEntry: false });
  } catch (e) {
    ctx.report({ code: "MLC1003", message: `cannot read "${file}": ${errnoText(e)}`, at });
    return null;
  }
  if (!st) {
    if (!opts.optional) ctx.report({ code: "MLC1003", message: `file "${file}" not found`, at });
    return null;
  }
  if (st.isDirectory()) {
    ctx.report({ code: "MLC1003", message: `"${file}" is a directory, expected a YAML file`, at });
    return null;
  }
  if (!st.isFile()) {
    // A FIFO or device (/dev/zero) would block or never end: only regular files are read.
    ctx.report({ code: "MLC1003", message: `"${file}" is not a regular file`, at });
    return null;
  }
  if (st.size > MAX_FILE_BYTES) {
    const mb = (st.size / 1024 / 1024).toFixed(1);
    ctx.report({ code: "MLC1003", message: `"${file}" is too large (${mb} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB)`, at });
    return null;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(absPath);
  } catch (e) {
    ctx.report({ code: "MLC1003", message: `cannot read "${file}": ${errnoText(e)}`, at });
    return null;
  }
  const text = decode(bytes, file, ctx);
  if (text === null) return null;
  const doc: RawDocument = { file, absPath, text, data: null };
  ctx.docs.set(file, doc);
  const data = parseText(text, file, ctx);
  if (data === FAILED) return null;
  const parsed: RawDocument = { file, absPath, text, data: data ?? null };
  ctx.docs.set(file, parsed);
  return parsed;
}

const FAILED = Symbol("failed");
/**
 * YAML 1.2 core types plus `<<` merge keys (Kedro projects use `_x: &x` + `<<: *x`). No
 * timestamps or !!binary: dates stay strings, so every parsed value is plain JSON data.
 * (`types` exists at run time but is missing from @types/js-yaml.)
 */
const SCHEMA = CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: Type } }).types.merge] });

/** UTF-8 text of the file, or null after reporting a binary file / invalid UTF-8 with its position. */
function decode(bytes: Buffer, file: string, ctx: CompileContext): string | null {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    ctx.report({ code: "MLC1001", message: `"${file}" is a binary file (NUL byte at offset ${nul}), not YAML text`, pos: { file, ...bytePos(bytes, nul) } });
    return null;
  }
  // isUtf8 is native and ~4 ms cheaper at start-up than a first fatal TextDecoder.
  if (!isUtf8(bytes)) {
    const bad = firstInvalidUtf8(bytes);
    ctx.report({ code: "MLC1001", message: `invalid UTF-8 at byte offset ${bad}`, pos: { file, ...bytePos(bytes, bad) } });
    return null;
  }
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** 1-based line:col of a byte offset (columns counted in characters of the valid prefix). */
function bytePos(bytes: Buffer, offset: number): { line: number; column: number } {
  const prefix = bytes.subarray(0, offset).toString("utf8");
  const nl = prefix.lastIndexOf("\n");
  let line = 1;
  for (let i = prefix.indexOf("\n"); i !== -1; i = prefix.indexOf("\n", i + 1)) line++;
  return { line, column: prefix.length - nl };
}

/** Offset of the first byte that breaks UTF-8 (the decoder does not tell us where). */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    const c1 = b[i + 1];
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF.
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return i;
    i += n + 1;
  }
  return b.length;
}

interface YamlError {
  name?: string;
  reason?: string;
  mark?: { line: number; column: number };
}

/** The parsed value, or FAILED after reporting why. */
function parseText(text: string, file: string, ctx: CompileContext): unknown {
  let data: unknown;
  try {
    // Plain block YAML (generated pipelines of thousands of nodes) takes the subset parser, which
    // gives js-yaml's exact result or BAIL (then js-yaml parses and reports as before).
    data = parseFastYaml(text, SCHEMA);
    if (data === BAIL) data = parseYaml(text, { filename: file, schema: SCHEMA });
  } catch (e) {
    const err = e as YamlError;
    if (err instanceof RangeError) {
      ctx.report({ code: "MLC1001", message: "nesting too deep: the document exceeds the parser's depth limit", pos: { file, line: 1, column: 1 } });
      return FAILED;
    }
    if (err.name !== "YAMLException") {
      // A parser bug must still end as a coded diagnostic, not a crash.
      ctx.report({ code: "MLC1001", message: `cannot parse "${file}": ${String((e as Error)?.message ?? e)}`, pos: { file, line: 1, column: 1 } });
      return FAILED;
    }
    if (err.reason?.startsWith("duplicated mapping key")) return reportDuplicates(text, file, ctx);
    const depth = /^nesting exceeded maxDepth \((\d+)\)/.exec(err.reason ?? "");
    if (depth) err.reason = `nesting too deep (more than ${depth[1]} levels)`;
    const pos = err.mark ? { line: err.mark.line + 1, column: err.mark.column + 1 } : { line: 1, column: 1 };
    ctx.report({ code: "MLC1001", message: `YAML syntax error: ${err.reason ?? "invalid YAML"}`, pos: { file, ...pos } });
    return FAILED;
  }
  if (text.includes("*") && aliasExpansion(data) > MAX_ALIAS_EXPANSION) {
    ctx.report({ code: "MLC1001", message: `alias expansion too large: aliases (*name) expand to more than ${MAX_ALIAS_EXPANSION} extra values`, pos: { file, ...firstAlias(text) } });
    return FAILED;
  }
  return data;
}

/** Reports every duplicate key (at the second occurrence) and parses again, last key winning. */
function reportDuplicates(text: string, file: string, ctx: CompileContext): unknown {
  let found = 0;
  for (const d of findDuplicateKeys(text)) {
    found++;
    ctx.report({ code: "MLC1002", message: `duplicate key "${d.key}" (first defined on line ${d.firstLine})`, pos: { file, line: d.line, column: d.column, endLine: d.line, endColumn: d.column + d.length } });
  }
  try {
    const data = parseYaml(text, { filename: file, schema: SCHEMA, json: true });
    if (found === 0) ctx.report({ code: "MLC1002", message: "duplicate key in a YAML map", pos: { file, line: 1, column: 1 } });
    return data;
  } catch {
    return FAILED;
  }
}

/** Duplicate keys with positions, via the `yaml` package, required lazily: only this error path pays for it. */
function findDuplicateKeys(text: string): { key: string; line: number; column: number; length: number; firstLine: number }[] {
  const out: { key: string; line: number; column: number; length: number; firstLine: number }[] = [];
  const { LineCounter, parseDocument, isMap, isScalar } = requireYaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop() as { items?: unknown[] } | null;
    if (!node || typeof node !== "object" || !Array.isArray(node.items)) continue;
    const seen = new Map<string, number>();
    for (const item of node.items) {
      const pair = item as { key?: unknown; value?: unknown };
      if (isMap(node) && isScalar(pair.key)) {
        const k = String(pair.key.value);
        const [start, end] = pair.key.range ?? [0, 0];
        const first = seen.get(k);
        if (first !== undefined) {
          const p = lc.linePos(start);
          out.push({ key: k, line: p.line, column: p.col, length: Math.max(1, end - start), firstLine: lc.linePos(first).line });
        } else seen.set(k, start);
        stack.push(pair.value);
      } else stack.push(isMap(node) ? pair.value : item);
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

const require = createRequire(import.meta.url);
function requireYaml(): typeof import("yaml") {
  return require("yaml") as typeof import("yaml");
}

/**
 * How many values aliases add when the document is expanded as a tree (js-yaml shares aliased
 * objects, so parsing is cheap, but every later walk would see the expanded tree). Iterative
 * post-order over the DAG with memoised subtree sizes; a cycle counts as infinite.
 */
function aliasExpansion(root: unknown): number {
  const size = new WeakMap<object, number>();
  const onStack = new WeakSet<object>();
  let unique = 0;
  const stack: { obj: object; expanded: boolean }[] = [];
  const push = (v: unknown) => {
    if (v !== null && typeof v === "object" && !size.has(v)) stack.push({ obj: v, expanded: false });
  };
  push(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (size.has(top.obj)) { stack.pop(); continue; }
    const kids = Array.isArray(top.obj) ? top.obj : Object.values(top.obj);
    if (!top.expanded) {
      if (onStack.has(top.obj)) return Infinity;
      top.expanded = true;
      onStack.add(top.obj);
      unique++;
      for (const k of kids) {
        if (k === null || typeof k !== "object") unique++;
        if (k !== null && typeof k === "object" && onStack.has(k) && !size.has(k)) return Infinity;
        push(k);
      }
      continue;
    }
    let total = 1;
    for (const k of kids) total += k !== null && typeof k === "object" ? size.get(k) ?? 0 : 1;
    size.set(top.obj, Math.min(total, Number.MAX_SAFE_INTEGER));
    onStack.delete(top.obj);
    stack.pop();
  }
  const total = root !== null && typeof root === "object" ? size.get(root) ?? 0 : 1;
  return total - unique;
}

/** Position of the first alias (`*name`) in the text, for the alias-bomb diagnostic. */
function firstAlias(text: string): { line: number; column: number } {
  const m = /(^|[\s[{,:-])\*[^\s,\]}]+/m.exec(text);
  if (!m) return { line: 1, column: 1 };
  const offset = m.index + m[1].length;
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
