// Phase `load`: read one YAML file and parse it with js-yaml (compiler/yaml-schema.ts). Positions are
// not kept here: compiler/locate.ts finds them lazily, with the `yaml` package, only when a diagnostic
// needs a line:col. Bad input (binary, invalid UTF-8, alias bombs, absurd nesting, huge files)
// becomes a coded diagnostic, never a crash or a hang.
import { isUtf8 } from "node:buffer";
import { readFileSync, statSync } from "node:fs";
import { relative, sep } from "node:path";
import { load as parseYaml } from "js-yaml";
import type { CompileContext } from "./diagnostics.js";
import { duplicateKeys, firstAlias } from "./load-positions.js";
import type { RawDocument } from "./types.js";
import { SCHEMA } from "./yaml-schema.js";

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
    ctx.report({
      code: "MLC1003",
      message: `"${file}" is too large (${mb} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB)`,
      at,
    });
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
  const parsed = parseText(text, file);
  // Registered even when unparsable: diagnostics about the file still find it.
  const doc: RawDocument = { file, absPath, text, data: "data" in parsed ? (parsed.data ?? null) : null };
  ctx.docs.set(file, doc);
  if ("error" in parsed) {
    ctx.report({ code: "MLC1001", message: parsed.error, pos: { file, ...parsed.at } });
    return null;
  }
  if (parsed.duplicates) reportDuplicates(doc, ctx);
  if (doc.text.includes("*") && aliasExpansion(doc.data) > MAX_ALIAS_EXPANSION) {
    const limit = `more than ${MAX_ALIAS_EXPANSION} extra values`;
    const message = `alias expansion too large: aliases (*name) expand to ${limit}`;
    ctx.report({ code: "MLC1001", message, pos: { file, ...firstAlias(doc) } });
    return null;
  }
  return doc;
}

/** UTF-8 text of the file, or null after reporting a binary file / invalid UTF-8 with its position. */
function decode(bytes: Buffer, file: string, ctx: CompileContext): string | null {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    ctx.report({
      code: "MLC1001",
      message: `"${file}" is a binary file (NUL byte at offset ${nul}), not YAML text`,
      pos: { file, ...bytePos(bytes, nul) },
    });
    return null;
  }
  // isUtf8 is native: the common, valid file never builds a fatal TextDecoder.
  if (!isUtf8(bytes)) {
    const bad = firstInvalidUtf8(bytes);
    ctx.report({
      code: "MLC1001",
      message: `invalid UTF-8 at byte offset ${bad}`,
      pos: { file, ...bytePos(bytes, bad) },
    });
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
  for (let i = 0; i < b.length;) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    const c1 = b[i + 1];
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF.
    if (
      (c === 0xe0 && c1 < 0xa0) ||
      (c === 0xed && c1 > 0x9f) ||
      (c === 0xf0 && c1 < 0x90) ||
      (c === 0xf4 && c1 > 0x8f)
    )
      return i;
    i += n + 1;
  }
  return b.length;
}

interface YamlError {
  name?: string;
  reason?: string;
  mark?: { line: number; column: number };
}

type Parsed = { data: unknown; duplicates?: true } | { error: string; at: { line: number; column: number } };

/** The parsed value (js-yaml, last key winning when keys repeat), or why the text is not YAML. */
function parseText(text: string, file: string): Parsed {
  try {
    return { data: parseYaml(text, { filename: file, schema: SCHEMA }) };
  } catch (e) {
    const err = e as YamlError;
    if (err instanceof RangeError) return { error: TOO_DEEP, at: START };
    // A parser bug must still end as a coded diagnostic, not a crash.
    if (err.name !== "YAMLException") return { error: `cannot parse "${file}": ${messageOf(e)}`, at: START };
    if (err.reason?.startsWith("duplicated mapping key")) {
      try {
        return { data: parseYaml(text, { filename: file, schema: SCHEMA, json: true }), duplicates: true };
      } catch (again) {
        return syntaxError(again as YamlError);
      }
    }
    return syntaxError(err);
  }
}

const START = { line: 1, column: 1 };
const messageOf = (e: unknown) => String((e as Error)?.message ?? e);
const TOO_DEEP = "nesting too deep: the document exceeds the parser's depth limit";

function syntaxError(err: YamlError): Parsed {
  const depth = /^nesting exceeded maxDepth \((\d+)\)/.exec(err.reason ?? "");
  const reason = depth ? `nesting too deep (more than ${depth[1]} levels)` : (err.reason ?? "invalid YAML");
  const at = err.mark ? { line: err.mark.line + 1, column: err.mark.column + 1 } : START;
  return { error: `YAML syntax error: ${reason}`, at };
}

/** Reports every duplicate key at its second occurrence (MLC1002). */
function reportDuplicates(doc: RawDocument, ctx: CompileContext): void {
  const found = duplicateKeys(doc);
  for (const d of found) {
    const pos = { file: doc.file, line: d.line, column: d.column, endLine: d.line, endColumn: d.column + d.length };
    ctx.report({ code: "MLC1002", message: `duplicate key "${d.key}" (first defined on line ${d.firstLine})`, pos });
  }
  if (found.length > 0) return;
  ctx.report({ code: "MLC1002", message: "duplicate key in a YAML map", pos: { file: doc.file, ...START } });
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
    if (size.has(top.obj)) {
      stack.pop();
      continue;
    }
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
    for (const k of kids) total += k !== null && typeof k === "object" ? (size.get(k) ?? 0) : 1;
    size.set(top.obj, Math.min(total, Number.MAX_SAFE_INTEGER));
    onStack.delete(top.obj);
    stack.pop();
  }
  const total = root !== null && typeof root === "object" ? (size.get(root) ?? 0) : 1;
  return total - unique;
}
