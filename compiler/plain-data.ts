// Helpers for the plain data YAML parses into. YAML allows "__proto__" as an ordinary key, so every
// write of a key that came from user data goes through setOwn: it stays a key, never a prototype.

type Obj = Record<string, unknown>;

/** A YAML map: a non-null, non-array object. */
export function isMap(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `o[k] = v` as an own property, also for a "__proto__" key. */
export function setOwn(o: Obj, k: string, v: unknown): void {
  if (k !== "__proto__") o[k] = v;
  else Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Deep merge: `over` wins; maps merge, everything else replaces. Iterative (deep YAML must not overflow). */
export function deepMerge(base: Readonly<Obj>, over: Readonly<Obj>): Obj {
  const result: Obj = { ...base };
  const stack: [Obj, Readonly<Obj>][] = [[result, over]];
  while (stack.length > 0) {
    const [into, from] = stack.pop()!;
    for (const [k, v] of Object.entries(from)) {
      const cur = Object.hasOwn(into, k) ? into[k] : undefined;
      if (isMap(cur) && isMap(v)) {
        const copy = { ...cur };
        setOwn(into, k, copy);
        stack.push([copy, v]);
      } else setOwn(into, k, v);
    }
  }
  return result;
}
