// `csv`: rows as objects keyed by the header, values typed (numbers, booleans, empty -> null) the
// way pandas reads them. Loads and saves stream, so memory stays near the size of the rows.
// load_args pass through to csv-parse (delimiter, columns, quote, from_line, ...) plus
// `header: false` (no header row: rows are arrays unless `columns` names them), `cast: false`
// (keep every value a string) and `encoding` (csv-decode.ts). The options our own reader takes go
// to it (csv-fast.ts says why). save_args pass through to csv-stringify (delimiter, header,
// columns, quoted, ...).
import { Readable } from "node:stream";
import type { DatasetType } from "../dataset.js";
import { writeStreamAtomic } from "../atomic.js";
import { decodedChunks } from "./csv-decode.js";
import { FastCsvReader, LoneCrRecords, uniqueNames, type FastCsvOptions } from "./csv-fast.js";
import { csvLines, type FastCsvWriteOptions } from "./csv-write.js";
import { withArrow } from "./arrow.js";
import { argsOf, DataShapeError, FileDataset, ParseError, type FileFormat } from "./file.js";

/** Types one CSV field: numbers, booleans, empty -> null; anything else stays a string. */
export function typedValue(v: string): unknown {
  const len = v.length;
  if (len === 0) return null;
  const c = v.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    const last = v.charCodeAt(len - 1);
    // Number() alone would accept "0x1F", " 1" and "1 "; pandas-style typing wants decimal text only.
    if (!((last >= 48 && last <= 57) || last === 46)) return v;
    if (len > 1 && (v.charCodeAt(1) | 32) > 97) {
      const c1 = v.charCodeAt(1) | 32;
      if (c1 === 120 || c1 === 98 || c1 === 111) return v;
    }
    const n = Number(v);
    if (n !== n) return v;
    // Integers beyond 2^53 would silently change: keep them as strings.
    if (len > 15 && !Number.isSafeInteger(n) && Number.isInteger(n) && !/[.eE]/.test(v)) return v;
    return n;
  }
  if (len <= 5) {
    if (v === "true" || v === "True" || v === "TRUE") return true;
    if (v === "false" || v === "False" || v === "FALSE") return false;
  }
  return v;
}

function parseOptions(load: Record<string, unknown>): Record<string, unknown> {
  const { header, cast, encoding: _enc, ...rest } = load;
  // escape: a doubled quote is a literal one for any quote character, as in pandas (doublequote).
  const opts: Record<string, unknown> = { bom: true, skip_empty_lines: true, escape: rest.quote ?? '"', ...rest };
  if (opts.columns === undefined) opts.columns = header !== false;
  // csv-parse keeps only the last of two same-named columns; pandas keeps both (a, a.1).
  if (opts.columns === true) opts.columns = (names: string[]) => uniqueNames(names);
  if (cast !== false) {
    opts.cast = (value: string, context: { header: boolean }) => (context.header ? value : typedValue(value));
  }
  return opts;
}

/**
 * Read size: small strings stay in V8's young generation (big ones go to old space and pile up
 * as garbage until a full GC); also far under Node's ~1 MB external-string threshold (slow to split).
 */
const CHUNK = 64 * 1024;

const FAST_KEYS = new Set([
  "delimiter",
  "quote",
  "header",
  "columns",
  "cast",
  "skip_empty_lines",
  "relax_column_count",
  "encoding",
  "bom",
]);

/** Options for the fast reader, or null when load_args need csv-parse's full feature set. */
export function fastOptions(load: Record<string, unknown>): FastCsvOptions | null {
  if (Object.keys(load).some((k) => !FAST_KEYS.has(k))) return null;
  const delimiter = load.delimiter ?? ",";
  const quote = load.quote ?? '"';
  if (typeof delimiter !== "string" || delimiter.length !== 1 || typeof quote !== "string" || quote.length !== 1)
    return null;
  const columns = load.columns ?? load.header !== false;
  if (typeof columns !== "boolean" && !(Array.isArray(columns) && columns.every((c) => typeof c === "string")))
    return null;
  return {
    delimiter,
    quote,
    columns,
    cast: load.cast === false ? null : typedValue,
    skipEmptyLines: load.skip_empty_lines !== false,
    relaxColumnCount: load.relax_column_count === true,
    bom: load.bom !== false,
  };
}

async function readCsv(path: string, load: Record<string, unknown>): Promise<unknown[]> {
  if (Array.isArray(load.columns) && new Set(load.columns).size !== load.columns.length) {
    throw new ParseError(`load_args.columns names a column twice: ${JSON.stringify(load.columns)}`);
  }
  return fastOptions(load) ? readFast(path, load) : readWithCsvParse(path, load);
}

/** Rows of the CSV at `path` read by our reader (load_args it understands: see fastOptions). */
export async function readFast(path: string, load: Record<string, unknown>): Promise<unknown[]> {
  const opts = fastOptions(load);
  if (!opts) throw new Error(`the fast CSV reader does not take these load_args: ${Object.keys(load).join(", ")}`);
  const rows: unknown[] = [];
  const reader = new FastCsvReader(opts, rows);
  try {
    for await (const chunk of decodedChunks(path, load.encoding, CHUNK)) reader.push(chunk);
    reader.end();
  } catch (err) {
    // Records ended by a lone CR (classic Mac, Excel's "CSV (Macintosh)"): csv-parse reads those.
    if (err instanceof LoneCrRecords) return readWithCsvParse(path, load);
    throw err;
  }
  return rows;
}

/** Rows of the CSV at `path` read by csv-parse (every load_arg it knows). */
export async function readWithCsvParse(path: string, load: Record<string, unknown>): Promise<unknown[]> {
  const { parse } = await import("csv-parse");
  const parser = parse(parseOptions(load));
  const input = Readable.from(decodedChunks(path, load.encoding, CHUNK));
  input.on("error", (err) => parser.destroy(err));
  input.pipe(parser);
  const rows: unknown[] = [];
  try {
    for await (const row of parser) rows.push(row);
  } catch (err) {
    input.destroy();
    const e = err as { code?: string; lines?: number; message: string };
    if (typeof e.code === "string" && e.code.startsWith("CSV_")) throw new ParseError(e.message, e.lines);
    throw err;
  }
  return rows;
}

function stringifyOptions(rows: readonly unknown[], save: Record<string, unknown>): Record<string, unknown> {
  const columns = columnsOf(rows, save);
  return {
    // Array rows without save_args.columns have no names to write: no header line.
    header: columns !== undefined || save.columns !== undefined,
    // A doubled quote stands for a quote, for any quote character, as our reader and pandas read it;
    // a line break in a field is quoted whatever the record delimiter, so no reader splits there.
    escape: save.quote ?? '"',
    quoted_match: /[\r\n]/,
    ...(columns ? { columns } : {}),
    ...save,
    cast: {
      // NaN as an empty field, as pandas writes it (na_rep="").
      number: (v: number) => (Number.isNaN(v) ? "" : String(v)),
      boolean: (v: boolean) => (v ? "true" : "false"),
      date: (v: Date) => v.toISOString(),
      bigint: (v: bigint) => String(v),
      object: (v: unknown) => JSON.stringify(v),
    },
  };
}

/** Header columns: save_args.columns, else the union of keys over all object rows, in first-seen order. */
function columnsOf(rows: readonly unknown[], save: Record<string, unknown>): string[] | undefined {
  if (save.columns !== undefined || rows.length === 0 || Array.isArray(rows[0])) return undefined;
  const seen = new Set<string>();
  for (const row of rows) {
    if (row === null || typeof row !== "object")
      throw new DataShapeError(`expects rows as objects or arrays, got ${row === null ? "null" : typeof row}`);
    for (const k in row) if (!seen.has(k)) seen.add(k);
  }
  return [...seen];
}

const FAST_WRITE_KEYS = new Set(["delimiter", "quote", "header", "columns", "quoted", "record_delimiter"]);
const EOLS: Record<string, string> = { unix: "\n", windows: "\r\n", mac: "\r", "\n": "\n", "\r\n": "\r\n", "\r": "\r" };

/** Options for the fast writer, or null when csv-stringify must write (or refuse) these save_args and rows. */
function fastWriteOptions(save: Record<string, unknown>, rows: readonly unknown[]): FastCsvWriteOptions | null {
  if (Object.keys(save).some((k) => !FAST_WRITE_KEYS.has(k))) return null;
  // Array rows picked by columns, or given a header without names: csv-stringify's rules.
  if (Array.isArray(rows[0]) && (save.columns !== undefined || save.header === true)) return null;
  const { delimiter = ",", quote = '"', header = true, quoted = false, record_delimiter = "\n" } = save;
  if (typeof delimiter !== "string" || !delimiter || typeof quote !== "string" || quote.length !== 1) return null;
  const eol = typeof record_delimiter === "string" ? EOLS[record_delimiter] : undefined;
  if (eol === undefined || typeof header !== "boolean" || typeof quoted !== "boolean") return null;
  if (save.columns !== undefined && !(Array.isArray(save.columns) && save.columns.every((c) => typeof c === "string")))
    return null;
  return { delimiter, quote, header, quoted, eol };
}

async function* csvChunks(rows: readonly unknown[], save: Record<string, unknown>): AsyncGenerator<string> {
  const { stringify } = await import("csv-stringify/sync");
  const opts = stringifyOptions(rows, save);
  const BATCH = 512;
  if (rows.length === 0) {
    if ((opts.columns as unknown[] | undefined)?.length && opts.header !== false) yield stringify([], opts);
    return;
  }
  for (let i = 0; i < rows.length; i += BATCH) {
    yield stringify(rows.slice(i, i + BATCH) as never, i === 0 ? opts : { ...opts, header: false });
  }
}

const CSV_ROWS: FileFormat = {
  read: (path, ctx) => readCsv(path, argsOf(ctx).load),
  async write(path, data, ctx) {
    if (!Array.isArray(data))
      throw new DataShapeError(`expects an array of rows, got ${data === null ? "null" : typeof data}`);
    const save = argsOf(ctx).save;
    const fast = fastWriteOptions(save, data);
    if (!fast) return writeStreamAtomic(path, csvChunks(data, save));
    const objectRows = data.length > 0 && !Array.isArray(data[0]);
    const columns = (save.columns as string[] | undefined) ?? (objectRows ? columnsOf(data, save)! : null);
    await writeStreamAtomic(path, csvLines(data, columns, fast));
  },
};

/** Builds a `csv` dataset. */
export const csvType: DatasetType = (ctx) => new FileDataset(ctx, CSV_FORMAT);

const CSV_FORMAT = withArrow(CSV_ROWS, { readsSchema: false });
