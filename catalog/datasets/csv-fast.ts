// A streaming RFC 4180 CSV reader for the common options (delimiter, quote, header/columns,
// cast, skip_empty_lines, relax_column_count, bom), beside csv-parse, which reads everything else.
// Why it exists: on bench/w-csv-rss.mjs (a 100 MB, 835k-row table loaded and saved), this reader
// peaks at 2.8x the file's size in RSS, under the 3x target; csv-parse on the same file needs 12x
// (1.2 GB) and loads about 20x slower. test/catalog/csv-differential.test.ts holds it to
// csv-parse's results on every option it takes. Unquoted lines are split with String#split,
// quoted fields go through a small state machine, repeated short values share one string, and
// rows are built by a generated object-literal factory so every row shares one hidden class.
import { ParseError } from "./file.js";

const INTERN_MAX_LENGTH = 24;
const INTERN_MAX_ENTRIES = 1 << 12;
const INTERN_SAMPLE = 4096;

/** Options the fast reader understands; anything else goes to csv-parse. */
export interface FastCsvOptions {
  readonly delimiter: string;
  readonly quote: string;
  /** true: first record names the columns; array: these names, no header row; false: arrays. */
  readonly columns: boolean | readonly string[];
  readonly cast: ((v: string) => unknown) | null;
  readonly skipEmptyLines: boolean;
  readonly relaxColumnCount: boolean;
  /** Strip a byte order mark at the start. */
  readonly bom: boolean;
}

/**
 * Header names made unique as pandas' read_csv does (mangle_dupe_names): `a, a` -> `a, a.1`; a
 * suffix already taken by another column is skipped (`a, a, a.1` -> `a, a.2, a.1`).
 */
export function uniqueNames(header: readonly string[]): string[] {
  const names = [...header];
  const present = new Map<string, number>();
  for (const n of names) present.set(n, (present.get(n) ?? 0) + 1);
  const counts = new Map<string, number>();
  names.forEach((old, i) => {
    let col = old;
    let n = counts.get(col) ?? 0;
    while (n > 0) {
      counts.set(old, n + 1);
      col = `${old}.${n}`;
      n = present.get(col) ? n + 1 : (counts.get(col) ?? 0);
    }
    present.set(old, present.get(old)! - 1);
    present.set(col, (present.get(col) ?? 0) + 1);
    names[i] = col;
    counts.set(col, n + 1);
  });
  return names;
}

/** Thrown when records end with a lone "\r": this reader splits records on "\n" only. */
export class LoneCrRecords extends Error {}

/** How the first record of `text` ends: "\n" or "\r\n" (lf), a lone "\r" (cr), or null: not in `text`. */
function firstRecordEnd(text: string, quote: string, final: boolean): "lf" | "cr" | null {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === quote) inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === "\n") return "lf";
    else if (c === "\r") return i + 1 < text.length ? (text[i + 1] === "\n" ? "lf" : "cr") : final ? "lf" : null;
  }
  return final ? "lf" : null;
}

/** A row object of the first `v.length` columns; own keys even for names like `__proto__`. */
function plainRow(columns: readonly string[], v: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < Math.min(columns.length, v.length); i++) {
    Object.defineProperty(o, columns[i], { value: v[i], enumerable: true, writable: true, configurable: true });
  }
  return o;
}

/** Turns an array of values into a row object; one hidden class for all rows of a file. */
export function rowFactory(columns: readonly string[]): (v: unknown[]) => unknown {
  if (columns.includes("__proto__")) return (v) => plainRow(columns, v);
  const body = columns.map((c, i) => `${JSON.stringify(c)}: v[${i}]`).join(", ");
  return new Function("v", `return { ${body} };`) as (v: unknown[]) => unknown;
}

/** Incremental parser: feed string chunks, then end(); rows are pushed to `out`. */
export class FastCsvReader {
  /** The unparsed start of an open record, in chunks: joined once the record can end, not per chunk. */
  private pending: string[] = [];
  /** Whether `pending` holds an odd number of quotes (then a newline may be inside a quoted field). */
  private inQuotes = false;
  private recordEndsKnown = false;
  private line = 1;
  private header: string[] | null = null;
  private make: ((v: unknown[]) => unknown) | null = null;
  private width = -1;
  private first = true;
  private readonly columnsSeen: { map: Map<string, string> | null; lookups: number; hits: number }[] = [];

  constructor(
    private readonly opts: FastCsvOptions,
    private readonly out: unknown[],
  ) {
    if (Array.isArray(opts.columns)) this.setHeader([...opts.columns]);
  }

  /** Parses as many complete records as `chunk` (after what was left over) holds. */
  push(chunk: string): void {
    if (this.pending.length && !this.mayEnd(chunk)) {
      this.pending.push(chunk);
      this.inQuotes = countOf(chunk, this.opts.quote) % 2 === 1 ? !this.inQuotes : this.inQuotes;
      return;
    }
    // join, not `+`: a rope (ConsString) makes V8's indexOf and slice many times slower.
    let text = this.pending.length ? [...this.pending, chunk].join("") : chunk;
    this.checkRecordEnds(text, false);
    if (this.first && text.length) {
      this.first = false;
      if (this.opts.bom && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const rest = text.slice(this.parse(text, false));
    this.pending = rest ? [rest] : [];
    this.inQuotes = countOf(rest, this.opts.quote) % 2 === 1;
  }

  /** Parses what is left at the end of the input. */
  end(): void {
    if (!this.pending.length) return;
    const text = this.pending.join("");
    this.checkRecordEnds(text, true);
    this.parse(text, true);
    this.pending = [];
  }

  /**
   * Whether the open record may end in `chunk`: it has a newline outside quotes. Checking costs one
   * pass over the chunk, where parsing would go over the whole record again (quadratic for one huge
   * field).
   */
  private mayEnd(chunk: string): boolean {
    const quote = this.opts.quote;
    let inQuotes = this.inQuotes;
    let q = chunk.indexOf(quote);
    for (let nl = chunk.indexOf("\n"); nl >= 0; nl = chunk.indexOf("\n", nl + 1)) {
      while (q >= 0 && q < nl) {
        inQuotes = !inQuotes;
        q = chunk.indexOf(quote, q + 1);
      }
      if (!inQuotes) return true;
    }
    return false;
  }

  /** Refuses (LoneCrRecords) a text whose first record ends with a lone "\r", before any row is made. */
  private checkRecordEnds(text: string, final: boolean): void {
    if (this.recordEndsKnown) return;
    const end = firstRecordEnd(text, this.opts.quote, final);
    if (end === "cr") throw new LoneCrRecords("records end with a lone CR");
    this.recordEndsKnown = end === "lf";
  }

  private parse(text: string, final: boolean): number {
    const { delimiter, quote } = this.opts;
    const len = text.length;
    let pos = 0;
    let nextQuote = text.indexOf(quote);
    while (pos < len) {
      let nl = text.indexOf("\n", pos);
      if (nl < 0) {
        if (!final) return pos;
        nl = len;
      }
      if (nextQuote >= 0 && nextQuote < pos) nextQuote = text.indexOf(quote, pos);
      if (nextQuote < 0 || nextQuote >= nl) {
        const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (end > pos || !this.opts.skipEmptyLines) this.record(text.slice(pos, end).split(delimiter));
        this.line++;
        pos = nl + 1;
        continue;
      }
      const next = this.parseQuoted(text, pos, final);
      if (next < 0) return pos;
      pos = next;
    }
    return Math.min(pos, len);
  }

  /** Parses one record containing quotes from `pos`; returns the next position, or -1 for "need more". */
  private parseQuoted(text: string, pos: number, final: boolean): number {
    const { delimiter, quote } = this.opts;
    const fields: string[] = [];
    const start = { line: this.line, newlines: 0 };
    let i = pos;
    for (;;) {
      if (text[i] === quote) {
        const f = this.quotedField(text, i, final, start);
        if (!f) return -1;
        fields.push(f.value);
        i = f.next;
      } else {
        let e = i;
        while (e < text.length && text[e] !== delimiter && text[e] !== "\n" && text[e] !== quote) e++;
        // As csv-parse: a stray quote is more likely a broken file than text (load_args.relax_quotes keeps it).
        if (text[e] === quote) throw new ParseError("quote inside an unquoted field", start.line + start.newlines);
        const value = text.slice(i, e);
        fields.push(value.endsWith("\r") && text[e] !== delimiter ? value.slice(0, -1) : value);
        i = e;
      }
      // The record's end (or a lone "\r" at the chunk's end) may only be decided with more text.
      if (i >= text.length || (text[i] === "\r" && i + 1 >= text.length)) {
        if (!final) return -1;
        if (i < text.length) i++;
        break;
      }
      if (text[i] === delimiter) {
        i++;
        continue;
      }
      if (text[i] === "\r") i++;
      if (text[i] === "\n") i++;
      break;
    }
    this.record(fields);
    this.line += start.newlines + 1;
    return i;
  }

  /** A quoted field starting at `i` ("" escapes a quote); null when the text ends inside it. */
  private quotedField(
    text: string,
    i: number,
    final: boolean,
    start: { line: number; newlines: number },
  ): { value: string; next: number } | null {
    const { delimiter, quote } = this.opts;
    let k = text.indexOf(quote, i + 1);
    // A quote as the very last character may be the first half of an escaped "".
    while (k >= 0 && k + 1 < text.length && text[k + 1] === quote) k = text.indexOf(quote, k + 2);
    if (k < 0 || (k + 1 >= text.length && !final)) {
      if (!final) return null;
      throw new ParseError(`quoted field not closed (opened on line ${start.line})`, start.line);
    }
    // One slice and one replace, not a concatenation per escaped quote: a huge field stays linear.
    const raw = text.slice(i + 1, k);
    start.newlines += countOf(raw, "\n");
    const value = raw.includes(quote) ? raw.replaceAll(quote + quote, quote) : raw;
    const c = text[k + 1];
    if (k + 1 < text.length && c !== delimiter && c !== "\n" && c !== "\r") {
      const line = start.line + start.newlines;
      throw new ParseError(`unexpected character ${JSON.stringify(c)} after a closing quote`, line);
    }
    return { value, next: k + 1 };
  }

  private record(fields: string[]): void {
    if (!this.header && this.opts.columns === true) {
      this.setHeader(fields);
      return;
    }
    if (this.width < 0) this.width = fields.length;
    if (fields.length !== this.width && !this.opts.relaxColumnCount) {
      throw new ParseError(`expected ${this.width} fields, found ${fields.length}`, this.line);
    }
    const cast = this.opts.cast;
    const values: unknown[] = fields;
    for (let i = 0; i < fields.length; i++) {
      const v = cast ? cast(fields[i]) : fields[i];
      values[i] = typeof v !== "string" ? v : v.length <= INTERN_MAX_LENGTH ? this.intern(i, v) : detach(v);
    }
    // A short record (relax_column_count) has no keys for its missing fields, as in csv-parse.
    const short = this.header !== null && values.length < this.header.length;
    this.out.push(!this.make ? values : short ? plainRow(this.header!, values) : this.make(values));
  }

  /**
   * Repeated short strings (categories, codes) share one copy per column: a large saving on real
   * tables. A column whose values rarely repeat stops interning after a sample, so unique ids cost
   * nothing.
   */
  private intern(col: number, v: string): string {
    let st = this.columnsSeen[col];
    if (st === undefined) st = this.columnsSeen[col] = { map: new Map(), lookups: 0, hits: 0 };
    if (st.map === null) return detach(v);
    st.lookups++;
    const seen = st.map.get(v);
    if (seen !== undefined) {
      st.hits++;
      return seen;
    }
    const own = detach(v);
    if (st.lookups >= INTERN_SAMPLE && st.hits < st.lookups / 2) st.map = null;
    else if (st.map.size < INTERN_MAX_ENTRIES) st.map.set(own, own);
    return own;
  }

  private setHeader(names: string[]): void {
    names = Array.isArray(this.opts.columns) ? names : uniqueNames(names);
    this.header = names;
    this.width = names.length;
    this.make = rowFactory(names);
  }
}

const NOT_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * A copy of `s` that does not point into the read chunk. V8 makes substrings of 13+ characters
 * "sliced strings" that keep their whole parent alive: kept values would pin every read chunk
 * of the file in memory. Shorter strings are already copies.
 */
export function detach(s: string): string {
  if (s.length < 13) return s;
  return NOT_LATIN1.test(s) ? Buffer.from(s, "utf8").toString("utf8") : Buffer.from(s, "latin1").toString("latin1");
}

function countOf(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}
