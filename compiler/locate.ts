// Positions, from the `yaml` package, only when a diagnostic needs a line:col (values come from js-yaml
// in load.ts: several times faster on the big generated pipelines). yaml's Parser gives a document's
// CST once; a path is followed through its block collections, and only the innermost collection
// holding the target is composed into yaml nodes, whose ranges are the answer. Composing the whole
// Document would cost as much again as the CST on a MB-sized pipeline. A path through an alias is
// answered from the whole Document, which knows the anchors. A path into an item of a top-level
// block sequence (a pipeline's `nodes`) is first answered from that item's lines alone (found by
// node-lines.ts), parsed and composed by `yaml`: a MB-sized pipeline is then never parsed whole.
import { createRequire } from "node:module";
import type { CST, Document, LineCounter, Node as YamlNode, Pair, YAMLMap } from "yaml";
import type { Locator } from "./diagnostics.js";
import { itemLines } from "./node-lines.js";
import type { DocPath, RawDocument } from "./types.js";
import { plainKey } from "./yaml-schema.js";

type YamlModule = typeof import("yaml");
const require = createRequire(import.meta.url);
let yamlModule: YamlModule | null = null;
/**
 * The `yaml` package, loaded by the first diagnostic that needs a position (a clean `validate` never
 * loads it): built into dist/vendor/yaml.cjs (one file, see scripts/build.mjs), else, when mlc runs
 * from its sources, the installed package.
 */
export function yamlPackage(): YamlModule {
  return (yamlModule ??= bundledOr("../vendor/yaml.cjs", "yaml") as YamlModule);
}

function bundledOr(bundle: string, pkg: string): unknown {
  try {
    return require(bundle);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw err;
    return require(pkg);
  }
}

interface Parsed {
  readonly cst: CST.Document | null;
  readonly lc: LineCounter;
}
const cache = new WeakMap<RawDocument, Parsed>();
const lineCounters = new WeakMap<RawDocument, LineCounter>();

/** The line starts of the document's text. */
function lineCounter(doc: RawDocument): LineCounter {
  let lc = lineCounters.get(doc);
  if (lc) return lc;
  lineCounters.set(doc, (lc = new (yamlPackage().LineCounter)()));
  lc.addNewLine(0);
  for (let i = doc.text.indexOf("\n"); i !== -1; i = doc.text.indexOf("\n", i + 1)) lc.addNewLine(i + 1);
  return lc;
}

/** The CST of the document's (single) YAML document and its line starts, parsed once per document. */
export function parsedCst(doc: RawDocument): Parsed {
  let p = cache.get(doc);
  if (p) return p;
  const cst = parse(doc.text)?.find((t): t is CST.Document => t.type === "document") ?? null;
  cache.set(doc, (p = { cst, lc: lineCounter(doc) }));
  return p;
}

/** yaml's CST tokens of `text`, or null when the parser fails (the diagnostic is then placed at 1:1). */
function parse(text: string): CST.Token[] | null {
  try {
    return [...new (yamlPackage().Parser)().parse(text)];
  } catch {
    return null;
  }
}

export interface Located {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}
const START: Located = { line: 1, column: 1 };

/**
 * 1-based position of `path` in `doc`: the value, or with `key` the key of the last segment.
 * A path that does not exist points at the nearest existing parent (e.g. the map missing a key).
 */
export const locate: Locator = (doc: RawDocument, path: DocPath, key?: boolean): Located => {
  const [first, second] = path;
  const item = typeof first === "string" && typeof second === "number" ? itemDocument(doc, first, second) : null;
  const inItem = item ? walk(item.doc, [0, ...path.slice(2)], key) : null;
  if (item && inItem && inItem !== ALIAS)
    return toPos(
      lineCounter(doc),
      inItem.map((o) => o + item.base),
    );
  const p = parsedCst(doc);
  if (!p.cst?.value) return START;
  let tok: CST.Token = p.cst.value;
  let depth = 0;
  for (; depth < path.length && !(key && depth === path.length - 1); depth++) {
    const child = childOf(tok, path[depth]);
    if (!child || !isCollection(child)) break;
    tok = child;
  }
  const part = walk(compose(p.cst, tok), path.slice(depth), key);
  if (part !== ALIAS) return part ? toPos(p.lc, part) : START;
  const whole = walk(compose(p.cst, p.cst.value), path, key);
  return whole && whole !== ALIAS ? toPos(p.lc, whole) : START;
};

interface ItemDocument {
  readonly doc: Document;
  /** Offset of the item's first line in the whole text (the item document's ranges start at 0). */
  readonly base: number;
}
const itemDocs = new WeakMap<RawDocument, Map<string, ItemDocument | null>>();

/** Item `i` of top-level `key:`'s block sequence, composed from its own lines as a one-item sequence. */
function itemDocument(doc: RawDocument, key: string, i: number): ItemDocument | null {
  let perDoc = itemDocs.get(doc);
  if (!perDoc) itemDocs.set(doc, (perDoc = new Map()));
  const id = `${key}\0${i}`;
  if (!perDoc.has(id)) perDoc.set(id, composeItem(doc, key, i));
  return perDoc.get(id)!;
}

function composeItem(doc: RawDocument, key: string, i: number): ItemDocument | null {
  const lines = doc.text.includes("\r") ? null : itemLines(doc, key);
  if (!lines || i >= lines.starts.length) return null;
  const starts = lineCounter(doc).lineStarts;
  const offset = (line: number) => (line - 1 < starts.length ? starts[line - 1] : doc.text.length);
  const base = offset(lines.starts[i]);
  const tokens = parse(doc.text.slice(base, offset(i + 1 < lines.starts.length ? lines.starts[i + 1] : lines.end)));
  const docs = tokens?.filter((t): t is CST.Document => t.type === "document") ?? [];
  const seq = docs.length === 1 && tokens!.every((t) => t.type !== "error") ? docs[0].value : undefined;
  if (seq?.type !== "block-seq" || seqChildren(seq).length !== 1) return null;
  const composed = compose(docs[0], seq);
  // Text the item's lines do not parse alone (a cut it did not expect): the whole document decides.
  return composed && composed.errors.length === 0 ? { doc: composed, base } : null;
}

function isCollection(t: CST.Token): t is CST.BlockMap | CST.BlockSequence | CST.FlowCollection {
  return t.type === "block-map" || t.type === "block-seq" || t.type === "flow-collection";
}

const has = (tokens: readonly CST.SourceToken[] | undefined, type: CST.SourceToken["type"]) =>
  !!tokens?.some((t) => t.type === type);
const SPACE = new Set(["comment", "newline", "space"]);

type Children = Map<string, CST.Token | undefined> | (CST.Token | undefined)[];
const children = new WeakMap<CST.Token, Children>();

/**
 * The value token of `seg` in a block collection, or undefined when it is missing, empty, or comes
 * after anything but plain `key: value` pairs or `- item`s (then the composer decides).
 */
function childOf(tok: CST.Token, seg: string | number): CST.Token | undefined {
  if (tok.type !== "block-map" && tok.type !== "block-seq") return undefined;
  let index = children.get(tok);
  if (!index) children.set(tok, (index = tok.type === "block-map" ? mapChildren(tok) : seqChildren(tok)));
  if (Array.isArray(index)) return typeof seg === "number" ? index[seg] : undefined;
  return index.get(String(seg));
}

/** Item values of a block sequence, up to the first item that is not a plain `- item`. */
function seqChildren(tok: CST.BlockSequence): (CST.Token | undefined)[] {
  const out: (CST.Token | undefined)[] = [];
  for (const item of tok.items) {
    if (has(item.start, "seq-item-ind")) out.push(item.value);
    else if (item.value || has(item.start, "anchor") || has(item.start, "tag")) break;
  }
  return out;
}

/** key -> value of a block map (the first of repeated keys), up to the first item that is not a plain pair. */
function mapChildren(tok: CST.BlockMap): Map<string, CST.Token | undefined> {
  const out = new Map<string, CST.Token | undefined>();
  for (const item of tok.items) {
    if (!item.sep && !item.key && item.start.every((t) => SPACE.has(t.type))) continue;
    if (!item.key || !has(item.sep, "map-value-ind")) break;
    if (has(item.start, "tag") || has(item.start, "explicit-key-ind")) break;
    const k = keyText(item.key);
    if (k === undefined) break;
    if (!out.has(k)) out.set(k, item.value);
  }
  return out;
}

const SCALAR_KEYS = new Set(["scalar", "single-quoted-scalar", "double-quoted-scalar"]);

/** A scalar key as js-yaml stores it, or undefined for keys that are not scalars. */
export function keyText(key: CST.Token): string | undefined {
  if (!SCALAR_KEYS.has(key.type)) return undefined;
  const r = yamlPackage().CST.resolveAsScalar(key, true, () => {});
  if (!r) return undefined;
  return key.type === "scalar" ? plainKey(r.value) : r.value;
}

const composed = new WeakMap<CST.Token, Document | null>();

/** `tok` composed alone as a Document (once): its nodes carry the same ranges as in the whole document. */
function compose(cst: CST.Document, tok: CST.Token): Document | null {
  if (!composed.has(tok)) composed.set(tok, composeNow(cst, tok));
  return composed.get(tok)!;
}

function composeNow(cst: CST.Document, tok: CST.Token): Document | null {
  const y = yamlPackage();
  const alone: CST.Document = { type: "document", offset: tok.offset, start: [], value: tok };
  const wrapped = tok === cst.value ? cst : alone;
  const composer = new y.Composer({ uniqueKeys: false, merge: true, prettyErrors: false });
  try {
    for (const d of composer.compose([wrapped])) return d;
  } catch {
    // e.g. nesting beyond the composer's stack
  }
  return null;
}

const ALIAS = Symbol("alias");
type Range = readonly number[];

/** Range of `path` in a composed document (nearest existing parent), or ALIAS when the path goes through one. */
function walk(doc: Document | null, path: DocPath, key?: boolean): Range | typeof ALIAS | null {
  if (!doc?.contents) return null;
  const y = yamlPackage();
  let node: unknown = doc.contents;
  let range: Range | null | undefined = (node as YamlNode).range;
  for (let i = 0; i < path.length; i++) {
    if (y.isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) return ALIAS;
      node = target;
    }
    const seg = path[i];
    let next: unknown;
    let keyRange: Range | null | undefined;
    if (y.isMap(node)) {
      const pair = pairsOf(y, node).get(String(seg));
      if (pair) {
        next = pair.value;
        keyRange = (pair.key as YamlNode | null)?.range;
      }
    } else if (y.isSeq(node) && typeof seg === "number") {
      next = node.items[seg];
    }
    if (next === undefined && keyRange === undefined) break;
    if (i === path.length - 1 && key && keyRange) return keyRange;
    node = next;
    const r = (next as YamlNode | null)?.range ?? keyRange;
    if (r) range = r;
    if (next === null || next === undefined) break; // `key:` with no value: stay at the key
  }
  return range ?? null;
}

const pairIndex = new WeakMap<object, Map<string, Pair>>();

/** key -> first pair of a map, built once per map (a linear find per diagnostic is quadratic). */
function pairsOf(y: YamlModule, node: YAMLMap): Map<string, Pair> {
  let idx = pairIndex.get(node);
  if (idx) return idx;
  idx = new Map();
  for (const it of node.items) {
    const k = y.isScalar(it.key) ? String(it.key.value) : undefined;
    if (k !== undefined && !idx.has(k)) idx.set(k, it);
  }
  pairIndex.set(node, idx);
  return idx;
}

function toPos(lc: LineCounter, range: Range): Located {
  const start = lc.linePos(range[0]);
  const end = lc.linePos(range[1] ?? range[0]);
  return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}
