// Parameter checks for resolve: `params:a.b` must name a path in the merged parameters
// (MLC3002, with suggestions), and top-level parameters nobody reads are MLC8002 warnings.
import type { CompileContext } from "./diagnostics.js";
import { isMap } from "./plain-data.js";
import { ioRef } from "./refs.js";
import { didYouMean } from "./suggest.js";
import type { ProjectConfig, ResolvedNode, SourceRef } from "./types.js";

type Obj = Record<string, unknown>;

const MISSING = Symbol("missing");

/** A `params:x` / `parameters` input: the node and the input's index. */
export interface ParamUse {
  readonly node: ResolvedNode;
  readonly index: number;
}

/** MLC3002 at every `params:` input whose path is not in the merged parameters. */
export function checkParams(uses: readonly ParamUse[], params: Readonly<Obj>, ctx: CompileContext): void {
  let all: string[] | null = null;
  const known = new Set<string>();
  for (const { node: n, index: i } of uses) {
    const input = n.inputs[i];
    if (!input.startsWith("params:") || known.has(input)) continue;
    const path = input.slice("params:".length);
    if (path !== "" && lookup(params, path) !== MISSING) {
      known.add(input);
      continue;
    }
    all ??= flatten(params);
    ctx.report({
      code: "MLC3002",
      message: `node "${n.name}" reads unknown parameter "${path}"${didYouMean(path, all)}`,
      at: ioRef(n, "inputs", i),
      hint: "define it in conf/base/parameters.yml or pass --params",
    });
  }
}

function lookup(params: Readonly<Obj>, path: string): unknown {
  let cur: unknown = params;
  for (const seg of path.split(".")) {
    if (!isMap(cur) || !Object.prototype.hasOwnProperty.call(cur, seg)) return MISSING;
    cur = cur[seg];
  }
  return cur;
}

/** Every dotted path in a parameter map (maps and leaves), iteratively: deep YAML must not overflow. */
function flatten(params: Readonly<Obj>): string[] {
  const out: string[] = [];
  const stack: [string, unknown][] = Object.entries(params);
  while (stack.length > 0) {
    const [path, v] = stack.pop()!;
    out.push(path);
    if (isMap(v) && out.length < 100_000) for (const [k, x] of Object.entries(v)) stack.push([`${path}.${k}`, x]);
  }
  return out;
}

/** MLC8002: top-level parameters that no node reads (skipped when a node takes all `parameters`). */
export function reportUnusedParams(
  uses: readonly ParamUse[],
  nodeCount: number,
  config: ProjectConfig,
  ctx: CompileContext,
): void {
  if (nodeCount === 0) return;
  const used = new Set<string>();
  for (const { node, index } of uses) {
    const i = node.inputs[index];
    if (i === "parameters") return;
    const dot = i.indexOf(".", 7);
    used.add(dot < 0 ? i.slice(7) : i.slice(7, dot));
  }
  for (const key of Object.keys(config.parameters)) {
    if (used.has(key)) continue;
    ctx.report({
      code: "MLC8002",
      severity: "warning",
      message: `parameter "${key}" is not used by any node`,
      at: paramSource(key, config, ctx),
    });
  }
}

/** The last parameters file (in load order) that defines top-level `key`: where a user would edit it. */
function paramSource(key: string, config: ProjectConfig, ctx: CompileContext): SourceRef | null {
  for (let i = config.files.length - 1; i >= 0; i--) {
    const file = config.files[i];
    if (!/(^|\/)parameters[^/]*\.ya?ml$/.test(file)) continue;
    const data = ctx.docs.get(file)?.data;
    if (isMap(data) && Object.prototype.hasOwnProperty.call(data, key)) return { file, path: [key], key: true };
  }
  return null;
}
