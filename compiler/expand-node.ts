// One pipeline.yml node entry -> ResolvedNodes (one, or one per matrix member), in the frame of
// the file that defines it: strings interpolated, func made project-relative, IO flattened.
import { isAbsolute, posix, relative } from "node:path";
import type { CompileContext } from "./diagnostics.js";
import { isTemplate, renderString } from "./interpolate.js";
import { MAX_MATRIX_MEMBERS, matrixMembers, matrixSize, type MatrixMember } from "./matrix.js";
import { isMap } from "./plain-data.js";
import { checkNodeKind, SQL_FUNC } from "./sql-node.js";
import type { DocPath, IOMode, ResolvedNode } from "./types.js";

/** The file a node is defined in and the interpolation variables in scope there. */
export interface NodeFrame {
  /** Project-relative POSIX path of the defining document. */
  readonly file: string;
  /** `{globals, runtime}`; `matrix` is added per member. */
  readonly vars: Record<string, unknown>;
  /** Normalised func per file and func as written (10,000 nodes usually share a handful of funcs). */
  readonly funcs?: Map<string, Map<string, string>>;
}

type Raw = Record<string, unknown>;

/**
 * Appends the nodes defined by `raw` (the item at `nodes[index]`) to `out`: one, one per matrix
 * member, or none when it is too broken to use (the schema reports it).
 */
export function expandNodeInto(
  raw: unknown,
  index: number,
  frame: NodeFrame,
  ctx: CompileContext,
  out: ResolvedNode[],
): void {
  if (!isMap(raw) || typeof raw.name !== "string") return;
  const path: DocPath = ["nodes", index];
  if (!checkNodeKind(raw, { file: frame.file, path }, ctx)) return;
  // The schema already reported bad timeouts and empty matrix lists (an empty list yields no members).
  if (!isMap(raw.matrix)) {
    out.push(buildNode(raw, path, frame, null, ctx));
    return;
  }
  const size = matrixSize(raw.matrix);
  if (size > MAX_MATRIX_MEMBERS) {
    const message = `matrix of node "${raw.name}" expands to ${size.toLocaleString("en")} members, more than ${MAX_MATRIX_MEMBERS.toLocaleString("en")}`;
    ctx.report({
      code: "MLC2003",
      message,
      at: { file: frame.file, path: [...path, "matrix"] },
      hint: "split the sweep into several nodes or pipelines",
    });
    return;
  }
  for (const m of matrixMembers(raw.matrix)) out.push(buildNode(raw, path, frame, m, ctx));
}

/** What rendering a string of one node needs: one object per node instead of a closure. */
interface NodeScope {
  readonly vars: Record<string, unknown>;
  readonly file: string;
  readonly path: DocPath;
  readonly ctx: CompileContext;
}

/** Renders one string of the node at `<node path>/key[/item]`; the path is built only for templates. */
function render(s: string, key: string, item: string | number | undefined, at: NodeScope): string {
  if (!isTemplate(s)) return s;
  return renderString(
    s,
    at.vars,
    { file: at.file, path: item === undefined ? [...at.path, key] : [...at.path, key, item] },
    at.ctx,
  );
}

function buildNode(
  raw: Raw,
  path: DocPath,
  frame: NodeFrame,
  member: MatrixMember | null,
  ctx: CompileContext,
): ResolvedNode {
  const at: NodeScope = {
    vars: member ? { ...frame.vars, matrix: member.vars } : frame.vars,
    file: frame.file,
    path,
    ctx,
  };
  const ns = typeof raw.namespace === "string" && raw.namespace !== "" ? raw.namespace : null;
  const local = render(raw.name as string, "name", undefined, at);
  const baseName = ns ? `${ns}.${local}` : local;
  const inputs = flattenIO(raw.inputs, "inputs", at);
  const outputs = flattenIO(raw.outputs, "outputs", at);
  const name = member ? baseName + member.suffix : baseName;
  const sql = typeof raw.sql === "string" ? raw.sql : undefined;
  const func =
    sql !== undefined
      ? SQL_FUNC
      : funcOf(typeof raw.func === "string" ? render(raw.func, "func", undefined, at) : "", frame, ctx.root);
  const tags = nodeTags(raw.tags, at);
  const retries = typeof raw.retries === "number" && Number.isInteger(raw.retries) && raw.retries > 0 ? raw.retries : 0;
  const timeoutMs = parseTimeout(raw.timeout);
  const source = { file: frame.file, path };
  const cache = typeof raw.cache === "boolean" ? { cache: raw.cache } : null;
  if (sql !== undefined) return { ...buildNode({ ...raw, sql: undefined }, path, frame, member, ctx), func, sql };
  // One literal for the usual node (no keyword IO): a single allocation, the same key order.
  if (!inputs.keys && !outputs.keys) {
    return {
      name,
      baseName,
      func,
      inputs: inputs.names,
      inputMode: inputs.mode,
      outputs: outputs.names,
      outputMode: outputs.mode,
      tags,
      namespace: ns,
      retries,
      timeoutMs,
      ...cache,
      source,
    };
  }
  return {
    name,
    baseName,
    func,
    inputs: inputs.names,
    inputMode: inputs.mode,
    ...(inputs.keys ? { inputKeys: inputs.keys } : {}),
    outputs: outputs.names,
    outputMode: outputs.mode,
    ...(outputs.keys ? { outputKeys: outputs.keys } : {}),
    tags,
    namespace: ns,
    retries,
    timeoutMs,
    ...cache,
    source,
  };
}

function funcOf(func: string, frame: NodeFrame, root: string): string {
  if (!frame.funcs) return normalizeFunc(func, frame.file, root);
  // Keyed by func within a per-file map: no "file\0func" string built for every node.
  let perFile = frame.funcs.get(frame.file);
  if (!perFile) frame.funcs.set(frame.file, (perFile = new Map()));
  let out = perFile.get(func);
  if (out === undefined) perFile.set(func, (out = normalizeFunc(func, frame.file, root)));
  return out;
}

interface FlatIO {
  names: readonly string[];
  mode: IOMode;
  keys?: string[];
}

/** True when every item is a string without template syntax: such a list is used as it is. */
function plainStrings(v: readonly unknown[]): boolean {
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string" || isTemplate(v[i] as string)) return false;
  return true;
}

/** string | list | map {key: dataset} -> dataset names (+ keys for maps); anything else -> none. */
function flattenIO(v: unknown, side: string, at: NodeScope): FlatIO {
  if (typeof v === "string") return { names: [render(v, side, undefined, at)], mode: "single" };
  if (Array.isArray(v)) {
    // Parsed YAML is readonly data: a list of plain names is shared, not copied.
    if (plainStrings(v)) return { names: v as string[], mode: "list" };
    const names: string[] = [];
    for (let i = 0; i < v.length; i++) if (typeof v[i] === "string") names.push(render(v[i], side, i, at));
    return { names, mode: "list" };
  }
  const names: string[] = [];
  if (!isMap(v)) return { names, mode: "none" };
  const keys: string[] = [];
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (typeof x === "string") (keys.push(k), names.push(render(x, side, k, at)));
  }
  return { names, mode: "map", keys };
}

/** A node's tags: normalizeTags, but a list that is already sorted, unique and plain is shared. */
function nodeTags(v: unknown, at: NodeScope): readonly string[] {
  if (Array.isArray(v) && plainStrings(v) && strictlyAscending(v as string[])) return v as string[];
  return normalizeTags(v, (t, i) => render(t, "tags", i ?? undefined, at));
}

function strictlyAscending(v: readonly string[]): boolean {
  for (let i = 1; i < v.length; i++) if (!(v[i - 1] < v[i])) return false;
  return true;
}

/** Tags as a sorted, de-duplicated list (a single string is one tag). */
export function normalizeTags(v: unknown, render: (s: string, i: number | null) => string = (s) => s): string[] {
  if (typeof v === "string") return [render(v, null)];
  if (!Array.isArray(v)) return [];
  const list: string[] = [];
  for (let i = 0; i < v.length; i++) if (typeof v[i] === "string") list.push(render(v[i], i));
  return list.length < 2 ? list : [...new Set(list)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const CODE_FILE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;

/**
 * `./src/x.ts#f` written in `pipelines/a.yml` -> `pipelines/src/x.ts#f`; packages (`pkg#f`) stay;
 * no '#' -> `#default`. A bare path ending in a code extension counts as relative too.
 */
export function normalizeFunc(func: string, file: string, root: string): string {
  const hash = func.lastIndexOf("#");
  const mod = hash >= 0 ? func.slice(0, hash) : func;
  const exp = hash >= 0 && hash < func.length - 1 ? func.slice(hash + 1) : "default";
  let spec = mod;
  if (isAbsolute(mod)) spec = relative(root, mod).split("\\").join("/");
  else if (mod.startsWith("./") || mod.startsWith("../") || (CODE_FILE.test(mod) && !mod.startsWith("@"))) {
    spec = posix.normalize(posix.join(posix.dirname(file), mod));
  }
  return `${spec}#${exp}`;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "10m", "30s", "500ms", "1h", "1.5s" or a number of ms -> ms; null when absent or unparseable. */
export function parseTimeout(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) && v > 0 ? Math.round(v) : null;
  if (typeof v !== "string") return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  if (!m) return null;
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] ?? "ms"]);
  return ms > 0 ? ms : null;
}
