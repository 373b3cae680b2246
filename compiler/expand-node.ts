// One pipeline.yml node entry -> ResolvedNodes (one, or one per matrix member), in the frame of
// the file that defines it: strings interpolated, func made project-relative, IO flattened.
import { isAbsolute, posix, relative } from "node:path";
import type { CompileContext } from "./diagnostics.js";
import { isTemplate, renderString } from "./interpolate.js";
import { MAX_MATRIX_MEMBERS, matrixMembers, matrixSize, type MatrixMember } from "./matrix.js";
import type { DocPath, IOMode, ResolvedNode } from "./types.js";

/** The file a node is defined in and the interpolation variables in scope there. */
export interface NodeFrame {
  /** Project-relative POSIX path of the defining document. */
  readonly file: string;
  /** `{globals, runtime}`; `matrix` is added per member. */
  readonly vars: Record<string, unknown>;
  /** Normalised func per "file\0func" (10,000 nodes usually share a handful of funcs). */
  readonly funcs?: Map<string, string>;
}

type Raw = Record<string, unknown>;
/** Renders one string of the node at `<node path>/key[/item]`; the path is built only for templates. */
type Render = (s: string, key: string, item?: string | number) => string;

const isMap = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** The nodes defined by `raw` (the item at `nodes[index]`); [] when it is too broken to use (schema reports it). */
export function expandNode(raw: unknown, index: number, frame: NodeFrame, ctx: CompileContext): ResolvedNode[] {
  if (!isMap(raw) || typeof raw.name !== "string") return [];
  const path: DocPath = ["nodes", index];
  // The schema already reported bad timeouts and empty matrix lists (an empty list yields no members).
  if (!isMap(raw.matrix)) return [buildNode(raw, path, frame, null, ctx)];
  const size = matrixSize(raw.matrix);
  if (size > MAX_MATRIX_MEMBERS) {
    const message = `matrix of node "${raw.name}" expands to ${size.toLocaleString("en")} members, more than ${MAX_MATRIX_MEMBERS.toLocaleString("en")}`;
    ctx.report({ code: "MLC2003", message, at: { file: frame.file, path: [...path, "matrix"] }, hint: "split the sweep into several nodes or pipelines" });
    return [];
  }
  return matrixMembers(raw.matrix).map((m) => buildNode(raw, path, frame, m, ctx));
}

function buildNode(raw: Raw, path: DocPath, frame: NodeFrame, member: MatrixMember | null, ctx: CompileContext): ResolvedNode {
  const vars = member ? { ...frame.vars, matrix: member.vars } : frame.vars;
  const render: Render = (s, key, item) =>
    isTemplate(s) ? renderString(s, vars, { file: frame.file, path: item === undefined ? [...path, key] : [...path, key, item] }, ctx) : s;
  const ns = typeof raw.namespace === "string" && raw.namespace !== "" ? raw.namespace : null;
  const local = render(raw.name as string, "name");
  const baseName = ns ? `${ns}.${local}` : local;
  const inputs = flattenIO(raw.inputs, "inputs", render);
  const outputs = flattenIO(raw.outputs, "outputs", render);
  return {
    name: member ? baseName + member.suffix : baseName,
    baseName,
    func: funcOf(typeof raw.func === "string" ? render(raw.func, "func") : "", frame, ctx.root),
    inputs: inputs.names,
    inputMode: inputs.mode,
    ...(inputs.keys ? { inputKeys: inputs.keys } : {}),
    outputs: outputs.names,
    outputMode: outputs.mode,
    ...(outputs.keys ? { outputKeys: outputs.keys } : {}),
    tags: normalizeTags(raw.tags, (t, i) => render(t, "tags", i ?? undefined)),
    namespace: ns,
    retries: typeof raw.retries === "number" && Number.isInteger(raw.retries) && raw.retries > 0 ? raw.retries : 0,
    timeoutMs: parseTimeout(raw.timeout),
    source: { file: frame.file, path },
  };
}

function funcOf(func: string, frame: NodeFrame, root: string): string {
  if (!frame.funcs) return normalizeFunc(func, frame.file, root);
  const key = `${frame.file}\0${func}`;
  let out = frame.funcs.get(key);
  if (out === undefined) frame.funcs.set(key, (out = normalizeFunc(func, frame.file, root)));
  return out;
}

interface FlatIO {
  names: string[];
  mode: IOMode;
  keys?: string[];
}

/** string | list | map {key: dataset} -> dataset names (+ keys for maps); anything else -> none. */
function flattenIO(v: unknown, side: string, render: Render): FlatIO {
  if (typeof v === "string") return { names: [render(v, side)], mode: "single" };
  const names: string[] = [];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (typeof v[i] === "string") names.push(render(v[i], side, i));
    return { names, mode: "list" };
  }
  if (!isMap(v)) return { names, mode: "none" };
  const keys: string[] = [];
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (typeof x === "string") keys.push(k), names.push(render(x, side, k));
  }
  return { names, mode: "map", keys };
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
