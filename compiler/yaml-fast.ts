// A fast path for big, plain YAML (generated pipelines of thousands of nodes): block mappings and
// sequences, plain or simply quoted scalars, one-line flow sequences of plain scalars, comments.
// Anything else (anchors, aliases, tags, block scalars, flow maps, multi-line scalars, escapes,
// tabs, CR line ends, duplicate keys, `<<`, odd indentation) returns BAIL and js-yaml parses the
// text instead, so the result is always what js-yaml gives. Plain scalars are resolved by the
// schema's own implicit types, in js-yaml's order, exactly as js-yaml's composeNode does.
import { load, type Schema } from "js-yaml";
import { quotedKey, quotedKeyEnd } from "./yaml-quoted-key.js";

/** Returned when the text uses anything outside the fast subset. */
export const BAIL: unique symbol = Symbol("bail");

interface ImplicitType {
  readonly tag: string;
  resolve(data: string): boolean;
  construct(data: string): unknown;
}

const KNOWN_TAGS = new Set(["null", "bool", "int", "float", "merge"].map((t) => `tag:yaml.org,2002:${t}`));
/** Nesting beyond this goes to js-yaml (which owns the depth-limit diagnostic). */
const MAX_DEPTH = 64;

class Bail extends Error {}

/** Anything but printable ASCII and "\n" (rare; then REFUSED decides). */
const ODD = /[^\n\x20-\x7e]/;
/**
 * Tabs and "\r" (outside the subset), and what js-yaml refuses as non-printable (its own
 * pattern): js-yaml reports those ("the stream contains non-printable characters"), so the fast
 * path must not answer for such a text.
 */
const REFUSED = /[\x00-\x09\x0b-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?:[^\ud800-\udbff]|^)[\udc00-\udfff]/;

/** Parses `text` with the subset parser, or returns BAIL. */
export function parseFastYaml(text: string, schema: Schema): unknown {
  if (ODD.test(text) && REFUSED.test(text)) return BAIL;
  const implicit = (schema as unknown as { compiledImplicit: ImplicitType[] }).compiledImplicit;
  // The first-character shortcut in scalar() is exact for these types only.
  if (!implicit.every((t) => KNOWN_TAGS.has(t.tag))) return BAIL;
  try {
    return new Parser(text, implicit, schema).document();
  } catch {
    return BAIL; // Bail, or anything unexpected: js-yaml parses (and reports) instead
  }
}

/** Code of characters that may start a plain scalar here (letters, digits and a few safe marks). */
function plainStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 47 || c === 126 || c === 36 || c === 40 || c === 43;
}

class Parser {
  // Per content line (blank and comment lines left out): where its content starts, where it ends
  // (before "\n") and its indentation. Typed arrays sized by a first count of line ends, not
  // arrays of 50,000+ entries grown by push (garbage the collector copies).
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly indents: Int32Array;
  private readonly lines: number; // content lines
  private i = 0; // current content line
  private readonly keys = new Map<string, string>(); // key text -> stored key (keys repeat a lot)

  constructor(
    private readonly t: string,
    private readonly implicit: ImplicitType[],
    private readonly schema: Schema,
  ) {
    let count = 1;
    for (let nl = t.indexOf("\n"); nl !== -1; nl = t.indexOf("\n", nl + 1)) count++;
    this.starts = new Int32Array(count);
    this.ends = new Int32Array(count);
    this.indents = new Int32Array(count);
    let n = 0;
    for (let pos = 0; pos <= t.length; ) {
      let end = t.indexOf("\n", pos);
      if (end === -1) end = t.length;
      let s = pos;
      while (s < end && t.charCodeAt(s) === 32) s++;
      if (s < end && t.charCodeAt(s) !== 35) {
        this.starts[n] = s;
        this.ends[n] = end;
        this.indents[n++] = s - pos;
      }
      pos = end + 1;
    }
    this.lines = n;
  }

  document(): unknown {
    if (this.lines === 0) throw new Bail();
    const first = this.t.charCodeAt(this.starts[0]);
    // Directives, document markers: js-yaml.
    if (first === 37 || this.t.startsWith("---", this.starts[0]) || this.t.startsWith("...", this.starts[0])) throw new Bail();
    if (this.indents[0] !== 0) throw new Bail();
    const v = this.block(0, 0);
    if (this.i < this.lines) throw new Bail();
    return v;
  }

  /** The block node whose first line is the current line, at indentation `indent`. */
  private block(indent: number, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new Bail();
    return this.isDash(this.i) ? this.sequence(indent, depth) : this.mapping(indent, this.starts[this.i], depth);
  }

  private isDash(line: number): boolean {
    const s = this.starts[line];
    const next = this.t.charCodeAt(s + 1);
    return this.t.charCodeAt(s) === 45 && (s + 1 === this.ends[line] || next === 32);
  }

  /** A block sequence whose dashes sit at column `indent`. */
  private sequence(indent: number, depth: number): unknown[] {
    const out: unknown[] = [];
    while (this.i < this.lines && this.indents[this.i] === indent && this.isDash(this.i)) {
      const line = this.i;
      let s = this.starts[line] + 1;
      const end = this.ends[line];
      while (s < end && this.t.charCodeAt(s) === 32) s++;
      if (s === end || this.t.charCodeAt(s) === 35) {
        // "-" alone: the item is the more indented block below, or null.
        this.i++;
        out.push(this.nestedOrNull(indent, depth));
        continue;
      }
      const col = s - (this.starts[line] - this.indents[line]);
      if (this.keyEnd(s, end) !== -1 || quotedKeyEnd(this.t, s, end) !== -1) out.push(this.mapping(col, s, depth + 1));
      else {
        out.push(this.inlineValue(s, end));
        this.i++;
        if (this.i < this.lines && this.indents[this.i] > indent) throw new Bail(); // continuation line
      }
    }
    return out;
  }

  /** A block mapping whose keys sit at column `indent`; its first key starts at offset `first`. */
  private mapping(indent: number, first: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let s = first;
    for (;;) {
      const end = this.ends[this.i];
      const c = this.t.charCodeAt(s);
      const quoted = c === 34 || c === 39;
      const colon = quoted ? quotedKeyEnd(this.t, s, end) : this.keyEnd(s, end);
      if (colon === -1) throw new Bail();
      const key = quoted ? quotedKey(this.t, s) : this.key(s, colon);
      if (quoted && (key === "__proto__" || key === "<<")) throw new Bail(); // plain ones bail in key()
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new Bail(); // duplicate: js-yaml reports it
      let v = colon + 1;
      while (v < end && this.t.charCodeAt(v) === 32) v++;
      this.i++;
      if (v === end || this.t.charCodeAt(v) === 35) out[key] = this.nestedOrNull(indent, depth, true);
      else {
        out[key] = this.inlineValue(v, end);
        if (this.i < this.lines && this.indents[this.i] > indent) throw new Bail();
      }
      if (this.i >= this.lines || this.indents[this.i] !== indent || this.isDash(this.i)) break;
      s = this.starts[this.i];
    }
    if (this.i < this.lines && this.indents[this.i] > indent) throw new Bail();
    return out;
  }

  /** After "key:" or "-" with nothing inline: a deeper block, a same-column sequence (map values only), or null. */
  private nestedOrNull(indent: number, depth: number, mapValue = false): unknown {
    if (this.i >= this.lines) return null;
    const next = this.indents[this.i];
    if (next > indent) return this.block(next, depth + 1);
    if (mapValue && next === indent && this.isDash(this.i)) return this.sequence(indent, depth + 1);
    return null;
  }

  /** Offset of the ":" ending a plain key on this line, or -1 when the line is not "key: ...". */
  private keyEnd(s: number, end: number): number {
    if (!plainStart(this.t.charCodeAt(s))) return -1;
    for (let k = s; k < end; k++) {
      const c = this.t.charCodeAt(k);
      if (c === 58) {
        const n = k + 1 === end ? 32 : this.t.charCodeAt(k + 1);
        if (n === 32) return k;
      } else if (c === 35 && this.t.charCodeAt(k - 1) === 32) return -1; // a comment before any ": "
      else if (c < 32 || c === 34 || c === 39 || c === 91 || c === 93 || c === 123 || c === 125 || c === 44) return -1;
    }
    return -1;
  }

  /** A key as js-yaml stores it: resolved like any plain scalar, then String(). */
  private key(s: number, colon: number): string {
    let e = colon;
    while (e > s && this.t.charCodeAt(e - 1) === 32) e--;
    const text = this.t.slice(s, e);
    const known = this.keys.get(text);
    if (known !== undefined) return known;
    const v = this.scalar(text);
    if (v !== null && typeof v === "object") throw new Bail();
    const k = String(v);
    if (k === "__proto__" || k === "<<") throw new Bail();
    this.keys.set(text, k);
    return k;
  }

  /** A value on the rest of the line: flow sequence, quoted or plain scalar. */
  private inlineValue(s: number, end: number): unknown {
    const c = this.t.charCodeAt(s);
    if (c === 91) return this.flowSequence(s, end);
    if (c === 123) return this.flowMapping(s, end);
    if (c === 34 || c === 39) return this.quoted(s, end, c);
    if (!plainStart(c) && !(c === 45 && s + 1 < end && this.t.charCodeAt(s + 1) !== 32)) throw new Bail();
    let e = end;
    for (let k = s; k < end; k++) {
      const ch = this.t.charCodeAt(k);
      if (ch === 35 && this.t.charCodeAt(k - 1) === 32) {
        e = k;
        break;
      }
      if (ch === 58 && (k + 1 === end || this.t.charCodeAt(k + 1) === 32)) throw new Bail(); // "a: b: c"
      if (ch < 32) throw new Bail();
    }
    while (e > s && this.t.charCodeAt(e - 1) === 32) e--;
    return this.scalar(this.t.slice(s, e));
  }

  /** "text" without escapes or 'text' without doubled quotes, then only a comment. */
  private quoted(s: number, end: number, q: number): string {
    const close = this.t.indexOf(q === 34 ? '"' : "'", s + 1);
    if (close === -1 || close >= end) throw new Bail();
    const body = this.t.slice(s + 1, close);
    if (q === 34 && body.includes("\\")) throw new Bail();
    for (let k = 0; k < body.length; k++) if (body.charCodeAt(k) < 32) throw new Bail();
    this.onlyComment(close + 1, end);
    return body;
  }

  /** [a, b, c] on one line, plain items only, then only a comment. */
  private flowSequence(s: number, end: number): unknown[] {
    const t = this.t;
    const close = t.indexOf("]", s);
    if (close === -1 || close >= end) throw new Bail();
    this.onlyComment(close + 1, end);
    let k = s + 1;
    while (k < close && t.charCodeAt(k) === 32) k++;
    if (k === close) return [];
    // Sized by the commas: these lists live as long as the compile, and a list grown by push
    // keeps room for 17 items.
    let items = 1;
    for (let c = t.indexOf(",", k); c !== -1 && c < close; c = t.indexOf(",", c + 1)) items++;
    const out: unknown[] = new Array(items);
    let j = 0;
    for (;;) {
      // One item: [k, e) up to the next "," or "]", spaces trimmed.
      const c0 = t.charCodeAt(k);
      const n0 = t.charCodeAt(k + 1);
      if (!plainStart(c0) && !(c0 === 45 && n0 !== 32 && n0 !== 44 && n0 !== 93)) throw new Bail();
      let e = k;
      for (; e < close; e++) {
        const c = t.charCodeAt(e);
        if (c === 44) break;
        if (c < 32 || c === 91 || c === 123 || c === 125 || c === 34 || c === 39 || c === 35) throw new Bail();
        // "a:b" is one plain scalar in flow context; "a: b" or a trailing ":" is a pair.
        if (c === 58 && (e + 1 === close || t.charCodeAt(e + 1) === 32 || t.charCodeAt(e + 1) === 44)) throw new Bail();
      }
      let r = e;
      while (t.charCodeAt(r - 1) === 32) r--;
      out[j++] = this.scalar(t.slice(k, r));
      if (e === close) return out;
      k = e + 1;
      while (k < close && t.charCodeAt(k) === 32) k++;
      if (k === close) throw new Bail(); // trailing comma: js-yaml decides
    }
  }

  /** {a: b, ...} on one line: js-yaml parses just that text (same result as in place). */
  private flowMapping(s: number, end: number): unknown {
    let depth = 0;
    let close = -1;
    for (let k = s; k < end && close === -1; k++) {
      const c = this.t.charCodeAt(k);
      if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (--depth === 0) close = k;
      } else if (c === 34 || c === 39 || c === 35) throw new Bail(); // quotes, comments: js-yaml
    }
    if (close === -1) throw new Bail();
    this.onlyComment(close + 1, end);
    let v: unknown;
    try {
      v = load(this.t.slice(s, close + 1), { schema: this.schema });
    } catch {
      throw new Bail(); // multi-line, duplicate key, alias...: js-yaml on the whole text says why
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Bail();
    return v;
  }

  private onlyComment(s: number, end: number): void {
    let k = s;
    while (k < end && this.t.charCodeAt(k) === 32) k++;
    if (k < end && !(this.t.charCodeAt(k) === 35 && k > s)) throw new Bail();
  }

  /** A plain scalar resolved by the schema's implicit types (null, bool, int, float, ...). */
  private scalar(text: string): unknown {
    const c = text.charCodeAt(0);
    // Core-schema types all start with one of "~nNtTfF-+.0-9<", and the ones starting with a
    // letter are null/bool words of at most 5 characters: anything else is a string.
    if (!(c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || c === 45 || c === 43 || c === 46 || (c >= 48 && c <= 57) || c === 60)) return text;
    if (c >= 65 && text.length > 5) return text;
    // After a leading ".", only a digit or .inf/.nan can make a float.
    if (c === 46 && text.length > 1) {
      const d = text.charCodeAt(1);
      if (!((d >= 48 && d <= 57) || d === 105 || d === 73 || d === 110 || d === 78)) return text;
    }
    if (text === "<<") throw new Bail();
    for (const type of this.implicit) if (type.resolve(text)) return type.construct(text);
    return text;
  }
}
