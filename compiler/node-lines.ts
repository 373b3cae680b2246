// 1-based lines of node definitions for graph.json, found without building a YAML AST: for the
// usual block style (`nodes:` then `- name: ...` items) one pass over the text lists where each
// item starts. Anything else (flow style, nested paths) falls back to the full locator.
import type { Locator } from "./diagnostics.js";
import type { DocPath, RawDocument, SourceRef } from "./types.js";

type ItemLines = Map<string, number[] | null>;

/** Finds lines of `[key, index]` paths quickly; caches one scan per document and key. */
export class NodeLines {
  private readonly cache = new Map<string, ItemLines>();
  constructor(
    private readonly docs: ReadonlyMap<string, RawDocument>,
    private readonly locate?: Locator,
  ) {}

  /** Line of the item at `ref` (1 when the file is unknown, e.g. hand-built inputs). */
  line(ref: SourceRef): number {
    const doc = this.docs.get(ref.file);
    if (!doc) return 1;
    const p = ref.path;
    if (p.length === 2 && typeof p[0] === "string" && typeof p[1] === "number") {
      const items = this.items(doc, p[0]);
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
    if (!perDoc.has(key)) perDoc.set(key, scanBlockSequence(doc.text, key));
    return perDoc.get(key)!;
  }
}

/** Start lines of the items of top-level `key:`'s block sequence, or null when not block style. */
export function scanBlockSequence(text: string, key: string): number[] | null {
  const lines = text.split(/\r\n|\r|\n/);
  const head = new RegExp(`^(${escapeRe(key)}|"${escapeRe(key)}"|'${escapeRe(key)}')\\s*:\\s*(#.*)?$`);
  let i = lines.findIndex((l) => head.test(l));
  if (i < 0) return null;
  const out: number[] = [];
  let indent = -1;
  for (i = i + 1; i < lines.length; i++) {
    const l = lines[i];
    const t = l.trimStart();
    if (t === "" || t.startsWith("#")) continue;
    const d = l.length - t.length;
    if (indent < 0) {
      if (!isItem(t)) return null;
      indent = d;
    }
    if (d < indent || (d === indent && !isItem(t))) break;
    if (d === indent) out.push(i + 1);
  }
  return out;
}

function isItem(t: string): boolean {
  return t === "-" || t.startsWith("- ");
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
