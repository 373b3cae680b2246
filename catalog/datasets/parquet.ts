// `parquet`: rows as objects. Read with hyparquet (INT64 values that fit a double come back as
// numbers when the whole column fits), written row group by row group with hyparquet-writer.
// Column types come from a scan of all rows: INT32, DOUBLE, INT64 (bigint), BOOLEAN, STRING,
// TIMESTAMP (Date), JSON (objects, arrays and mixed-type columns; read back as values).
import type { DatasetType } from "../dataset.js";
import { writeViaTempFile } from "../atomic.js";
import { withArrow } from "./arrow.js";
import { pinColumns, writeTableParquet } from "./arrow-parquet.js";
import { argsOf, DataShapeError, FileDataset, ParseError, type FileFormat } from "./file.js";

type ParquetType = "INT32" | "INT64" | "DOUBLE" | "BOOLEAN" | "STRING" | "TIMESTAMP" | "JSON";

function typeOfValue(v: unknown): ParquetType | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? "INT32" : "DOUBLE";
  if (typeof v === "bigint") return "INT64";
  if (typeof v === "boolean") return "BOOLEAN";
  if (typeof v === "string") return "STRING";
  if (v instanceof Date) return "TIMESTAMP";
  return "JSON";
}

function merge(a: ParquetType | null, b: ParquetType | null): ParquetType | null {
  if (a === null || a === b) return b ?? a;
  if (b === null) return a;
  if ((a === "INT32" && b === "DOUBLE") || (a === "DOUBLE" && b === "INT32")) return "DOUBLE";
  return "JSON";
}

/** Column names (first-seen order over all rows) and one type per column. */
export function inferColumns(rows: readonly unknown[]): { name: string; type: ParquetType }[] {
  const types = new Map<string, ParquetType | null>();
  for (const row of rows) {
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new DataShapeError(
        `expects an array of row objects, found ${row === null ? "null" : Array.isArray(row) ? "an array" : typeof row} in it`,
      );
    }
    for (const k in row) {
      const t = typeOfValue((row as Record<string, unknown>)[k]);
      types.set(k, merge(types.has(k) ? types.get(k)! : null, t));
    }
  }
  return [...types].map(([name, t]) => ({ name, type: t ?? "STRING" }));
}

async function readParquet(path: string): Promise<unknown[]> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await import("hyparquet");
  const file = await asyncBufferFromFile(path);
  const rows: Record<string, unknown>[] = [];
  try {
    const metadata = await parquetMetadataAsync(file);
    // One row group at a time: hyparquet reads every group's bytes at once otherwise, so a file
    // would sit in memory whole beside the rows made from it.
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const part = (await parquetReadObjects({ file, metadata, rowStart, rowEnd })) as Record<string, unknown>[];
      for (const r of part) rows.push(r);
      rowStart = rowEnd;
    }
  } catch (err) {
    throw new ParseError((err as Error).message);
  }
  return int64AsNumbers(rows);
}

/** INT64 columns whose every value fits a double become numbers (pandas int64 -> number); others stay bigint. */
function int64AsNumbers(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  if (rows.length === 0) return rows;
  const bigCols = Object.keys(rows[0]).filter((k) => rows.some((r) => typeof r[k] === "bigint"));
  for (const k of bigCols) {
    const safe = rows.every(
      (r) =>
        typeof r[k] !== "bigint" ||
        ((r[k] as bigint) >= BigInt(Number.MIN_SAFE_INTEGER) && (r[k] as bigint) <= BigInt(Number.MAX_SAFE_INTEGER)),
    );
    if (safe) for (const r of rows) if (typeof r[k] === "bigint") r[k] = Number(r[k]);
  }
  return rows;
}

async function writeParquet(path: string, data: unknown, saveArgs: Record<string, unknown>): Promise<void> {
  if (!Array.isArray(data))
    throw new DataShapeError(`expects an array of row objects, got ${data === null ? "null" : typeof data}`);
  const { schema, ...save } = saveArgs;
  const columns = pinColumns(inferColumns(data), schema).map((c) => ({ ...c, nullable: true }));
  if (columns.length === 0)
    throw new DataShapeError("cannot write a parquet file without columns (no rows or empty rows)");
  const { fileWriter, parquetWriteRows } = await import("hyparquet-writer");
  const rowGroupSize = save.rowGroupSize ?? rowsPerGroup(data);
  await writeViaTempFile(path, async (tmp) => {
    const writer = fileWriter(tmp);
    await parquetWriteRows({
      ...save,
      ...(rowGroupSize ? { rowGroupSize } : {}),
      writer,
      rows: data,
      columns,
    } as never);
  });
}

/** About this much data per row group: a reader holds a group's bytes and values at once. */
const GROUP_BYTES = 4 * 1024 * 1024;

/**
 * Rows per row group for wide rows (hyparquet-writer's default, 1,000 then 100,000 rows, would put
 * 100 KB rows in groups of 100 MB), from the average size of a sample of rows; undefined (the
 * default) when its first group of 1,000 rows stays under GROUP_BYTES.
 */
function rowsPerGroup(rows: readonly unknown[]): number | undefined {
  const step = Math.max(1, Math.floor(rows.length / 256));
  let bytes = 0;
  let n = 0;
  for (let i = 0; i < rows.length; i += step, n++)
    for (const v of Object.values(rows[i] as Record<string, unknown>))
      bytes += typeof v === "string" ? v.length : v instanceof Uint8Array ? v.byteLength : 8;
  const perRow = n ? bytes / n : 0;
  return perRow * 1000 > GROUP_BYTES ? Math.max(1, Math.floor(GROUP_BYTES / perRow)) : undefined;
}

const PARQUET_ROWS: FileFormat = {
  read: (path) => readParquet(path),
  write: (path, data, ctx) => writeParquet(path, data, argsOf(ctx).save),
};

/** Builds a `parquet` dataset. */
export const parquetType: DatasetType = (ctx) => new FileDataset(ctx, PARQUET_FORMAT);

const PARQUET_FORMAT = withArrow(PARQUET_ROWS, { writeTable: writeTableParquet, readsSchema: true });
