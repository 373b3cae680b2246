// Positions: locate (the CST narrowed to the innermost collection, which alone is composed) must give
// what the whole yaml Document gives, on every YAML file of the repository and on thousands of mutated
// documents; and it must answer a MB-sized pipeline quickly.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  parseDocument,
  type Node as YamlNode,
} from "yaml";
import { generateProject } from "../../bench/gen-pipeline.mjs";
import { loadedModules } from "../../bench/w1-help.mjs";
import { locate } from "../../compiler/locate.js";
import type { DocPath } from "../../compiler/types.js";
import { SCHEMA } from "../../compiler/yaml-schema.js";

const ROOT = join(__dirname, "..", "..");

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    if (f === "node_modules" || f === ".mlc" || f === "build") continue;
    const p = join(dir, f);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(f)) out.push(p);
  }
  return out;
}

let last: { text: string; doc: Document; lc: LineCounter } | null = null;
function wholeDocument(text: string): { doc: Document; lc: LineCounter } {
  if (last?.text !== text) {
    const lc = new LineCounter();
    last = { text, lc, doc: parseDocument(text, { lineCounter: lc, uniqueKeys: false, merge: true }) };
  }
  return last;
}

/** The reference: the whole Document, walked by its own API (nearest existing parent, keys, aliases). */
function reference(text: string, path: DocPath, key: boolean) {
  const { doc, lc } = wholeDocument(text);
  let node: unknown = doc.contents;
  let range = (node as YamlNode | null)?.range;
  for (let i = 0; i < path.length && node; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let keyRange: YamlNode["range"] | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path[i]));
      [next, keyRange] = [pair?.value, (pair?.key as YamlNode | undefined)?.range];
    } else if (isSeq(node) && typeof path[i] === "number") next = node.items[path[i] as number];
    if (next === undefined && !keyRange) break;
    if (i === path.length - 1 && key && keyRange) return pos(lc, keyRange);
    range = (next as YamlNode | null)?.range ?? keyRange ?? range;
    node = next;
  }
  return range ? pos(lc, range) : { line: 1, column: 1 };
}

function pos(lc: LineCounter, r: readonly number[]) {
  const [s, e] = [lc.linePos(r[0]), lc.linePos(r[1])];
  return { line: s.line, column: s.col, endLine: e.line, endColumn: e.col };
}

/** Every path in the data, plus a missing child of each (nearest-parent fallback). */
function paths(data: unknown, max: number): DocPath[] {
  const out: DocPath[] = [];
  const stack: [unknown, DocPath][] = [[data, []]];
  while (stack.length && out.length < max) {
    const [v, p] = stack.pop()!;
    out.push(p, [...p, "zz_missing"]);
    if (v && typeof v === "object")
      for (const [k, c] of Object.entries(v)) stack.push([c, [...p, Array.isArray(v) ? Number(k) : k]]);
  }
  return out;
}

/**
 * Mismatches between locate and the reference for one document: none when js-yaml refuses it, or
 * when the reference itself is in error recovery (js-yaml accepts a flow map continued below its
 * key's indent, where the Document's positions are then no longer the nodes').
 */
function compare(text: string, max = 3000): string[] {
  let data: unknown;
  try {
    data = load(text, { schema: SCHEMA });
  } catch {
    return [];
  }
  if (wholeDocument(text).doc.errors.length > 0) return [];
  const doc = { file: "f.yml", absPath: "/f.yml", text, data };
  const bad: string[] = [];
  for (const p of paths(data, max)) {
    for (const key of [false, true]) {
      const got = locate(doc, p, key);
      const want = reference(text, p, key);
      if (JSON.stringify(got) !== JSON.stringify(want))
        bad.push(`${JSON.stringify(p)} key=${key}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    }
  }
  return bad;
}

describe("locate", () => {
  it("agrees with the whole Document on every YAML file in fixtures, samples and templates", () => {
    const files = ["test/fixtures", "samples", "templates"].flatMap((d) => yamlFiles(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) expect(compare(readFileSync(f, "utf8")), f).toEqual([]);
  });

  it("agrees with the whole Document on hand-picked shapes: anchors, flow, comments, odd keys", () => {
    const texts = [
      "base: &b { k: 1, deep: [x, { y: 2 }] }\nuse: *b\nlist:\n  - *b\n  - &c\n    z: 3\n  - *c\n",
      "m:\n  # a comment\n  a: 1\n\n  # another\n  b:\n  c: ~\n  ? d\n  : 4\n",
      "True: 1\n1: a\n~: b\n0x10: c\n1e3: d\n'q': e\n\"w\": f\n",
      "s:\n- a\n-\n- - nested\n  - x\n- k: v\n  j: w\n",
      "_csv: &csv\n  type: csv\n  load_args: { sep: ',' }\nd: { <<: *csv, filepath: d.csv }\ne:\n  <<: *csv\n  type: json\n",
      "t: |\n  block\n  text\nu: >-\n  folded\nv: 'multi\n  line'\nw: [a,\n  b]\n",
      // Cut into single nodes: comments between and after them, block scalars, anchors used across nodes.
      "nodes:\n  # first\n  - name: a\n    doc: |\n      text\n\n  # second\n  - &n\n    name: b\n    tags: [x]\n  - *n\n  -\n  - name: c\n    in:\n    - p\n# trailing\npipelines: { x: 1 }\n",
      "nodes:\n- name: a\n  d: >\n    folded\n- 'q'\n- [1, 2]\n- {k: v}\nother:\n  - 1\n",
      "nodes:\n  - name: a\n    inputs: [x,\n      y]\n  - name: \"multi\n      line\"\n    k: 'it''s'\n",
    ];
    for (const t of texts) expect(compare(t), t).toEqual([]);
  });

  it("agrees with the whole Document on mutated documents (seeded fuzz)", () => {
    const seeds = ["test/fixtures/validate", "samples"]
      .flatMap((d) => yamlFiles(join(ROOT, d)))
      .map((f) => readFileSync(f, "utf8"));
    const bits = [
      "[",
      "]",
      "{",
      "}",
      ", ",
      "[a, b]",
      "{k: v}",
      '{"q": 1}',
      ": [x]",
      ":",
      ": ",
      "- ",
      "-",
      "#",
      " #x",
      "'",
      '"',
      "\n",
      " ",
      "  ",
      "\n  ",
      "\n- ",
      "'q'",
      '"q\\"x"',
      "1",
      "true",
      "k: v\n",
      "# c\n",
      "x:",
      "?",
      "~",
      "&a ",
      "*a",
      "|\n",
    ];
    let state = 20260;
    const rnd = (n: number) => (state = (state * 1103515245 + 12345) & 0x7fffffff) % n;
    for (let i = 0; i < 1500; i++) {
      let t = seeds[rnd(seeds.length)];
      for (let k = 0, m = 1 + rnd(3); k < m; k++) {
        const at = rnd(t.length + 1);
        t =
          rnd(2) === 0
            ? t.slice(0, at) + bits[rnd(bits.length)] + t.slice(at)
            : t.slice(0, at) + t.slice(at + 1 + rnd(3));
      }
      expect(compare(t, 300), t).toEqual([]);
    }
  });

  it("answers inside a node of a MB-sized pipeline without parsing it whole, and through an alias from one parse", () => {
    const lines = ["version: 1", "anchors:", "  io: &io [a, b]", "nodes:"];
    for (let i = 0; i < 10_000; i++) {
      lines.push(
        `  - name: n${i}`,
        "    func: ./src/n.ts#f",
        `    inputs: [d${i - 1}, "params:p.${i}"]`,
        `    outputs: { out: d${i} }`,
        "    tags: [a, b]  # comment",
      );
    }
    lines.push("last: *io");
    const text = lines.join("\n") + "\n";
    expect(text.length).toBeGreaterThan(1_000_000);
    const doc = { file: "big.yml", absPath: "/big.yml", text, data: load(text, { schema: SCHEMA }) };
    const cpu = process.cpuUsage();
    for (const i of [9999, 0, 1234]) {
      const inputs = lines[5 * i + 6];
      expect(locate(doc, ["nodes", i, "inputs", 1])).toEqual({
        line: 5 * i + 7,
        column: inputs.indexOf('"params') + 1,
        endLine: 5 * i + 7,
        endColumn: inputs.indexOf('"]') + 2,
      });
      expect(locate(doc, ["nodes", i, "outputs", "out"], true)).toMatchObject({ line: 5 * i + 8, column: 16 });
      expect(locate(doc, ["nodes", i, "tags", 1])).toEqual({
        line: 5 * i + 9,
        column: 15,
        endLine: 5 * i + 9,
        endColumn: 16,
      });
      expect(locate(doc, ["nodes", i, "retries"])).toMatchObject({ line: 5 * i + 5, column: 5 });
    }
    // Only the three nodes' lines are parsed: the whole CST alone costs more than half a second here.
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(400);
    expect(locate(doc, ["last", 1])).toMatchObject({ line: 3, column: 15 });
    for (const p of [["nodes", 5000, "outputs", "out"], ["nodes", 9999, "zz"], ["version"], ["nodes", 10]]) {
      expect(locate(doc, p)).toEqual(reference(text, p, false));
    }
  });

  it("dist/vendor/yaml.cjs is the installed yaml package: the same CST, line positions and documents", () => {
    const bundled = createRequire(import.meta.url)(join(ROOT, "dist", "vendor", "yaml.cjs")) as typeof import("yaml");
    const texts = yamlFiles(join(ROOT, "test", "fixtures")).map((f) => readFileSync(f, "utf8"));
    texts.push("a: &x { b: [1, 2], 'c''d': \"e\" } # c\nf: *x\ng: |\n  text\n? [k]\n: v\n", "a: [1\n", "- x\n y: 1\n");
    expect(texts.length).toBeGreaterThan(50);
    for (const text of texts) {
      expect([...new bundled.Parser().parse(text)]).toEqual([...new Parser().parse(text)]);
      const [lb, lp] = [new bundled.LineCounter(), new LineCounter()];
      const [b, p] = [bundled.parseDocument(text, { lineCounter: lb }), parseDocument(text, { lineCounter: lp })];
      expect(b.toJS()).toEqual(p.toJS());
      expect(b.errors.map((e) => [e.code, e.linePos])).toEqual(p.errors.map((e) => [e.code, e.linePos]));
      expect(lb.lineStarts).toEqual(lp.lineStarts);
    }
  });

  it("is loaded by the CLI only when a diagnostic needs a position (validate of a clean project never parses twice)", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlc-lazy-yaml-"));
    try {
      generateProject(dir, { nodes: 20 });
      const yamlFiles = () =>
        loadedModules(["validate", "--project", dir]).filter((m) =>
          /\/node_modules\/yaml\/|\/vendor\/yaml\.cjs$/.test(m),
        );
      expect(yamlFiles()).toEqual([]);
      appendFileSync(join(dir, "pipeline.yml"), "unknown_key: 1\n");
      // The built CLI loads the package as the one file scripts/build.mjs bundles, not its many files.
      expect(yamlFiles()).toEqual([join(ROOT, "dist", "vendor", "yaml.cjs")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
