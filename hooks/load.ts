// Hooks from mlc.yml (`hooks: [./src/hooks.ts#Timing, ...]`) and the composite that calls every
// implementation in order, on the main thread. A hook module export may be an object with hook
// methods, a class (instantiated without arguments) or a factory function returning such an object.
import { inspect } from "node:util";
import { MlcError } from "../compiler/diagnostics.js";
import { loadExport } from "../modules/load-module.js";
import { userStack } from "../executors/stack.js";
import type { Hooks } from "./hooks.js";

/** Every hook method name, in Kedro's vocabulary. */
export const HOOK_METHODS = [
  "beforePipelineRun",
  "afterPipelineRun",
  "onPipelineError",
  "beforeNodeRun",
  "afterNodeRun",
  "onNodeError",
  "afterDatasetLoaded",
  "afterDatasetSaved",
] as const satisfies readonly (keyof Hooks)[];

type HookName = (typeof HOOK_METHODS)[number];
type Named = { readonly name: string; readonly hooks: Hooks };

/** Loads the hook implementations named by `specs` (project-relative module refs). MLC3006 when one is not hooks. */
export async function loadHooks(specs: readonly string[], root: string): Promise<Named[]> {
  const out: Named[] = [];
  for (const spec of specs) out.push({ name: spec, hooks: await instantiate(spec, await loadExport(spec, root)) });
  return out;
}

async function instantiate(spec: string, value: unknown): Promise<Hooks> {
  let hooks = value;
  if (typeof value === "function") {
    const proto = (value as { prototype?: object }).prototype;
    const isClass =
      /^class\b/.test(Function.prototype.toString.call(value)) ||
      (proto !== undefined && HOOK_METHODS.some((m) => typeof (proto as Record<string, unknown>)[m] === "function"));
    try {
      hooks = isClass ? new (value as new () => unknown)() : await (value as () => unknown)();
    } catch (err) {
      // The user's constructor or factory failed: a coded error naming the hooks, not an internal error.
      throw hookError(
        "MLC3006",
        `hooks ${spec} (mlc.yml): ${isClass ? "the constructor" : "the factory"} threw: ${errorText(err)}`,
        err,
        spec,
      );
    }
  }
  if (
    hooks === null ||
    typeof hooks !== "object" ||
    !HOOK_METHODS.some((m) => typeof (hooks as Record<string, unknown>)[m] === "function")
  )
    throw new MlcError(
      "MLC3006",
      `hooks ${spec}: the export is not a hooks object, class or factory (it has none of ${HOOK_METHODS.join(", ")})`,
      { file: spec },
    );
  return hooks as Hooks;
}

/**
 * One Hooks object calling each implementation in order (awaiting each). A method exists on the
 * result only when some implementation has it, so callers can skip work for absent hooks.
 * A throwing hook becomes an error naming the hook (MLC5001 keeps the run's failure handling).
 */
export function combineHooks(list: readonly (Named | Hooks)[]): Hooks {
  const named: Named[] = list.map((h, i) =>
    "hooks" in h && "name" in h ? (h as Named) : { name: `hooks[${i}]`, hooks: h as Hooks },
  );
  const out: Record<string, unknown> = {};
  for (const method of HOOK_METHODS) {
    const impls = named.filter((n) => typeof n.hooks[method] === "function");
    if (impls.length > 0) out[method] = caller(method, impls);
  }
  return out as Hooks;
}

function caller(method: HookName, impls: Named[]) {
  return async (...args: unknown[]): Promise<void> => {
    for (const { name, hooks } of impls) {
      try {
        await (hooks[method] as (...a: unknown[]) => unknown).apply(hooks, args);
      } catch (err) {
        if (err instanceof MlcError) throw err;
        throw hookError("MLC5001", `hook ${name} ${method} threw: ${errorText(err)}`, err);
      }
    }
  };
}

function errorText(err: unknown): string {
  return err instanceof Error
    ? err.message
    : err !== null && typeof err === "object"
      ? inspect(err, { depth: 2, breakLength: Infinity }).slice(0, 300)
      : String(err);
}

/** An MlcError carrying the user's own stack frames of `cause`. */
function hookError(code: "MLC3006" | "MLC5001", message: string, cause: unknown, file?: string): MlcError {
  const e = new MlcError(code, message, file ? { file } : {});
  if (cause instanceof Error && cause.stack) (e as { userStack?: string }).userStack = userStack(cause.stack);
  return e;
}
