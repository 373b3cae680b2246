// Token-level helpers of the line scanner (compiler/locate-fast.ts): simple keys, quoted scalars,
// single-line flow collections. Every helper throws GIVE_UP when the text is outside what the
// scanner can place with certainty; the caller then falls back to the full YAML parser.

/** A 1-based position with an optional end, as the Locator returns it. */
export interface Span {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** A simple key: its string value and 0-based columns of its start, end and colon. */
export interface Key {
  readonly value: string;
  readonly quoted: boolean;
  readonly start: number; // 0-based column of the key
  readonly end: number; // column after the key text
  readonly colon: number; // column of ':'
}
/** What the scanner found at a position (0-based line and column). */
export type Node =
  | { kind: "map" | "seq"; line: number; col: number }
  | { kind: "scalar"; line: number; col: number; end: number }
  | { kind: "null"; line: number; col: number }
  | { kind: "flow"; line: number; col: number; end: number; items: FlowItem[]; isMap: boolean };
/** One item of a flow collection (with its key in a flow map). */
export interface FlowItem {
  readonly key?: Key;
  readonly node: Node;
}
/** The entries (map) or items (seq) of a block collection and its last content line. */
export interface Coll {
  readonly entries: { line: number; key?: Key }[];
  readonly last: number; // last content line
}

/** Thrown to mean "not sure: ask the real parser". */
export const GIVE_UP = new Error("give up");
/** Plain keys the parser would read as numbers, booleans or null. */
export const NON_STRING = /^(?:[-+.]?\d|[-+]?\.(?:inf|nan)$|(?:true|false|null|yes|no|on|off|y|n)$|~$)/i;


/**
 * A flow collection that opens at column c and closes on the same line: `[a, "b"]`, `{k: v}`,
 * nested ones too. Plain items end at `,` `]` `}`; `? `, anchors, tags and aliases give up.
 */
export function parseFlow(l: string, line: number, c: number, depth: number): Node & { kind: "flow" } {
  if (depth > 64) throw GIVE_UP;
  const isMap = l[c] === "{";
  const close = isMap ? "}" : "]";
  const items: FlowItem[] = [];
  let k = skipSpaces(l, c + 1);
  while (l[k] !== close) {
    let key: Key | undefined;
    if (isMap) {
      key = flowKey(l, k);
      k = skipSpaces(l, key.colon + 1);
    }
    const node = flowValue(l, line, k, depth, isMap);
    items.push({ key, node });
    k = skipSpaces(l, node.kind === "null" ? k : (node as { end: number }).end);
    if (l[k] === ",") k = skipSpaces(l, k + 1);
    else if (l[k] !== close) throw GIVE_UP;
  }
  return { kind: "flow", line, col: c, end: k + 1, items, isMap };
}

function skipSpaces(l: string, k: number): number {
  while (l[k] === " ") k++;
  return k;
}

/** A flow-map key followed by ':' (quoted, or plain up to ':'). */
function flowKey(l: string, k: number): Key {
  const ch = l[k];
  let end: number;
  let value: string;
  const quoted = ch === '"' || ch === "'";
  if (quoted) {
    end = closingQuote(l, k);
    if (end < 0) throw GIVE_UP;
    value = unquote(l.slice(k, end));
  } else {
    if (ch === undefined || "-?[]{},&*!|>%@`#:".includes(ch)) throw GIVE_UP;
    const m = /:(?=[\s,}\]])|[,}\]]/.exec(l.slice(k));
    if (!m || m[0] !== ":") throw GIVE_UP; // a key without a value
    end = k + m.index;
    while (end > k && l[end - 1] === " ") end--;
    value = l.slice(k, end);
    if (NON_STRING.test(value) || /["']/.test(value)) throw GIVE_UP;
  }
  const colon = skipSpaces(l, end);
  if (l[colon] !== ":") throw GIVE_UP;
  return { value, quoted, start: k, end, colon };
}

/** One flow item value at k: quoted, nested flow, or plain up to `,` `]` `}`. */
function flowValue(l: string, line: number, k: number, depth: number, inMap: boolean): Node {
  const ch = l[k];
  if (ch === "[" || ch === "{") return parseFlow(l, line, k, depth + 1);
  if (ch === '"' || ch === "'") {
    const end = closingQuote(l, k);
    if (end < 0) throw GIVE_UP;
    return { kind: "scalar", line, col: k, end };
  }
  if (ch === undefined || ch === "," || ch === "}" || ch === "]" || "&*!|>%@`#?".includes(ch)) throw GIVE_UP;
  const m = /[,}\]]|:(?=[\s,}\]])| #/.exec(l.slice(k));
  if (!m || m[0] === " #" || (m[0] === ":" && !inMap) || m[0] === ":") throw GIVE_UP;
  let end = k + m.index;
  while (end > k && l[end - 1] === " ") end--;
  return { kind: "scalar", line, col: k, end };
}

function unquote(raw: string): string {
  try {
    return raw[0] === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1).replace(/''/g, "'");
  } catch {
    throw GIVE_UP;
  }
}

/**
 * True when every flow collection and quoted scalar on the line also ends on it: a document with
 * multi-line flow collections or quoted scalars is not line-structured, so the scanner stays out.
 */
export function lineIsSimple(l: string): boolean {
  let depth = 0;
  for (let k = 0; k < l.length; k++) {
    const ch = l[k];
    const tokenStart = k === 0 || " \t[{,:".includes(l[k - 1]);
    if (ch === "#" && tokenStart) break;
    if ((ch === '"' || ch === "'") && tokenStart) {
      const end = closingQuote(l, k);
      if (end < 0) return false;
      k = end - 1;
    } else if (ch === "[" || ch === "{") depth++;
    else if (ch === "]" || ch === "}") depth--;
  }
  return depth === 0;
}

/** Throws GIVE_UP (usable in expressions). */
export function give(): never {
  throw GIVE_UP;
}

/** Index of the character after the closing quote of the quoted scalar at c, or -1. */
export function closingQuote(l: string, c: number): number {
  const q = l[c];
  for (let k = c + 1; k < l.length; k++) {
    if (q === '"' && l[k] === "\\") k++;
    else if (l[k] === q) {
      if (q === "'" && l[k + 1] === "'") k++;
      else return k + 1;
    }
  }
  return -1;
}

/** A simple key at column c of line l (`key:`, `"key":`, `'key':`), or null. */
export function parseKey(l: string, c: number): Key | null {
  const ch = l[c];
  if (ch === undefined || "-?[]{},&*!|>%@`#:".includes(ch)) return null;
  let end: number;
  let value: string;
  if (ch === '"' || ch === "'") {
    end = closingQuote(l, c);
    if (end < 0) return null;
    const raw = l.slice(c, end);
    try {
      value = ch === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1).replace(/''/g, "'");
    } catch {
      return null;
    }
  } else {
    const m = /:(?: |$)/.exec(l.slice(c));
    if (!m) return null;
    end = c + m.index;
    while (end > c && l[end - 1] === " ") end--;
    value = l.slice(c, end);
    if (/\s#|["']/.test(value)) return null;
  }
  let colon = end;
  while (colon < l.length && l[colon] === " ") colon++;
  if (l[colon] !== ":" || !(colon + 1 === l.length || l[colon + 1] === " ")) return null;
  return { value, quoted: ch === '"' || ch === "'", start: c, end, colon };
}
