// Positions for what load.ts refuses or warns about (duplicate keys, alias bombs), found in the
// document's CST from the `yaml` package (locate.ts): js-yaml names the problem but not every place.
import type { CST } from "yaml";
import { keyText, parsedCst } from "./locate.js";
import type { RawDocument } from "./types.js";

export interface DuplicateKey {
  readonly key: string;
  readonly line: number;
  readonly column: number;
  readonly length: number;
  readonly firstLine: number;
}

type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

/** Every collection token of the document, without recursion (nesting may be deep). */
function* collections(root: CST.Token | undefined): Generator<Collection> {
  const stack: (CST.Token | null | undefined)[] = [root];
  while (stack.length > 0) {
    const tok = stack.pop();
    if (!tok || !("items" in tok)) continue;
    yield tok;
    for (let i = tok.items.length - 1; i >= 0; i--) stack.push(tok.items[i].value, tok.items[i].key);
  }
}

/** Every repeated key of every map (at its second and later occurrences), in document order. */
export function duplicateKeys(doc: RawDocument): DuplicateKey[] {
  const { cst, lc } = parsedCst(doc);
  const out: DuplicateKey[] = [];
  for (const coll of collections(cst?.value)) {
    if (coll.type === "block-seq" || (coll.type === "flow-collection" && coll.start.source !== "{")) continue;
    const seen = new Map<string, number>();
    for (const { key } of coll.items) {
      const k = key ? keyText(key) : undefined;
      // `<<` merges may repeat: js-yaml merges them all.
      if (!key || k === undefined || (k === "<<" && key.type === "scalar")) continue;
      const first = seen.get(k);
      if (first === undefined) {
        seen.set(k, key.offset);
        continue;
      }
      const p = lc.linePos(key.offset);
      const length = "source" in key ? key.source.length : 1;
      out.push({ key: k, line: p.line, column: p.col, length, firstLine: lc.linePos(first).line });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Position of the first alias (`*name`) of the document, for the alias-bomb diagnostic. */
export function firstAlias(doc: RawDocument): { line: number; column: number } {
  const { cst, lc } = parsedCst(doc);
  let first = Infinity;
  for (const coll of collections(cst?.value)) {
    for (const { key, value } of coll.items) {
      for (const t of [key, value]) if (t?.type === "alias" && t.offset < first) first = t.offset;
    }
  }
  if (first === Infinity) return { line: 1, column: 1 };
  const p = lc.linePos(first);
  return { line: p.line, column: p.col };
}
