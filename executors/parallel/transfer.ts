// What may cross a thread, and how without copying. ArrayBuffers and typed arrays are moved
// (transfer) when one consumer is left, or shared (one copy into a SharedArrayBuffer, then zero
// copies) when several read the same value. Values structured clone would silently change
// (class instances lose their methods) or cannot clone (functions) are refused with MLC5005.
import { MlcError } from "../../compiler/diagnostics.js";
import { types } from "node:util";

/** How many entries a walk visits at most: big plain arrays are cloned whatever they contain. */
const WALK_BUDGET = 20_000;

const CLONEABLE_PROTOS = new Set<unknown>([
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  Error.prototype,
  TypeError.prototype,
  RangeError.prototype,
  Boolean.prototype,
  String.prototype,
  Number.prototype,
  BigInt.prototype,
  ArrayBuffer.prototype,
  SharedArrayBuffer.prototype,
  DataView.prototype,
  null,
]);

/** Visits `value` breadth-first (iteratively, within the budget), calling `visit` on each object. */
function walk(value: unknown, visit: (v: object) => "skip" | void): void {
  const queue: unknown[] = [value];
  const seen = new Set<object>();
  for (let i = 0; i < queue.length && i < WALK_BUDGET; i++) {
    const v = queue[i];
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    if (visit(v) === "skip") continue;
    if (v instanceof Map) for (const [k, x] of v) queue.push(k, x);
    else if (v instanceof Set) for (const x of v) queue.push(x);
    else for (const k of Object.keys(v)) queue.push((v as Record<string, unknown>)[k]);
  }
}

/**
 * What in `value` structured clone (and v8 serialisation) would drop or change: a function, a
 * symbol, a class instance (its methods); null when it round-trips unchanged.
 */
export function uncloneable(value: unknown): string | null {
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  let problem: string | null = null;
  walk(value, (v) => {
    if (problem !== null || types.isArrayBufferView(v) || types.isAnyArrayBuffer(v)) return "skip";
    const proto = Object.getPrototypeOf(v);
    if (!CLONEABLE_PROTOS.has(proto) && !(v instanceof Error))
      problem = `an instance of ${v.constructor?.name || "a class"} (its methods would be lost)`;
    else {
      const k = Object.keys(v).find((k) => typeof (v as Record<string, unknown>)[k] === "function");
      if (k !== undefined) problem = `a function at key "${k}"`;
    }
    if (problem !== null) return "skip";
  });
  return problem;
}

/** Throws MLC5005 when `value` (of `dataset`) cannot cross threads unchanged. */
export function assertCloneable(value: unknown, dataset: string, node: string): void {
  const what = uncloneable(value);
  if (what !== null)
    throw new MlcError(
      "MLC5005",
      `dataset "${dataset}" of node "${node}" holds ${what}, which cannot cross worker threads; ` +
        `persist it with a catalog entry (e.g. type: binary) or run with --executor sequential`,
      { node, dataset },
    );
}

/** The ArrayBuffers inside `value` that can be transferred (not shared, not already detached). */
export function transferables(value: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (b: ArrayBufferLike) => {
    if (b instanceof ArrayBuffer && b.byteLength > 0) out.add(b);
  };
  if (types.isArrayBufferView(value)) add(value.buffer);
  else if (value instanceof ArrayBuffer) add(value);
  else
    walk(value, (v) => {
      if (types.isArrayBufferView(v)) {
        add(v.buffer);
        return "skip";
      }
      if (v instanceof ArrayBuffer) {
        add(v);
        return "skip";
      }
    });
  return [...out];
}

/**
 * `value` with every typed array / ArrayBuffer backed by a SharedArrayBuffer (copied once), so
 * several workers read it without further copies. Plain containers are rebuilt shallowly.
 */
export function toShared(value: unknown, depth = 0): unknown {
  if (types.isArrayBufferView(value)) {
    if (value.buffer instanceof SharedArrayBuffer) return value;
    const sab = new SharedArrayBuffer(value.byteLength);
    new Uint8Array(sab).set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    const Ctor = value.constructor as new (b: SharedArrayBuffer, o: number, l: number) => ArrayBufferView;
    const bpe = (value as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    return value instanceof DataView ? new DataView(sab) : new Ctor(sab, 0, value.byteLength / bpe);
  }
  if (value instanceof ArrayBuffer) {
    const sab = new SharedArrayBuffer(value.byteLength);
    new Uint8Array(sab).set(new Uint8Array(value));
    return sab;
  }
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    if (value.length > 1000) return value;
    return value.map((v) => toShared(v, depth + 1));
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toShared(v, depth + 1);
  return out;
}
