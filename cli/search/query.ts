// The `--filter`, `--order-by` and `--limit` flags of `mlc runs ls`, validated at the edge: a
// malformed expression is a usage error (exit 2) that shows the text with a caret where it stopped.
import { UsageError } from "../exit.js";
import { parseFilter, parseOrderBy } from "./filter.js";
import type { RunQuery } from "./search.js";
import { SearchSyntaxError } from "./tokens.js";

/** Flags as commander gives them: `orderBy` collects every --order-by. */
export interface QueryFlags {
  readonly filter?: string;
  readonly orderBy?: readonly string[];
  readonly limit?: string;
}

/** Parses the query flags; throws UsageError (MLC2003) pointing at the bad column. */
export function parseQuery(flags: QueryFlags): RunQuery {
  const clauses = located("--filter", flags.filter ?? "", parseFilter);
  const order = (flags.orderBy ?? []).flatMap(splitTerms).map((t) => located("--order-by", t, parseOrderBy));
  return { clauses, order, ...(flags.limit === undefined ? {} : { limit: parseLimit(flags.limit) }) };
}

function located<T>(flag: string, text: string, parse: (s: string) => T): T {
  try {
    return parse(text);
  } catch (err) {
    if (!(err instanceof SearchSyntaxError)) throw err;
    const line = text.replace(/[\r\n\t]/g, " ");
    throw new UsageError(
      `MLC2003 ${flag}: ${err.message} at column ${err.column}\n  ${line}\n  ${" ".repeat(err.column - 1)}^`,
    );
  }
}

/** Splits "a ASC, b DESC" at commas outside quotes and backticks (one flag may hold several terms). */
export function splitTerms(text: string): string[] {
  const out: string[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) quote = c === quote ? null : quote;
    else if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === ",") (out.push(text.slice(start, i)), (start = i + 1));
  }
  out.push(text.slice(start));
  return out;
}

function parseLimit(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`MLC2003 --limit must be a positive integer (got ${JSON.stringify(v)})`);
  return n;
}
