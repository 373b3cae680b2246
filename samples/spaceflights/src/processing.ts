// Pipeline data_processing: clean the raw companies and shuttles, then join them with the reviews
// into the model input table (the tutorial's two inner merges and dropna).

export type Row = Record<string, unknown>;

/** Missing as pandas sees it: an empty cell, null, or NaN. */
export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v));
}

/** "t"/"f" as a boolean (missing stays null). */
function isTrue(v: unknown): boolean | null {
  return isMissing(v) ? null : v === "t" || v === true;
}

/** "90%" as 0.9 (missing stays null). */
function percentage(v: unknown): number | null {
  return isMissing(v) ? null : Number(String(v).replace("%", "")) / 100;
}

/** "$1,715.0" as 1715 (missing stays null). */
function money(v: unknown): number | null {
  return isMissing(v) ? null : Number(String(v).replace(/[$,]/g, ""));
}

/** Node preprocess_companies_node: iata_approved as a boolean, company_rating as a fraction. */
export function preprocessCompanies(companies: Row[]): Row[] {
  return companies.map((c) => ({
    ...c,
    iata_approved: isTrue(c.iata_approved),
    company_rating: percentage(c.company_rating),
  }));
}

/** Node preprocess_shuttles_node: the check flags as booleans, price as a number. */
export function preprocessShuttles(shuttles: Row[]): Row[] {
  return shuttles.map((s) => ({
    ...s,
    d_check_complete: isTrue(s.d_check_complete),
    moon_clearance_complete: isTrue(s.moon_clearance_complete),
    price: money(s.price),
  }));
}

/** Rows of `right` by the value of `key`, for an inner merge. */
function indexBy(right: Row[], key: string): Map<unknown, Row[]> {
  const index = new Map<unknown, Row[]>();
  for (const r of right) index.set(r[key], [...(index.get(r[key]) ?? []), r]);
  return index;
}

/**
 * Node create_model_input_table_node: shuttles merged with reviews (id = shuttle_id), then with
 * companies (company_id = id), rows with any missing value dropped. Also returns the row count.
 */
export function createModelInputTable(shuttles: Row[], companies: Row[], reviews: Row[]): [Row[], number] {
  const reviewsOf = indexBy(reviews, "shuttle_id");
  const companiesOf = indexBy(companies, "id");
  const table: Row[] = [];
  for (const s of shuttles) {
    for (const r of reviewsOf.get(s.id) ?? []) {
      for (const c of companiesOf.get(s.company_id) ?? []) {
        const { id: _companyId, ...company } = c;
        const row = { ...s, ...r, ...company };
        if (!Object.values(row).some(isMissing)) table.push(row);
      }
    }
  }
  return [table, table.length];
}

/**
 * Node keep_model_input_table_node of pipeline-sql.yml: the SQL node's Arrow table saved as the
 * model input table (the parquet of pipeline.yml), and its row count.
 */
export function keepModelInputTable<T extends { readonly numRows: number }>(table: T): [T, number] {
  return [table, table.numRows];
}
