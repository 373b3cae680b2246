// Ajv errors -> mlc reports: unknown key (MLC2001, at the key, with "did you mean"), missing key
// (MLC2002, at the parent map), anything else (MLC2003, at the value, with `expected`).
// oneOf/anyOf branch noise collapses into one message; if/then bookkeeping errors are dropped.
// Messages never quote values: a mlflow.yml or catalog value may be a secret put in the wrong place.
import type { Report } from "../compiler/diagnostics.js";
import { didYouMean } from "../compiler/suggest.js";
import type { DocPath } from "../compiler/types.js";

/** The parts of an Ajv error we use (Ajv runs with allErrors + verbose). */
export interface AjvError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly propertyName?: string;
  readonly schema?: unknown;
  readonly parentSchema?: Record<string, unknown>;
  /** The failing value (verbose mode); used for suggestions, never printed. */
  readonly data?: unknown;
}

export interface ErrorContext {
  readonly schema: Record<string, unknown>;
  readonly name: string;
  readonly data: unknown;
  readonly file: string;
  readonly basePath: DocPath;
}

/** Splits an Ajv instancePath ("/nodes/0/name") into a document path (numbers for array indices). */
export function splitPointer(pointer: string, data: unknown): (string | number)[] {
  if (pointer === "") return [];
  const out: (string | number)[] = [];
  let v = data;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const key = Array.isArray(v) && /^\d+$/.test(seg) ? Number(seg) : seg;
    out.push(key);
    v = v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[key] : undefined;
  }
  return out;
}

const NOUN: Record<string, string> = {
  string: "a string",
  array: "a list",
  object: "a map",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  null: "empty",
};

function typeWords(t: unknown): string {
  const list = Array.isArray(t) ? t : [t];
  const words = list.map((x) => NOUN[String(x)] ?? String(x));
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** "nodes[2] (\"train\")", "dataset \"model\"" or "the document": where an error is, in words. */
export function describePath(path: DocPath, data: unknown, schemaName: string): string {
  if (path.length === 0) return "the document";
  if (schemaName === "catalog" && path.length === 1) return `dataset "${path[0]}"`;
  let s = "";
  let v = data;
  for (const p of path) {
    s += typeof p === "number" ? `[${p}]` : s === "" ? String(p) : `.${p}`;
    v = v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[p] : undefined;
  }
  const name =
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>).name : undefined;
  return typeof name === "string" ? `${s} ("${name}")` : s;
}

/** Turns Ajv errors into reports, de-duplicating combinator noise. */
export function mapErrors(errors: readonly AjvError[], ec: ErrorContext): Report[] {
  const combinators = errors.filter(
    (e) => e.keyword === "oneOf" || e.keyword === "anyOf" || e.keyword === "propertyNames",
  );
  const suppressed = (e: AjvError) =>
    combinators.some(
      (c) => c !== e && e.schemaPath.startsWith(c.schemaPath + "/") && e.instancePath.startsWith(c.instancePath),
    );
  const out: Report[] = [];
  for (const e of errors) {
    if (e.keyword === "if" || suppressed(e)) continue;
    const r = mapOne(e, ec);
    if (r) out.push(r);
  }
  return out;
}

function mapOne(e: AjvError, ec: ErrorContext): Report | null {
  const path = splitPointer(e.instancePath, ec.data);
  const at = { file: ec.file, path: [...ec.basePath, ...path] };
  const where = describePath(path, ec.data, ec.name);
  switch (e.keyword) {
    case "additionalProperties":
    case "unevaluatedProperties": {
      const key = String(e.params.additionalProperty ?? e.params.unevaluatedProperty);
      const allowed = Object.keys((e.parentSchema?.properties as object) ?? {});
      return {
        code: "MLC2001",
        message: `unknown key "${key}" in ${where}${didYouMean(key, allowed)}`,
        at: { ...at, path: [...at.path, key], key: true },
        ...(allowed.length ? { hint: `allowed keys: ${allowed.join(", ")}` } : {}),
      };
    }
    case "required":
      return { code: "MLC2002", message: `missing required key "${String(e.params.missingProperty)}" in ${where}`, at };
    case "anyOf":
    case "oneOf":
      return mapCombinator(e, at, where);
    case "propertyNames": {
      const key = String(e.params.propertyName);
      const rule = (e.schema as Record<string, unknown> | undefined)?.pattern;
      return {
        code: "MLC2003",
        message: `invalid key "${key}" in ${where}`,
        at: { ...at, path: [...at.path, key], key: true },
        ...(rule ? { expected: `a key matching ${String(rule)}` } : {}),
      };
    }
    default:
      return mapValue(e, at, where);
  }
}

function mapCombinator(e: AjvError, at: { file: string; path: DocPath }, where: string): Report {
  const branches = Array.isArray(e.schema) ? (e.schema as Record<string, unknown>[]) : [];
  const requireds = branches.map((b) =>
    Array.isArray(b.required) && Object.keys(b).length === 1 ? (b.required as string[]) : null,
  );
  if (branches.length > 0 && requireds.every((r) => r !== null)) {
    const keys = requireds.map((r) => r!.map((k) => `"${k}"`).join(" and "));
    return { code: "MLC2002", message: `missing required key ${keys.join(" or ")} in ${where}`, at };
  }
  const kinds = branches.map((b) =>
    b.type ? typeWords(b.type) : typeof b.description === "string" ? b.description : "a valid value",
  );
  const expected = [...new Set(kinds)].join(" | ");
  return {
    code: "MLC2003",
    message: `${where} must be ${e.keyword === "oneOf" ? "exactly one of" : "one of"}: ${expected}`,
    at,
    expected,
  };
}

function mapValue(e: AjvError, at: { file: string; path: DocPath }, where: string): Report {
  const p = e.params;
  const hint = typeof e.parentSchema?.description === "string" ? (e.parentSchema.description as string) : undefined;
  let message: string;
  let expected: string | undefined;
  switch (e.keyword) {
    case "type":
      expected = typeWords(p.type);
      message = `${where} must be ${expected}`;
      break;
    case "enum": {
      const allowed = (p.allowedValues as unknown[]) ?? [];
      expected = allowed.map((a) => JSON.stringify(a)).join(", ");
      const actual = e.data;
      const dym = typeof actual === "string" ? didYouMean(actual, allowed.map(String)) : "";
      message = `${where} must be one of ${expected}${dym}`;
      break;
    }
    case "const":
      expected = JSON.stringify(p.allowedValue);
      message = `${where} must be ${expected}`;
      break;
    case "pattern":
      expected = `a string matching ${String(p.pattern)}`;
      message = `${where} has an invalid format`;
      break;
    case "minItems":
    case "minProperties":
    case "minLength":
      expected = p.limit === 1 ? "not empty" : `at least ${String(p.limit)}`;
      message = p.limit === 1 ? `${where} must not be empty` : `${where} ${e.message ?? "is too short"}`;
      break;
    default:
      message = `${where} ${e.message ?? "is invalid"}`;
  }
  return { code: "MLC2003", message, at, ...(expected ? { expected } : {}), ...(hint ? { hint } : {}) };
}
