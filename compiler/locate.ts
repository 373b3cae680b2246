// Lazy positions: a document is parsed a second time, with the `yaml` package (which keeps source
// ranges), only when a diagnostic in it needs a line:col. Cached per document.
import { createRequire } from "node:module";
import type { Locator } from "./diagnostics.js";
import { Scanner } from "./locate-fast.js";
import type { DocPath, RawDocument } from "./types.js";

type YamlModule = typeof import("yaml");
type Parsed = { doc: import("yaml").Document.Parsed; lc: import("yaml").LineCounter } | null;

const require = createRequire(import.meta.url);
let yamlModule: YamlModule | null = null;
const cache = new WeakMap<RawDocument, Parsed>();
const scanners = new WeakMap<RawDocument, Scanner>();
/**
 * Above this size a document is first tried with the line scanner (milliseconds where the `yaml`
 * parser needs seconds); it answers only when sure, else the parser does. Tests check both agree.
 */
export const FAST_LOCATE_BYTES = 64 * 1024;

function parsed(doc: RawDocument): Parsed {
  if (cache.has(doc)) return cache.get(doc)!;
  let out: Parsed = null;
  try {
    yamlModule ??= require("yaml") as YamlModule;
    const lc = new yamlModule.LineCounter();
    const d = yamlModule.parseDocument(doc.text, { lineCounter: lc, uniqueKeys: false, merge: true });
    out = { doc: d, lc };
  } catch {
    out = null; // e.g. nesting beyond the parser's stack: fall back to 1:1
  }
  cache.set(doc, out);
  return out;
}

interface Located {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/**
 * 1-based position of `path` in `doc`: the value, or with `key` the key of the last segment.
 * A path that does not exist points at the nearest existing parent (e.g. the map missing a key).
 */
export const locate: Locator = (doc: RawDocument, path: DocPath, key?: boolean): Located => {
  if (doc.text.length > FAST_LOCATE_BYTES) {
    let s = scanners.get(doc);
    if (!s) scanners.set(doc, (s = new Scanner(doc.text)));
    const fast = s.locate(path, key);
    if (fast) return fast;
  }
  return locateParsed(doc, path, key);
};

/** The exact locator: walks the `yaml` package's Document (parsed once per document). */
export function locateParsed(doc: RawDocument, path: DocPath, key?: boolean): Located {
  const p = parsed(doc);
  if (!p || !p.doc.contents) return { line: 1, column: 1 };
  const y = yamlModule!;
  let node: unknown = p.doc.contents;
  let range: readonly number[] | undefined = (node as { range?: number[] }).range;
  for (let i = 0; i < path.length; i++) {
    if (y.isAlias(node)) node = node.resolve(p.doc);
    const seg = path[i];
    let next: unknown;
    let keyRange: readonly number[] | undefined;
    if (y.isMap(node)) {
      const pair = pairsOf(y, node).get(String(seg));
      if (pair) {
        next = pair.value;
        keyRange = (pair.key as { range?: number[] } | null)?.range;
      }
    } else if (y.isSeq(node) && typeof seg === "number") {
      next = node.items[seg];
    }
    if (next === undefined && keyRange === undefined) break;
    const last = i === path.length - 1;
    if (last && key && keyRange) return toPos(p.lc, keyRange);
    node = next;
    const r = (next as { range?: number[] } | null)?.range ?? keyRange;
    if (r) range = r;
    if (next === null || next === undefined) break; // `key:` with no value: stay at the key
  }
  return range ? toPos(p.lc, range) : { line: 1, column: 1 };
}

type Pair = import("yaml").Pair<unknown, unknown>;
const pairIndex = new WeakMap<object, Map<string, Pair>>();

/** key -> first pair of a map, built once per map (a linear find per diagnostic is quadratic). */
function pairsOf(y: YamlModule, node: import("yaml").YAMLMap<unknown, unknown>): Map<string, Pair> {
  let idx = pairIndex.get(node);
  if (idx) return idx;
  idx = new Map();
  for (const it of node.items) {
    const k = keyOf(y, it.key);
    if (k !== undefined && !idx.has(k)) idx.set(k, it);
  }
  pairIndex.set(node, idx);
  return idx;
}

function keyOf(y: YamlModule, k: unknown): string | undefined {
  if (y.isScalar(k)) return String(k.value);
  if (typeof k === "string" || typeof k === "number") return String(k);
  return undefined;
}

function toPos(lc: import("yaml").LineCounter, range: readonly number[]): Located {
  const start = lc.linePos(range[0]);
  const end = lc.linePos(range[1] ?? range[0]);
  return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}
