// Parquet column types for Arrow Tables and for rows whose types `save_args.schema` pins. A Table
// is written column by column from its own buffers (no row objects in between).
import type * as Arrow from "apache-arrow";
import type { DatasetContext } from "../dataset.js";
import { writeViaTempFile } from "../atomic.js";
import { columnValues, pinnedTypes } from "./arrow.js";
import { argsOf, DataShapeError } from "./file.js";

/** Arrow type ids (apache-arrow's Type enum) mapped to the Parquet type a column of it becomes. */
function parquetTypeOf(type: Arrow.DataType): string {
  const t = type as { typeId: number; bitWidth?: number; precision?: number; dictionary?: Arrow.DataType };
  switch (t.typeId) {
    case -1:
      return parquetTypeOf(t.dictionary!);
    case 2:
      return t.bitWidth === 64 ? "INT64" : "INT32";
    case 3:
      return t.precision === 1 ? "FLOAT" : "DOUBLE";
    case 5:
    case 20:
      return "STRING";
    case 6:
      return "BOOLEAN";
    case 8:
    case 10:
      return "TIMESTAMP";
    default:
      return "JSON";
  }
}

/** Values of one column converted to what the pinned Parquet type needs. */
function converted(values: unknown[] | ArrayLike<unknown>, type: string): ArrayLike<unknown> {
  if (type === "DOUBLE" || type === "FLOAT") {
    if (values instanceof Float64Array || values instanceof Float32Array) return values;
    return Array.from(values, (v) => (v === null ? null : Number(v)));
  }
  if (type === "INT64") return Array.from(values, (v) => (v === null ? null : BigInt(v as number)));
  if (type === "TIMESTAMP")
    return Array.from(values, (v) => (v === null || v instanceof Date ? v : new Date(Number(v))));
  if (type === "STRING") return Array.from(values, (v) => (v === null ? null : String(v)));
  return values;
}

/** Writes `table` to `path` atomically, one Parquet column per Arrow column. */
export async function writeTableParquet(path: string, table: Arrow.Table, ctx: DatasetContext): Promise<void> {
  const { schema, ...save } = argsOf(ctx).save;
  const pins = pinnedTypes(schema);
  if (table.schema.fields.length === 0) throw new DataShapeError("cannot write a parquet file without columns");
  const columnData = table.schema.fields.map((f) => {
    const type = pins.get(f.name) ?? parquetTypeOf(f.type);
    const data = converted(columnValues(table.getChild(f.name)!), type);
    return { name: f.name, data, type, nullable: true };
  });
  const { fileWriter, parquetWrite } = await import("hyparquet-writer");
  await writeViaTempFile(path, async (tmp) => {
    await parquetWrite({ ...save, writer: fileWriter(tmp), columnData } as never);
  });
}

/** Row columns with `save_args.schema` applied over their inferred types. */
export function pinColumns<C extends { name: string; type: string }>(columns: C[], schema: unknown): C[] {
  const pins = pinnedTypes(schema);
  for (const col of pins.keys())
    if (!columns.some((c) => c.name === col)) throw new DataShapeError(`save_args.schema names no column "${col}"`);
  return columns.map((c) => (pins.has(c.name) ? { ...c, type: pins.get(c.name)! } : c));
}
