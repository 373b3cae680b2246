// A streaming CSV writer for the common save_args (delimiter, quote, header, columns, quoted,
// record_delimiter). Yields one line at a time to a synchronous consumer (atomic.ts copies it into
// a reused buffer), so every intermediate string dies young instead of piling up in old space.
// test/catalog/csv-write-differential.test.ts holds its output to csv-stringify's, byte for byte.
import { DataShapeError } from "./file.js";

/** Options the fast writer understands; anything else goes to csv-stringify. */
export interface FastCsvWriteOptions {
  readonly delimiter: string;
  readonly quote: string;
  readonly header: boolean;
  readonly quoted: boolean;
  readonly eol: string;
}

/** One value as CSV text: null, undefined and NaN -> empty, Date -> ISO, object -> JSON. */
function fieldText(v: unknown): string {
  switch (typeof v) {
    case "number":
      // JSON.stringify, not String(): String() fills V8's number-to-string cache, which keeps
      // every recent result alive into old space (~100 MB of garbage per 100 MB CSV written).
      return Number.isFinite(v) ? JSON.stringify(v) : Number.isNaN(v) ? "" : String(v);
    case "string":
      return v;
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return String(v);
    case "undefined":
      return "";
    default:
      return v === null ? "" : v instanceof Date ? v.toISOString() : (JSON.stringify(v) ?? "");
  }
}

/** One value as a CSV field, quoted when it must be (or, with `quoted`, when it is not empty, as csv-stringify does). */
export function csvField(v: unknown, o: FastCsvWriteOptions): string {
  const s = fieldText(v);
  const needs = s.includes(o.delimiter) || s.includes(o.quote) || s.includes("\n") || s.includes("\r");
  return needs || (o.quoted && s !== "") ? o.quote + s.split(o.quote).join(o.quote + o.quote) + o.quote : s;
}

function line(row: unknown, columns: readonly string[] | null, o: FastCsvWriteOptions): string {
  if (Array.isArray(row)) return row.map((v) => csvField(v, o)).join(o.delimiter) + o.eol;
  if (row === null || typeof row !== "object")
    throw new DataShapeError(`expects rows as objects or arrays, got ${row === null ? "null" : typeof row}`);
  let out = "";
  const r = row as Record<string, unknown>;
  for (let i = 0; i < columns!.length; i++) out += (i ? o.delimiter : "") + csvField(r[columns![i]], o);
  return out + o.eol;
}

/** CSV lines for `rows` with `columns` (null for array rows), generated one at a time. */
export function* csvLines(
  rows: readonly unknown[],
  columns: readonly string[] | null,
  o: FastCsvWriteOptions,
): Generator<string> {
  if (o.header && columns) yield columns.map((c) => csvField(c, o)).join(o.delimiter) + o.eol;
  for (const row of rows) yield line(row, columns, o);
}
