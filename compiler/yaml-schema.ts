// How mlc reads YAML values: js-yaml with YAML 1.2's core schema and `<<` merge keys. Positions come
// from the `yaml` package (compiler/locate.ts), which must name keys exactly as js-yaml stored them.
import * as jsyaml from "js-yaml";
import { CORE_SCHEMA, load, type Type } from "js-yaml";

/**
 * YAML 1.2 core types plus `<<` merge keys (Kedro projects use `_x: &x` + `<<: *x`). No
 * timestamps or !!binary: dates stay strings, so every parsed value is plain JSON data.
 * (`types` exists at run time but is missing from @types/js-yaml.)
 */
export const SCHEMA = CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: Type } }).types.merge] });

/** A plain (unquoted) map key as js-yaml stores it (`~` is "null", `0x10` is "16"), or undefined. */
export function plainKey(source: string): string | undefined {
  try {
    const v = load(source, { schema: SCHEMA });
    return v !== null && typeof v === "object" ? undefined : String(v);
  } catch {
    return undefined;
  }
}
