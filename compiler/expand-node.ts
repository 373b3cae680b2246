// One pipeline.yml node entry -> ResolvedNodes (one, or one per matrix member), in the frame of
// the file that defines it: strings interpolated, func made project-relative, IO flattened.
import { isAbsolute, posix, relative } from "node:path";
import type { CompileContext } from "./diagnostics.js";
import { isTemplate, renderString } from "./interpolate.js";
import { matrixMembers, type MatrixMember } from "./matrix.js";
import type { DocPath, IOMode, ResolvedNode } from "./types.js";

/** The file a node is defined in and the interpolation variables in scope there. */
export interface NodeFrame {
  /** Project-relative POSIX path of the defining document. */
  readonly file: string;
  /** `{globals, runtime}`; `matrix` is added per member. */
  readonly vars: Record<string, unknown>;
}

type Raw = Record<string, unknown>;

const isMap = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** The nodes defined by `raw` (the item at `nodes[index]`); [] when it is too broken to use (schema reports it). */
export function expandNode(raw: unknown, index: number, frame: NodeFrame, ctx: CompileContext): ResolvedNode[] {
  if (!isMap(raw) || typeof raw.name !== "string") return [];
  const path: DocPath = ["nodes", index];
  // The schema already reported bad timeouts and empty matrix lists (an empty list yields no members).
  if (!isMap(raw.matrix)) return [buildNode(raw, path, frame, null, ctx)];
  return matrixMembers(raw.matrix).map((m) => buildNode(raw, path, frame, m, ctx));
}

function buildNode(raw: Raw, path: DocPath, frame: NodeFrame, member: MatrixMember | null, ctx: CompileContext): ResolvedNode {
  const vars = member ? { ...frame.vars, matrix: member.vars } : frame.vars;
  const render = (s: string, sub: DocPath): string =>
    isTemplate(s) ? renderString(s, vars, { file: frame.file, path: [...path, ...sub] }, ctx) : s;
  const ns = typeof raw.namespace === "string" && raw.namespace !== "" ? raw.namespace : null;
  const local = render(raw.name as string, ["name"]);
  const baseName = ns ? `${ns}.${local}` : local;
  const inputs = flattenIO(raw.inputs, (s, sub) => render(s, ["inputs", ...sub]));
  const outputs = flattenIO(raw.outputs, (s, sub) => render(s, ["outputs", ...sub]));
  return {
    name: member ? baseName + member.suffix : baseName,
    baseName,
    func: normalizeFunc(typeof raw.func === "string" ? render(raw.func, ["func"]) : "", frame.file, ctx.root),
    inputs: inputs.names,
    inputMode: inputs.mode,
    ...(inputs.keys ? { inputKeys: inputs.keys } : {}),
    outputs: outputs.names,
    outputMode: outputs.mode,
    ...(outputs.keys ? { outputKeys: outputs.keys } : {}),
    tags: normalizeTags(raw.tags, (s, i) => render(s, typeof i === "number" ? ["tags", i] : ["tags"])),
    namespace: ns,
    retries: typeof raw.retries === "number" && Number.isInteger(raw.retries) && raw.retries > 0 ? raw.retries : 0,
    timeoutMs: parseTimeout(raw.timeout),
    source: { file: frame.file, path },
  };
}

interface FlatIO {
  names: string[];
  mode: IOMode;
  keys?: string[];
}

/** string | list | map {key: dataset} -> dataset names (+ keys for maps); anything else -> none. */
function flattenIO(v: unknown, render: (s: string, sub: DocPath) => string): FlatIO {
  if (typeof v === "string") return { names: [render(v, [])], mode: "single" };
  if (Array.isArray(v)) {
    const names = v.flatMap((x, i) => (typeof x === "string" ? [render(x, [i])] : []));
    return { names, mode: "list" };
  }
  if (isMap(v)) {
    const entries = Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string");
    return { names: entries.map(([k, x]) => render(x, [k])), mode: "map", keys: entries.map(([k]) => k) };
  }
  return { names: [], mode: "none" };
}

/** Tags as a sorted, de-duplicated list (a single string is one tag). */
export function normalizeTags(v: unknown, render: (s: string, i: number | null) => string = (s) => s): string[] {
  const list = typeof v === "string" ? [render(v, null)] : Array.isArray(v) ? v.flatMap((t, i) => (typeof t === "string" ? [render(t, i)] : [])) : [];
  return [...new Set(list)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
