// `excel`: .xlsx workbooks through exceljs, as Kedro's pandas.ExcelDataset does it. One sheet loads
// as an array of row objects keyed by the header row; several sheets load as {sheet name: rows}.
// load_args: sheet_name (a name, a 0-based index, a list of either, or null for every sheet;
// default 0), header (0-based row of the column names, default 0; null names the columns "1", "2", ...).
// save_args: sheet_name (default "Sheet1") for an array of rows; a {sheet name: rows} map writes one
// sheet per key. Empty cells load as null; formula cells load their cached result.
import { promises as fsp } from "node:fs";
import type { Workbook, Worksheet, CellValue } from "exceljs";
import { writeFileAtomic } from "../atomic.js";
import type { DatasetType } from "../dataset.js";
import { argsOf, DataShapeError, FileDataset, type FileFormat } from "./file.js";

type Row = Record<string, unknown>;
type SheetRef = string | number;

async function newWorkbook(): Promise<Workbook> {
  const { default: ExcelJS } = await import("exceljs");
  return new ExcelJS.Workbook();
}

/** A cell as plain data: formulas give their result, rich text and hyperlinks their text. */
function plain(v: CellValue): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== "object" || v instanceof Date) return v;
  if ("result" in v) return plain(v.result as CellValue);
  if ("richText" in v) return v.richText.map((t) => t.text).join("");
  if ("text" in v) return plain(v.text as CellValue);
  if ("error" in v) return null;
  return null;
}

function sheetRows(ws: Worksheet, header: number | null): Row[] {
  const width = ws.columnCount;
  const cells = (r: number) => Array.from({ length: width }, (_, c) => plain(ws.getRow(r).getCell(c + 1).value));
  const names =
    header === null ? cells(1).map((_, c) => String(c + 1)) : cells(header + 1).map((v, c) => String(v ?? c + 1));
  const rows: Row[] = [];
  for (let r = (header ?? -1) + 2; r <= ws.rowCount; r++) {
    const values = cells(r);
    if (values.every((v) => v === null)) continue; // a blank row, as pandas skips them
    rows.push(Object.fromEntries(names.map((n, c) => [n, values[c]])));
  }
  return rows;
}

function pickSheet(wb: Workbook, ref: SheetRef): Worksheet {
  const ws = typeof ref === "number" ? wb.worksheets[ref] : wb.getWorksheet(ref);
  if (!ws) {
    const names = wb.worksheets.map((w) => `"${w.name}"`).join(", ");
    throw new DataShapeError(`no sheet ${typeof ref === "number" ? `at index ${ref}` : `"${ref}"`} (sheets: ${names})`);
  }
  return ws;
}

function headerOf(v: unknown): number | null {
  if (v === null) return null;
  if (v === undefined) return 0;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  throw new DataShapeError(`load_args.header must be a row index (0 is the first row) or null, got ${String(v)}`);
}

/** A save value as {sheet name: rows}: an array is one sheet, a map of arrays is one sheet per key. */
function sheetsOf(data: unknown, sheetName: unknown): Array<[string, Row[]]> {
  if (Array.isArray(data)) return [[typeof sheetName === "string" ? sheetName : "Sheet1", data as Row[]]];
  if (data && typeof data === "object" && Object.values(data).every(Array.isArray))
    return Object.entries(data as Record<string, Row[]>);
  throw new DataShapeError("expects an array of row objects or {sheet name: rows}");
}

function addSheet(wb: Workbook, name: string, rows: Row[]): void {
  const columns: string[] = [];
  for (const row of rows) {
    if (!row || typeof row !== "object" || Array.isArray(row))
      throw new DataShapeError(`sheet "${name}": each row must be an object`);
    for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  }
  const ws = wb.addWorksheet(name);
  ws.addRow(columns);
  for (const row of rows) ws.addRow(columns.map((c) => row[c] ?? null));
}

const EXCEL_FORMAT: FileFormat = {
  async read(path, ctx) {
    const wb = await newWorkbook();
    await wb.xlsx.load((await fsp.readFile(path)) as unknown as ArrayBuffer);
    const { sheet_name, header } = argsOf(ctx).load;
    const head = headerOf(header);
    if (sheet_name === null) return Object.fromEntries(wb.worksheets.map((ws) => [ws.name, sheetRows(ws, head)]));
    if (Array.isArray(sheet_name)) {
      const sheets = sheet_name.map((ref) => pickSheet(wb, ref as SheetRef));
      return Object.fromEntries(sheets.map((ws) => [ws.name, sheetRows(ws, head)]));
    }
    return sheetRows(pickSheet(wb, (sheet_name ?? 0) as SheetRef), head);
  },
  async write(path, data, ctx) {
    const wb = await newWorkbook();
    // Fixed timestamps: the same rows give the same workbook properties on every run.
    wb.created = wb.modified = new Date(0);
    for (const [name, rows] of sheetsOf(data, argsOf(ctx).save.sheet_name)) addSheet(wb, name, rows);
    await writeFileAtomic(path, Buffer.from(await wb.xlsx.writeBuffer()));
  },
};

/** Builds an `excel` dataset. */
export const excelType: DatasetType = (ctx) => new FileDataset(ctx, EXCEL_FORMAT);
