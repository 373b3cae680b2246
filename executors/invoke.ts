// The calling convention of SPEC section 2, shared by every runner (in-process and worker):
// arguments from inputs, the call (sync or async, under the node's AbortSignal context), and the
// check of the returned value against the declared outputs.
import { inspect } from "node:util";
import { MlcError } from "../compiler/diagnostics.js";
import type { IRNode } from "../compiler/types.js";
import { runInNode } from "./node-context.js";
import { userStack } from "./stack.js";

const NEVER = new AbortController().signal;

/** An MLC5001-MLC5004 failure of a node, carrying the user's own stack frames. */
export class NodeError extends MlcError {
  constructor(
    code: "MLC5001" | "MLC5002" | "MLC5003" | "MLC5004",
    message: string,
    node: string,
    readonly userStack?: string,
  ) {
    super(code, message, { node });
    this.name = "NodeError";
  }
}

/** The value of parameter input `name` ("params:a.b" nested lookup, "parameters" = all). */
export function paramValue(name: string, params: Readonly<Record<string, unknown>>): unknown {
  if (name === "parameters") return params;
  let v: unknown = params;
  for (const part of name.slice("params:".length).split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Parameter inputs of `node` with their values, keyed as written ("params:x"). */
export function paramValues(node: IRNode, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const i of node.inputs) if (i === "parameters" || i.startsWith("params:")) out[i] = paramValue(i, params);
  return out;
}

/** The arguments `node`'s function receives: positional for list/single inputs, one object for map inputs. */
export function buildArgs(
  node: IRNode,
  inputValues: Readonly<Record<string, unknown>>,
  params: Readonly<Record<string, unknown>>,
): unknown[] {
  const value = (name: string) =>
    name === "parameters" || name.startsWith("params:") ? paramValue(name, params) : inputValues[name];
  if (node.inputMode === "none") return [];
  if (node.inputMode === "map") {
    const keys = node.inputKeys ?? node.inputs;
    const arg: Record<string, unknown> = {};
    node.inputs.forEach((name, i) => (arg[keys[i]] = value(name)));
    return [arg];
  }
  return node.inputs.map(value);
}

/**
 * Calls `fn` for `node` and returns its outputs keyed by dataset name. A throw becomes MLC5001
 * (node name, message, the user's stack frames); a wrong return shape MLC5004. `signal` is what
 * `nodeSignal()` returns inside the function.
 */
export async function invokeNode(
  node: IRNode,
  fn: unknown,
  inputValues: Readonly<Record<string, unknown>>,
  params: Readonly<Record<string, unknown>>,
  signal?: AbortSignal,
  attempt = 1,
): Promise<Record<string, unknown>> {
  if (typeof fn !== "function")
    throw new MlcError("MLC3006", `node "${node.name}": ${node.func} is not a function`, { node: node.name });
  const args = buildArgs(node, inputValues, params);
  let result: unknown;
  try {
    const call = () => (fn as (...a: unknown[]) => unknown)(...args);
    result = runInNode({ node: node.name, attempt, signal: signal ?? NEVER }, call);
    if (result !== null && typeof (result as { then?: unknown })?.then === "function") result = await result;
  } catch (err) {
    throw threw(node, err);
  }
  return shapeOutputs(node, result);
}

/** The MLC5001 error for a node function that threw `err`. */
export function threw(node: IRNode, err: unknown): NodeError {
  if (err instanceof NodeError) return err;
  const e = err instanceof Error ? err : null;
  const what = e
    ? e.name && e.name !== "Error"
      ? `${e.name}: ${e.message}`
      : e.message
    : `threw a non-Error value: ${shown(err)}`;
  return new NodeError(
    "MLC5001",
    `node "${node.name}" failed: ${what}`,
    node.name,
    e?.stack ? userStack(e.stack) : undefined,
  );
}

/** The MLC5001 error of a node awaiting a promise that nothing is left to settle (both executors detect it). */
export function unsettled(node: string): NodeError {
  const message =
    `node "${node}" never finished: it awaits a promise that nothing can settle ` +
    "(no timer, I/O or handle is left that could); resolve or reject it, or give the node a timeout";
  return new NodeError("MLC5001", message, node);
}

/** A thrown non-Error as text: `{ code: 42 }` rather than "[object Object]", at most 300 characters. */
export function shown(v: unknown): string {
  let text: string;
  try {
    text = v !== null && typeof v === "object" ? inspect(v, { depth: 2, breakLength: Infinity }) : String(v);
  } catch {
    text = Object.prototype.toString.call(v);
  }
  return text.length > 300 ? text.slice(0, 300) + "..." : text;
}

/** Maps a return value onto output dataset names, or throws MLC5004 saying what was expected. */
export function shapeOutputs(node: IRNode, result: unknown): Record<string, unknown> {
  const outs = node.outputs;
  switch (node.outputMode) {
    case "none":
      return {};
    case "single":
      if (result === undefined) throw wrongShape(node, `a value for output "${outs[0]}"`, result);
      return { [outs[0]]: result };
    case "list": {
      if (!Array.isArray(result) || result.length !== outs.length)
        throw wrongShape(node, `an array of ${outs.length} values for outputs [${outs.join(", ")}]`, result);
      const out: Record<string, unknown> = {};
      outs.forEach((o, i) => (out[o] = result[i]));
      return out;
    }
    case "map":
      return mapOutputs(node, result);
  }
}

function mapOutputs(node: IRNode, result: unknown): Record<string, unknown> {
  const keys = node.outputKeys ?? node.outputs;
  const expected = `an object with exactly the keys {${keys.join(", ")}}`;
  if (result === null || typeof result !== "object" || Array.isArray(result)) throw wrongShape(node, expected, result);
  const got = Object.keys(result);
  const missing = keys.filter((k) => !(k in result));
  const extra = got.filter((k) => !keys.includes(k));
  if (missing.length || extra.length) {
    const parts = [
      missing.length ? `missing ${missing.join(", ")}` : "",
      extra.length ? `unexpected ${extra.join(", ")}` : "",
    ];
    throw wrongShape(node, expected, result, parts.filter(Boolean).join("; "));
  }
  const out: Record<string, unknown> = {};
  keys.forEach((k, i) => (out[node.outputs[i]] = (result as Record<string, unknown>)[k]));
  return out;
}

function wrongShape(node: IRNode, expected: string, got: unknown, detail?: string): NodeError {
  const msg = `node "${node.name}" returned the wrong shape: expected ${expected}, got ${describe(got)}${detail ? ` (${detail})` : ""}`;
  return new NodeError("MLC5004", msg, node.name);
}

/** A short description of a value for error messages (type and size, never the full content). */
export function describe(v: unknown): string {
  if (v === undefined) return "undefined (did the function forget to return?)";
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length} value${v.length === 1 ? "" : "s"}`;
  if (typeof v === "object") {
    const keys = Object.keys(v as object);
    const shown = keys.slice(0, 8).join(", ") + (keys.length > 8 ? ", ..." : "");
    return `an object with keys {${shown}}`;
  }
  if (typeof v === "string") return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)})`;
  return `${typeof v} ${String(v)}`;
}
