// A line scanner that finds positions in block-style YAML without building a YAML AST: the
// `yaml` package needs seconds for a MB-sized file, this needs milliseconds. It handles block maps,
// block sequences, single-line scalars, single-line flow collections and simple keys, and gives
// up (returns null, so the caller falls back to the full parser) on anything else: multi-line flow
// collections, anchors, aliases, tags, block or multi-line scalars, tabs, CR line ends, several
// documents, non-string-like keys, trailing comments it cannot attribute. test/compiler/locate-fast
// checks it against the parser on every fixture and on thousands of mutated documents.
import { closingQuote, give, GIVE_UP, lineIsSimple, NON_STRING, parseFlow, parseKey, type Coll, type Key, type Node, type Span } from "./locate-scan.js";
import type { DocPath } from "./types.js";

export type { Span };

/** Precomputed lines of one document and a cache of scanned collections. */
export class Scanner {
  private readonly lines: string[];
  private readonly starts: number[] = [];
  private readonly colls = new Map<string, Coll>();
  private readonly keys = new WeakMap<Coll, Map<string, number> | null>();
  private simple: boolean | undefined;

  constructor(private readonly text: string) {
    this.lines = text.split("\n");
    let off = 0;
    for (const l of this.lines) {
      this.starts.push(off);
      off += l.length + 1;
    }
  }

  /** Position of `path` (with `key`: of the last key) or null when this scanner cannot be sure. */
  locate(path: DocPath, key?: boolean): Span | null {
    this.simple ??= !this.text.includes("\r") && !this.text.includes("\t") && this.lines.every(lineIsSimple);
    if (!this.simple) return null;
    try {
      let cur = this.root();
      for (let i = 0; i < path.length; i++) {
        const next = this.child(cur, path[i]);
        if (!next) break;
        if (i === path.length - 1 && key && next.key) return this.keySpan(next.line, next.key);
        cur = next.node;
      }
      return this.span(cur);
    } catch (e) {
      if (e === GIVE_UP) return null;
      throw e;
    }
  }

  private indent(i: number): number {
    const l = this.lines[i];
    let n = 0;
    while (n < l.length && l.charCodeAt(n) === 32) n++;
    return n;
  }

  /** Content lines are neither blank nor comment-only. */
  private isContent(i: number): boolean {
    const l = this.lines[i];
    const n = this.indent(i);
    return n < l.length && l[n] !== "#";
  }

  private nextContent(i: number): number {
    for (let j = i + 1; j < this.lines.length; j++) if (this.isContent(j)) return j;
    return -1;
  }

  private rootNode: Node | undefined;

  private root(): Node {
    this.rootNode ??= this.findRoot();
    return this.rootNode;
  }

  private findRoot(): Node {
    const first = this.nextContent(-1);
    if (first < 0) throw GIVE_UP;
    const l = this.lines[first];
    if (l.startsWith("---") || l.startsWith("%") || /^\.\.\.(\s|$)/.test(l)) throw GIVE_UP;
    for (let j = first; j < this.lines.length; j++) if (/^(---|\.\.\.)(\s|$)/.test(this.lines[j])) throw GIVE_UP;
    const node = this.nodeAt(first, this.indent(first), -1);
    if (node.kind !== "map" && node.kind !== "seq") throw GIVE_UP;
    return node;
  }

  /** What starts at line i, column c. */
  private nodeAt(i: number, c: number, parentIndent: number): Node {
    const s = this.lines[i].slice(c);
    if (/^-( |$)/.test(s)) return { kind: "seq", line: i, col: c };
    if (parseKey(this.lines[i], c)) return { kind: "map", line: i, col: c };
    if (/:(\s|$)/.test(s)) throw GIVE_UP; // a key this scanner does not read
    if (c === this.indent(i)) {
      // A scalar on its own line continues on any following line indented beyond its parent.
      const j = this.nextContent(i);
      if (j >= 0 && this.indent(j) > parentIndent) throw GIVE_UP;
    }
    return this.scalarAt(i, c);
  }

  /** A single-line scalar at (i, c); anything fancier gives up. */
  private scalarAt(i: number, c: number): Node {
    const l = this.lines[i];
    const ch = l[c];
    if (ch === "[" || ch === "{") {
      const flow = parseFlow(l, i, c, 0);
      if (!/^\s*(#.*)?$/.test(l.slice(flow.end))) throw GIVE_UP;
      return flow;
    }
    if ("&*!|>%@`".includes(ch)) throw GIVE_UP;
    let end: number;
    if (ch === '"' || ch === "'") {
      end = closingQuote(l, c);
      if (end < 0 || !/^\s*(#.*)?$/.test(l.slice(end))) throw GIVE_UP;
    } else {
      const hash = l.slice(c).search(/\s#/);
      end = (hash < 0 ? l.length : c + hash);
      while (end > c && l[end - 1] === " ") end--;
    }
    return { kind: "scalar", line: i, col: c, end };
  }

  /** Entries (map) or items (seq) of the collection at node, scanned once. */
  private coll(node: { kind: "map" | "seq"; line: number; col: number }): Coll {
    const id = `${node.line}:${node.col}`;
    const hit = this.colls.get(id);
    if (hit) return hit;
    const c = node.col;
    const entries: { line: number; key?: Key }[] = [];
    let last = node.line;
    for (let j = node.line; j < this.lines.length; j++) {
      if (j !== node.line && !this.isContent(j)) continue;
      const ind = j === node.line ? c : this.indent(j);
      if (ind < c) break;
      if (ind === c) {
        const isItem = /^-( |$)/.test(this.lines[j].slice(c));
        if (node.kind === "seq") {
          if (!isItem) break;
          entries.push({ line: j });
        } else if (!isItem) {
          const key = parseKey(this.lines[j], c);
          if (!key) throw GIVE_UP;
          entries.push({ line: j, key });
        } else if (entries.length === 0) throw GIVE_UP; // a compact sequence belongs to the previous key
      }
      last = j;
    }
    const out = { entries, last };
    this.colls.set(id, out);
    return out;
  }

  private child(cur: Node, seg: string | number): { node: Node; line: number; key?: Key } | null {
    if (cur.kind === "map") {
      const coll = this.coll(cur);
      const at = this.keyIndex(coll).get(String(seg));
      if (at === undefined) return null;
      if (at < 0) return give(); // a duplicate key: the parser decides which one counts
      const e = coll.entries[at];
      return { node: this.entryValue(e.line, e.key!, cur.col), line: e.line, key: e.key };
    }
    if (cur.kind === "flow") {
      if (!cur.isMap) return typeof seg === "number" && cur.items[seg] ? { node: cur.items[seg].node, line: cur.line } : null;
      const found = cur.items.filter((it) => it.key!.value === String(seg));
      if (found.length > 1) throw GIVE_UP;
      return found.length ? { node: found[0].node, line: cur.line, key: found[0].key } : null;
    }
    if (cur.kind === "seq" && typeof seg === "number") {
      const e = this.coll(cur).entries[seg];
      if (!e) return null;
      const l = this.lines[e.line];
      let c = cur.col + 1;
      while (c < l.length && l[c] === " ") c++;
      if (c >= l.length || l[c] === "#") throw GIVE_UP;
      const node = this.nodeAt(e.line, c, cur.col);
      if (node.kind === "scalar") this.noContinuation(e.line, cur.col);
      return { node, line: e.line };
    }
    return null;
  }

  /**
   * key -> entry index (-1: duplicated) of a map, built once: a lookup per key would make N
   * diagnostics in an N-key map quadratic (10k unused parameters took 10 s).
   */
  private keyIndex(coll: Coll): Map<string, number> {
    let idx = this.keys.get(coll);
    if (idx === undefined) {
      idx = new Map();
      for (let i = 0; i < coll.entries.length && idx; i++) {
        const k = coll.entries[i].key!;
        // `1: x` or `true: x` are not string keys for the parser: do not guess how they compare.
        if (!k.quoted && NON_STRING.test(k.value)) idx = null;
        else idx.set(k.value, idx.has(k.value) ? -1 : i);
      }
      this.keys.set(coll, idx);
    }
    if (!idx) throw GIVE_UP;
    return idx;
  }

  /** The value of a map entry whose key is at column c. */
  private entryValue(i: number, key: Key, c: number): Node {
    const l = this.lines[i];
    let v = key.colon + 1;
    while (v < l.length && l[v] === " ") v++;
    if (v < l.length && !(l[v] === "#" && v > key.colon + 1)) {
      const node = this.scalarAt(i, v);
      this.noContinuation(i, c);
      return node;
    }
    const j = this.nextContent(i);
    if (j >= 0) {
      const ind = this.indent(j);
      if (ind > c || (ind === c && /^-( |$)/.test(this.lines[j].slice(c)))) return this.nodeAt(j, ind, c);
    }
    if (v < l.length) throw GIVE_UP; // `key: # comment` then nothing: let the parser decide
    return { kind: "null", line: i, col: key.colon + 1 };
  }

  /** A plain scalar continued on more-indented lines is multi-line: give up. */
  private noContinuation(i: number, c: number): void {
    const j = this.nextContent(i);
    if (j >= 0 && this.indent(j) > c) throw GIVE_UP;
  }

  /**
   * When a collection's last line is `key:` with no value, the parser ends the collection at that
   * empty value (after the colon) rather than at the next line: the column, else null.
   */
  private trailingNull(i: number): number | null {
    const l = this.lines[i];
    let c = this.indent(i);
    while (/^-( |$)/.test(l.slice(c))) {
      c++;
      while (l[c] === " ") c++;
    }
    if (c >= l.length) throw GIVE_UP; // a bare "-": null item
    const key = parseKey(l, c);
    if (!key) {
      if (/:(\s|$)/.test(l.slice(c))) throw GIVE_UP; // a key this scanner does not read
      return null;
    }
    const rest = l.slice(key.colon + 1).trim();
    if (rest.startsWith("#")) throw GIVE_UP;
    return rest === "" ? key.colon + 1 : null;
  }

  private keySpan(line: number, k: Key): Span {
    return { line: line + 1, column: k.start + 1, endLine: line + 1, endColumn: k.end + 1 };
  }

  private span(n: Node): Span {
    if (n.kind === "scalar" || n.kind === "flow") return { line: n.line + 1, column: n.col + 1, endLine: n.line + 1, endColumn: n.end + 1 };
    if (n.kind === "null") return { line: n.line + 1, column: n.col + 1, endLine: n.line + 1, endColumn: n.col + 1 };
    const { last } = this.coll(n);
    // The parser may count trailing comment lines into the collection: leave those to it.
    for (let j = last + 1; j < this.lines.length && !this.isContent(j); j++) {
      if (this.lines[j].trim() !== "" && this.indent(j) >= n.col) throw GIVE_UP;
    }
    const nullAt = this.trailingNull(last);
    const end =
      nullAt !== null ? { line: last + 1, column: nullAt + 1 } : last + 1 < this.lines.length ? { line: last + 2, column: 1 } : { line: last + 1, column: this.lines[last].length + 1 };
    return { line: n.line + 1, column: n.col + 1, endLine: end.line, endColumn: end.column };
  }
}
