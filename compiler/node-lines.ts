// 1-based lines of node definitions for graph.json (and where locate.ts cuts one node's text out),
// found without building a YAML AST: the `yaml` package's CST of a 10,000-node pipeline costs more
// than the rest of `validate`. For the usual block style (`nodes:` then `- name: ...` items) one
// pass over the text lists where each item starts, and the count must match what js-yaml parsed.
// Anything else (flow style, nested paths, a multi-line scalar that fooled the scan) falls back to
// the locator. test/compiler/node-lines checks the scan against the CST.
import type { Locator } from "./diagnostics.js";
import { isMap } from "./plain-data.js";
import type { DocPath, RawDocument, SourceRef } from "./types.js";

type ItemLines = Map<string, number[] | null>;

/** Finds lines of `[key, index]` paths quickly; caches one scan per document and key. */
export class NodeLines {
  private readonly cache = new Map<string, ItemLines>();
  constructor(
    private readonly docs: ReadonlyMap<string, RawDocument>,
    private readonly locate?: Locator,
  ) {}

  // Nodes come in long runs from one file and key: remember the last lookup.
  private last: { file: string; key: string; items: number[] | null } | null = null;

  /** Line of the item at `ref` (1 when the file is unknown, e.g. hand-built inputs). */
  line(ref: SourceRef): number {
    const p = ref.path;
    const last = this.last;
    if (
      last &&
      last.file === ref.file &&
      p.length === 2 &&
      p[0] === last.key &&
      typeof p[1] === "number" &&
      last.items &&
      p[1] < last.items.length
    ) {
      return last.items[p[1]];
    }
    const doc = this.docs.get(ref.file);
    if (!doc) return 1;
    if (p.length === 2 && typeof p[0] === "string" && typeof p[1] === "number") {
      const items = this.items(doc, p[0]);
      this.last = { file: ref.file, key: p[0], items };
      if (items && p[1] < items.length) return items[p[1]];
    }
    return this.fallback(doc, p);
  }

  private fallback(doc: RawDocument, p: DocPath): number {
    if (!this.locate) return 1;
    try {
      return this.locate(doc, p).line;
    } catch {
      return 1;
    }
  }

  private items(doc: RawDocument, key: string): number[] | null {
    let perDoc = this.cache.get(doc.file);
    if (!perDoc) this.cache.set(doc.file, (perDoc = new Map()));
    if (!perDoc.has(key)) perDoc.set(key, itemLines(doc, key)?.starts ?? null);
    return perDoc.get(key)!;
  }
}

/** Start lines of the items of top-level `key:`'s sequence, when the scan found as many as js-yaml did. */
export function itemLines(doc: RawDocument, key: string): SequenceLines | null {
  const items = isMap(doc.data) ? doc.data[key] : undefined;
  const lines = Array.isArray(items) ? scanBlockSequence(doc.text, key) : null;
  return lines && lines.starts.length === (items as unknown[]).length ? lines : null;
}

/** Where a block sequence's items start, and the first line after it (1-based; past the end at EOF). */
export interface SequenceLines {
  readonly starts: number[];
  readonly end: number;
}

/** Start lines of the items of top-level `key:`'s block sequence, or null when not block style. */
export function scanBlockSequence(text: string, key: string): SequenceLines | null {
  const head = new RegExp(`^(${escapeRe(key)}|"${escapeRe(key)}"|'${escapeRe(key)}')[ \t]*:[ \t]*(#.*)?$`, "m");
  const m = head.exec(text);
  if (!m) return null;
  // One pass over the rest by character codes: no per-line strings for a 1 MB file.
  let line = lineOf(text, m.index);
  let pos = m.index + m[0].length;
  const out: number[] = [];
  const cr = text.includes("\r");
  let indent = -1;
  while (pos < text.length) {
    const eol = nextEol(text, pos, cr);
    pos = eol + (text.charCodeAt(eol) === 13 && text.charCodeAt(eol + 1) === 10 ? 2 : 1);
    line++;
    if (pos >= text.length) return { starts: out, end: line };
    let i = pos;
    while (text.charCodeAt(i) === 32) i++;
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 35 || i >= text.length) continue; // blank or comment
    const d = i - pos;
    const item = c === 45 && (i + 1 >= text.length || [10, 13, 32].includes(text.charCodeAt(i + 1))); // "-" then space/eol
    if (indent < 0) {
      if (!item) return null;
      indent = d;
    }
    if (d < indent || (d === indent && !item)) return { starts: out, end: line };
    if (d === indent) out.push(line);
  }
  return { starts: out, end: line + 1 };
}

/** Offset of the next line end at or after `from`; `cr` says whether the text has any "\r" at all. */
function nextEol(text: string, from: number, cr: boolean): number {
  if (!cr) {
    // The usual case: native indexOf instead of a character loop over a 1 MB file.
    const n = text.indexOf("\n", from);
    return n < 0 ? text.length : n;
  }
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return text.length;
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
