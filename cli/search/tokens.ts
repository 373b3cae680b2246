// The lexer of MLflow's search grammar (as SearchUtils tokenises it with sqlparse): identifiers
// made of `.`-joined parts (words, `backticked`, "double-quoted", or 'single-quoted' after a dot),
// numbers as sqlparse reads them, quoted strings kept verbatim, comparison operators, parentheses.

/** A malformed --filter or --order-by; `column` (1-based) is where parsing stopped. */
export class SearchSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = "SearchSyntaxError";
  }
}

export type TokenKind = "ident" | "number" | "string" | "op" | "keyword" | "(" | ")" | "," | "end";

export interface Token {
  readonly kind: TokenKind;
  /** The source text (keywords upper-cased). */
  readonly text: string;
  /** 0-based offset in the source. */
  readonly at: number;
}

const KEYWORDS = new Set(["AND", "LIKE", "ILIKE", "IN", "NOT", "IS", "NULL", "ASC", "DESC"]);
const WORD = String.raw`[\p{L}\p{N}_]+`;
const BACKTICKED = "`(?:``|[^`])*`";
const DOUBLE = String.raw`"(?:""|\\"|[^"])*"`;
const SINGLE = String.raw`'(?:''|\\'|[^'])*'`;
const FIRST_PART = `(?:${WORD}|${BACKTICKED}|${DOUBLE})`;
const PART = `(?:${WORD}|${BACKTICKED}|${DOUBLE}|${SINGLE})`;
// sqlparse's number rules: an exponent needs digits before it; no letter may follow a number.
const NUMBER = String.raw`-?(?:\d+(?:\.\d+)?[eE]-?\d+|(?:\d+\.\d*|\.\d+)(?![\p{L}_])|\d+(?![\p{L}\p{N}_.]))`;

const RULES: readonly [TokenKind | "ws", RegExp][] = [
  ["ws", /\s+/y],
  ["number", new RegExp(NUMBER, "uy")],
  ["ident", new RegExp(`${FIRST_PART}(?:\\.${PART})*`, "uy")],
  ["string", new RegExp(SINGLE, "uy")],
  ["op", /!=|<>|==|<=|>=|<|>|=/y],
  ["(", /\(/y],
  [")", /\)/y],
  [",", /,/y],
];

/** The tokens of `source`, ending with an `end` token; throws SearchSyntaxError on a stray character. */
export function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const hit = matchAt(source, at);
    if (!hit) throw new SearchSyntaxError(unexpected(source, at), at + 1);
    const [kind, text] = hit;
    if (kind !== "ws") out.push(classify(kind, text, at));
    at += text.length;
  }
  out.push({ kind: "end", text: "", at: source.length });
  return out;
}

function matchAt(source: string, at: number): [TokenKind | "ws", string] | null {
  for (const [kind, re] of RULES) {
    re.lastIndex = at;
    const m = re.exec(source);
    if (m && m[0].length > 0) return [kind, m[0]];
  }
  return null;
}

function classify(kind: TokenKind, text: string, at: number): Token {
  if (kind === "ident" && KEYWORDS.has(text.toUpperCase())) return { kind: "keyword", text: text.toUpperCase(), at };
  return { kind, text, at };
}

function unexpected(source: string, at: number): string {
  const c = source[at];
  if (c === "'" || c === '"' || c === "`") return `the quote ${c} is never closed`;
  return `unexpected character ${JSON.stringify(c)}`;
}

/** True when `s` is wrapped in `q` on both ends (MLflow's _is_quoted). */
export function isQuoted(s: string, q: string): boolean {
  return s.length >= 2 && s.startsWith(q) && s.endsWith(q);
}

/** A string token's value as MLflow reads it: the text between the outer quotes, not unescaped. */
export function stripQuotes(s: string): string {
  return isQuoted(s, "'") || isQuoted(s, '"') ? s.slice(1, -1) : s;
}

/** Removes one pair of surrounding backticks (MLflow's _trim_backticks). */
export function trimBackticks(s: string): string {
  return isQuoted(s, "`") ? s.slice(1, -1) : s;
}
