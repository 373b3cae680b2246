// Phase `validate`: JSON Schema (draft 2020-12) validation of parsed documents with precompiled
// Ajv validators (schema/generated/, made by scripts/gen-schemas.mjs), errors turned into
// reports placed at the offending key or value. A schema whose generated code is missing or stale
// is compiled at run time instead (slower start, same result).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { CompileContext } from "../compiler/diagnostics.js";
import type { DocPath, RawDocument } from "../compiler/types.js";
import { generated } from "./generated/index.js";
import { mapErrors, type AjvError } from "./errors.js";

export type SchemaName = "pipeline" | "catalog" | "parameters" | "mlflow" | "mlc";

type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface Compiled {
  readonly validate: ValidateFn;
  readonly schema: Record<string, unknown>;
}

const cache = new Map<SchemaName, Compiled | null>();
const require = createRequire(import.meta.url);

/** Absolute path of schema/<name>.schema.json, from the source tree or from dist/schema/. */
export function schemaPath(name: string): string | null {
  for (const rel of [`./${name}.schema.json`, `../../schema/${name}.schema.json`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

/** True when schema/<name>.schema.json exists (mlflow's is optional). */
export function hasSchema(name: SchemaName): boolean {
  return schemaPath(name) !== null;
}

function compiled(name: SchemaName): Compiled | null {
  if (cache.has(name)) return cache.get(name)!;
  const file = schemaPath(name);
  let out: Compiled | null = null;
  if (file) {
    const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const gen = generated[name];
    const fresh = gen && gen.schemaKey === JSON.stringify(schema);
    out = { schema, validate: fresh ? (gen.validate as ValidateFn) : compileAtRuntime(schema) };
  }
  cache.set(name, out);
  return out;
}

function compileAtRuntime(schema: Record<string, unknown>): ValidateFn {
  const mod = require("ajv/dist/2020") as { default: new (o: object) => { compile(s: object): ValidateFn } };
  return new mod.default({ allErrors: true, verbose: true, strict: false, unicode: false, logger: false }).compile(
    schema,
  );
}

function getIn(data: unknown, path: DocPath): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/**
 * Validates the value at `basePath` (default: the whole document) of `doc` against
 * schema/<schema>.schema.json and reports every error (MLC2001 unknown key, MLC2002 missing key,
 * MLC2003 wrong type or value) at doc.file + basePath + the error's path. An empty document
 * counts as an empty map. Returns true when valid (or when the schema file does not exist).
 */
export function validateDocument(
  doc: RawDocument,
  schema: SchemaName,
  ctx: CompileContext,
  basePath: DocPath = [],
): boolean {
  const c = compiled(schema);
  if (!c) return true;
  let data = getIn(doc.data, basePath);
  if ((data === null || data === undefined) && c.schema.type === "object") data = {};
  if (c.validate(data)) return true;
  for (const r of mapErrors(c.validate.errors ?? [], {
    schema: c.schema,
    name: schema,
    data,
    file: doc.file,
    basePath,
  }))
    ctx.report(r);
  return false;
}
