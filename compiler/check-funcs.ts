// Node functions as validate checks them: the module and export exist and are functions (MLC3006),
// and the node's positional inputs fit the parameters the function declares (MLC3008, MLC8003).
import { existsSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { MlcError, type CompileContext } from "./diagnostics.js";
import { importUserModule, loadFunction, parseRef } from "../modules/load-module.js";
import { arityProblem, paramShape } from "../modules/function-params.js";
import { funcRef } from "./refs.js";
import type { ResolvedNode } from "./types.js";

/** MLC3006 for every node whose func module, export or function-ness is wrong. Each module loads once. */
export async function checkFuncs(nodes: readonly ResolvedNode[], root: string, ctx: CompileContext): Promise<void> {
  // The distinct func refs first (thousands of nodes share a handful), then by module; the nodes
  // of a func are looked up only when it fails.
  const funcs = new Set<string>();
  for (let i = 0; i < nodes.length; i++) funcs.add(nodes[i].func);
  const nodesOf = (func: string): ResolvedNode[] => nodes.filter((n) => n.func === func);
  const byModule = new Map<string, string[]>();
  for (const func of funcs) {
    const { module } = parseRef(func);
    const list = byModule.get(module);
    if (list) list.push(func);
    else byModule.set(module, [func]);
  }
  const fail = (n: ResolvedNode, err: unknown): void => {
    const hint = err instanceof MlcError ? err.details.hint : undefined;
    ctx.report({
      code: "MLC3006",
      message: `node "${n.name}": ${err instanceof Error ? err.message : String(err)}`,
      at: funcRef(n),
      ...(hint ? { hint } : {}),
    });
  };
  for (const [module, funcs] of byModule) {
    // A path that does not exist would otherwise be tried as a package name ("src/x.ts" -> "src").
    const missing = looksLikePath(module) && !existsSync(resolvePath(root, module));
    try {
      if (missing)
        throw new MlcError("MLC3006", `module not found: ${module}`, {
          hint: "func paths are relative to the pipeline file that names them",
        });
      await importUserModule(module, root);
    } catch (err) {
      for (const f of funcs) nodesOf(f).forEach((n) => fail(n, err));
      continue;
    }
    for (const f of funcs) {
      const loaded = await loadFunction(f, root).then(
        (fn) => ({ fn }),
        (e: unknown) => ({ err: e ?? "error" }),
      );
      if ("err" in loaded) nodesOf(f).forEach((n) => fail(n, loaded.err));
      else checkArity(nodesOf(f), loaded.fn, ctx);
    }
  }
}

/**
 * MLC3008 for nodes passing fewer positional inputs than their function requires. More than it
 * declares is a warning (MLC8003): legal JavaScript, which drops them or reads them from `arguments`.
 */
function checkArity(nodes: readonly ResolvedNode[], fn: (...args: never[]) => unknown, ctx: CompileContext): void {
  const shape = paramShape(fn);
  if (!shape) return;
  for (const n of nodes) {
    // A map of inputs is one object argument; its keys are the function's business.
    const count = n.inputMode === "map" ? 1 : n.inputs.length;
    const problem = arityProblem(count, shape);
    if (!problem) continue;
    const tooFew = count < shape.required;
    ctx.report({
      code: tooFew ? "MLC3008" : "MLC8003",
      ...(tooFew ? {} : { severity: "warning" as const }),
      message: `node "${n.name}": ${n.func} ${problem} input${count === 1 ? "" : "s"}`,
      at: n.inputMode === "none" ? funcRef(n) : { file: n.source.file, path: [...n.source.path, "inputs"] },
      hint: tooFew
        ? "inputs bind to the function's parameters in order; a TypeScript optional parameter (b?: T) is " +
          "required once compiled, so give it a default (b: T = …) to leave it out"
        : "inputs bind to the function's parameters in order: remove the extra inputs or declare parameters for them",
    });
  }
}

function looksLikePath(module: string): boolean {
  return /^\.{0,2}\//.test(module) || /\.(c|m)?[jt]sx?$/.test(module);
}
