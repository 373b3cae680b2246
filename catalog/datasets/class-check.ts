// v8 serialisation keeps an object's fields but not its class: a saved model loads back as plain
// data and the next node fails with "predict is not a function". `binary` refuses such values
// instead, unless the class says how to become plain data (toJSON), as JSON.stringify would.

/** Prototypes v8 serialises faithfully (structured clone): everything else is a user class. */
const CLONEABLE = new Set<unknown>([
  Object.prototype,
  null,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  SharedArrayBuffer.prototype,
  DataView.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  BigInt.prototype,
  Error.prototype,
  ...[EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].map((e) => e.prototype),
  ...[Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array]
    .concat([Float32Array, Float64Array, BigInt64Array, BigUint64Array] as never[])
    .map((t) => t.prototype),
  Buffer.prototype,
]);

/** Where in `value` the first instance of a user class sits, and its class name; null when none. */
export function findClassInstance(value: unknown): { path: string; className: string } | null {
  const seen = new Set<object>();
  const stack: [unknown, string][] = [[value, ""]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    const proto: unknown = Object.getPrototypeOf(v);
    if (!CLONEABLE.has(proto)) {
      const className = (proto as { constructor?: { name?: string } })?.constructor?.name || "an anonymous class";
      return { path: path || "the value", className };
    }
    if (ArrayBuffer.isView(v)) continue;
    const entries: [unknown, string][] =
      v instanceof Map
        ? [...v.entries()].flatMap(
            ([k, x], i) =>
              [
                [k, `${path}<key ${i}>`],
                [x, `${path}.get(${String(k)})`],
              ] as [unknown, string][],
          )
        : v instanceof Set
          ? [...v].map((x, i) => [x, `${path}<item ${i}>`])
          : Object.entries(v).map(([k, x]) => [x, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`]);
    for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]);
  }
  return null;
}

/** `value` with every object that has a toJSON() replaced by its result, as JSON.stringify does. */
export function applyToJSON(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const own = value as { toJSON?: () => unknown };
  if (typeof own.toJSON === "function" && !(value instanceof Date)) return applyToJSON(own.toJSON());
  if (Array.isArray(value)) return value.map(applyToJSON);
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, applyToJSON(x)]));
}
