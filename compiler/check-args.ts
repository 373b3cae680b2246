// load_args/save_args of built-in types. csv passes them to csv-parse and csv-stringify, so their
// option names are the ones it takes; the pandas names a Kedro catalog carries (`sep`, `index`,
// `dtype`, ...) are refused for every built-in type with the mlc way to say the same, where one is.
import type { CompileContext } from "./diagnostics.js";
import type { DatasetConfig } from "./types.js";
import { didYouMean } from "./suggest.js";

// csv-parse's options (it also takes them in camelCase), plus mlc's `header: false` (rows as arrays,
// catalog/datasets/csv.ts) and `as: arrow` (catalog/datasets/arrow.ts).
const CSV_LOAD = new Set(
  (
    "bom cast cast_date cast_first_line_to_header columns comment comment_no_infix delimiter delimiter_auto " +
    "encoding escape from from_line group_columns_by_name ignore_last_delimiters info ltrim max_record_size " +
    "objname on_record on_skip quote raw record_delimiter relax_column_count relax_column_count_less " +
    "relax_column_count_more relax_quotes rtrim skip_empty_lines skip_records_with_empty_values " +
    "skip_records_with_error to to_line trim header as"
  ).split(" "),
);
// csv-stringify's options, plus `schema` (column types for an Arrow Table or pinned row columns).
const CSV_SAVE = new Set(
  (
    "bom cast columns comment delimiter eof escape escape_formulas header header_as_comment on_record quote " +
    "quote_record_delimiter quoted quoted_empty quoted_match quoted_string record_delimiter encoding schema"
  ).split(" "),
);

// excel (catalog/datasets/excel.ts) takes pandas.ExcelDataset's own names for what it does.
const EXCEL_LOAD = new Set(["sheet_name", "header"]);
const EXCEL_SAVE = new Set(["sheet_name"]);
/** The keys a built-in type takes, where it checks them all (other types refuse only pandas names). */
const KNOWN: Readonly<Record<string, { load_args: Set<string>; save_args: Set<string> }>> = {
  csv: { load_args: CSV_LOAD, save_args: CSV_SAVE },
  excel: { load_args: EXCEL_LOAD, save_args: EXCEL_SAVE },
};

/** pandas / Kedro argument names -> what to write in mlc instead. */
const PANDAS: Readonly<Record<string, string>> = {
  sep: 'use "delimiter"',
  delim_whitespace: 'use "delimiter"',
  lineterminator: 'use "record_delimiter"',
  quotechar: 'use "quote"',
  escapechar: 'use "escape"',
  names: 'use "columns" (a list of names)',
  header: 'for loading use "columns: true" (the first line names the columns)',
  skiprows: 'use "from_line"',
  nrows: 'use "to_line"',
  dtype: 'use "cast" (true types numbers and booleans), or pin parquet/csv types with save_args.schema',
  parse_dates: 'use "cast_date"',
  na_values: "mlc rows keep empty cells as empty strings; map them in the node",
  index_col: "mlc rows have no index; select the column in the node",
  index: "mlc rows have no index, so there is none to write: leave it out",
  usecols: "select the columns in the node, or in a sql: node",
  decimal: "convert the numbers in the node",
  thousands: "convert the numbers in the node",
  orient: "mlc writes rows as an array of objects: leave it out",
  engine: "leave it out",
  compression: "leave it out",
};

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

/** MLC2001 for each load_args/save_args key that `type` does not take. */
export function checkArgs(
  key: string,
  entry: DatasetConfig,
  path: readonly (string | number)[],
  file: string,
  ctx: CompileContext,
): void {
  for (const side of ["load_args", "save_args"] as const) {
    const args = entry[side];
    if (!args || typeof args !== "object" || Array.isArray(args)) continue;
    const known = Object.hasOwn(KNOWN, String(entry.type)) ? KNOWN[String(entry.type)][side] : null;
    for (const name of Object.keys(args)) {
      const pandas = Object.hasOwn(PANDAS, name) ? PANDAS[name] : undefined;
      if (known ? known.has(snake(name)) : !pandas) continue;
      ctx.report({
        code: "MLC2001",
        message: `dataset "${key}" (${String(entry.type)}): unknown ${side} key "${name}"${
          pandas || !known ? "" : didYouMean(name, [...known])
        }`,
        at: { file, path: [...path, side, name], key: true },
        hint: pandas ? `"${name}" is a pandas argument: ${pandas}` : `${entry.type} ${side}: ${[...known!].join(", ")}`,
      });
    }
  }
}
