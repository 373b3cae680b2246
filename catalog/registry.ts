// The explicit registry of dataset types: built-ins (imported lazily, so the CLI does not load
// csv/parquet code until a dataset needs it), types registered by code, and custom types named by
// a module ref in catalog.yml (`type: ./src/datasets.ts#PostgresTable`).
import { BUILTIN_TYPES } from "../compiler/dataset-types.js";
import { MlcError } from "../compiler/diagnostics.js";
import { loadExport, parseRef } from "../modules/load-module.js";
import { suggest } from "../compiler/suggest.js";
import type { DatasetConfig } from "../compiler/types.js";
import type { Dataset, DatasetContext, DatasetType } from "./dataset.js";

export { BUILTIN_TYPES };

/** Types whose data does not outlive the run (resume and run records treat them as not persisted). */
const TRANSIENT_TYPES = new Set(["memory", "mlflow.metric", "mlflow.metrics"]);

const lazy =
  (load: () => Promise<DatasetType>): DatasetType =>
  async (ctx) =>
    (await load())(ctx);

const types = new Map<string, DatasetType>([
  ["memory", lazy(async () => (await import("./datasets/memory.js")).memoryType)],
  ["json", lazy(async () => (await import("./datasets/json.js")).jsonType)],
  ["jsonl", lazy(async () => (await import("./datasets/jsonl.js")).jsonlType)],
  ["yaml", lazy(async () => (await import("./datasets/yaml.js")).yamlType)],
  ["text", lazy(async () => (await import("./datasets/text.js")).textType)],
  ["csv", lazy(async () => (await import("./datasets/csv.js")).csvType)],
  ["parquet", lazy(async () => (await import("./datasets/parquet.js")).parquetType)],
  ["binary", lazy(async () => (await import("./datasets/binary.js")).binaryType)],
  ["excel", lazy(async () => (await import("./datasets/excel.js")).excelType)],
  ["plotly", lazy(async () => (await import("./datasets/plotly.js")).plotlyType)],
  ["image", lazy(async () => (await import("./datasets/image.js")).imageType)],
  ["partitioned", lazy(async () => (await import("./datasets/partitioned.js")).partitionedType)],
  ["sql.table", lazy(async () => (await import("./datasets/sql.js")).sqlTableType)],
  ["sql.query", lazy(async () => (await import("./datasets/sql.js")).sqlQueryType)],
  ["mlflow.artifact", lazy(async () => (await import("./datasets/mlflow.js")).artifactType)],
  ["mlflow.metric", lazy(async () => (await import("./datasets/mlflow.js")).metricType)],
  ["mlflow.metrics", lazy(async () => (await import("./datasets/mlflow.js")).metricsType)],
]);

/** Registers (or replaces) a dataset type under `name`. */
export function registerDatasetType(name: string, type: DatasetType): void {
  types.set(name, type);
}

/** The registered type called `name`, if any (custom module refs are resolved by resolveDatasetType). */
export function getDatasetType(name: string): DatasetType | undefined {
  return types.get(name);
}

/** True when a `type:` value names a module export rather than a registered type. */
export function isCustomTypeRef(type: string): boolean {
  return (
    type.includes("#") ||
    type.startsWith("./") ||
    type.startsWith("../") ||
    type.startsWith("/") ||
    /\.(m|c)?[jt]sx?$/.test(type)
  );
}

/** True when data of this config outlives the run (anything but memory and metric datasets). */
export function isPersistentConfig(config: DatasetConfig): boolean {
  return !TRANSIENT_TYPES.has(config.type);
}

/**
 * The type for `type`: a registered name, or a custom class/factory loaded from its module.
 * Unknown names are MLC3003 (with suggestions); module problems MLC3006.
 */
export async function resolveDatasetType(type: string, root: string): Promise<DatasetType> {
  const known = types.get(type);
  if (known) return known;
  if (!isCustomTypeRef(type)) {
    const close = suggest(type, types.keys());
    throw new MlcError("MLC3003", `unknown dataset type "${type}"`, {
      hint: close.length
        ? `did you mean ${close.map((c) => `"${c}"`).join(", ")}?`
        : `built-in types: ${BUILTIN_TYPES.join(", ")}`,
    });
  }
  const exported = await loadExport(type, root);
  if (typeof exported !== "function") {
    const { module, exportName } = parseRef(type);
    throw new MlcError(
      "MLC3006",
      `dataset type "${type}": export "${exportName}" of ${module} is not a class or function`,
      { file: module },
    );
  }
  return customType(type, exported as CustomExport);
}

type CustomExport = (new (config: DatasetConfig, ctx: DatasetContext) => unknown) &
  ((config: DatasetConfig, ctx: DatasetContext) => unknown);

/** A class, or an old-style constructor whose prototype carries the Dataset methods. */
function isClass(fn: unknown): boolean {
  if (typeof fn !== "function") return false;
  if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) return true;
  const proto = (fn as { prototype?: Record<string, unknown> }).prototype;
  return typeof proto?.load === "function";
}

/** Adapts a user class (`new C(config, ctx)`) or factory (`f(config, ctx)`) into a DatasetType. */
function customType(ref: string, fn: CustomExport): DatasetType {
  return async (ctx) => {
    const instance = isClass(fn) ? new fn(ctx.config, ctx) : await fn(ctx.config, ctx);
    return adaptCustom(ref, instance);
  };
}

function adaptCustom(ref: string, ds: unknown): Dataset {
  const d = ds as Partial<Dataset> | null;
  if (!d || typeof d.load !== "function" || typeof d.save !== "function") {
    throw new MlcError(
      "MLC3006",
      `dataset type "${ref}" did not produce a dataset (an object with load() and save())`,
      {
        file: parseRef(ref).module,
      },
    );
  }
  // Optional methods get safe defaults so the catalog can call them uniformly.
  if (typeof d.exists !== "function") d.exists = async () => false;
  if (typeof d.describe !== "function") d.describe = () => ({ type: ref });
  return d as Dataset;
}
