// The dataset type names mlc ships (SPEC section 3): the compiler checks `type:` against them (MLC3003)
// and catalog/registry.ts maps each to its lazily imported implementation. A module of its own so the
// compiler knows the names without loading the registry and what it imports.

/** The built-in dataset type names, sorted (hints list them in this order). */
export const BUILTIN_TYPES: readonly string[] = Object.freeze([
  "binary",
  "csv",
  "json",
  "jsonl",
  "memory",
  "mlflow.artifact",
  "mlflow.metric",
  "mlflow.metrics",
  "parquet",
  "partitioned",
  "sql.query",
  "sql.table",
  "text",
  "yaml",
]);
