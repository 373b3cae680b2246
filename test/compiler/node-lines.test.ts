// The node-line scanner (graph.json's `source.line` for 10,000 nodes without a YAML parse) must
// give the line of each item's `-` exactly as the `yaml` package's CST does, wherever it answers:
// hand-picked layouts, every YAML file of the repository, and seeded random mutations.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { LineCounter, Parser, type CST } from "yaml";
import { locate } from "../../compiler/locate.js";
import { itemLines, NodeLines, scanBlockSequence } from "../../compiler/node-lines.js";
import { SCHEMA } from "../../compiler/yaml-schema.js";

const ROOT = join(__dirname, "..", "..");

/** Lines of the `-` of every item of top-level `key:`'s block sequence, from the CST (null when not one). */
function reference(text: string, key: string): number[] | null {
  const lc = new LineCounter();
  const docs = [...new Parser(lc.addNewLine).parse(text)].filter((t): t is CST.Document => t.type === "document");
  const map = docs[0]?.value;
  if (docs.length !== 1 || map?.type !== "block-map") return null;
  const item = map.items.find(
    (i) => i.key && "source" in i.key && i.key.source.replace(/^(["'])(.*)\1$/, "$2") === key,
  );
  if (item?.value?.type !== "block-seq") return null;
  return item.value.items.flatMap((i) =>
    i.start.filter((t) => t.type === "seq-item-ind").map((t) => lc.linePos(t.offset).line),
  );
}

function agree(text: string, key = "nodes"): boolean {
  let data: unknown;
  try {
    data = load(text, { schema: SCHEMA });
  } catch {
    return false; // not YAML: nothing is compiled from it
  }
  const got = itemLines({ file: "p.yml", absPath: "/p.yml", text, data }, key)?.starts ?? null;
  if (got === null) return false;
  expect(got, text).toEqual(reference(text, key));
  return true;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    if (f === "node_modules" || f === ".mlc" || f === "build") continue;
    const p = join(dir, f);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(f)) out.push(p);
  }
  return out;
}

describe("scanBlockSequence", () => {
  it("finds item start lines of a top-level block sequence", () => {
    const text =
      "version: 1\n# c\nnodes:  # the nodes\n  - name: a\n    func: x\n\n  # comment\n  -   name: b\n  - \n    name: c\npipelines: {}\n";
    expect(scanBlockSequence(text, "nodes")).toEqual({ starts: [4, 8, 9], end: 11 });
    expect(agree(text)).toBe(true);
  });
  it("handles items at column 0, CRLF, and stops at the next key", () => {
    const text = "nodes:\r\n- name: a\r\n  x: 1\r\n- name: b\r\nother: 1\r\n";
    expect(scanBlockSequence(text + "- not: this\r\n", "nodes")).toEqual({ starts: [2, 4], end: 5 });
    expect(scanBlockSequence("nodes:\n- a\n- b", "nodes")).toEqual({ starts: [2, 3], end: 4 });
    expect(agree(text)).toBe(true);
  });
  it("leaves a sequence to the locator when a multi-line scalar looks like an item", () => {
    // Out of spec (the continuation is not indented), but js-yaml reads two nodes.
    const text = 'nodes:\n  - name: "a\n  - b"\n  - name: c\n';
    expect(scanBlockSequence(text, "nodes")?.starts).toEqual([2, 3, 4]); // fooled
    const doc = { file: "p.yml", absPath: "/p.yml", text, data: load(text, { schema: SCHEMA }) };
    expect(itemLines(doc, "nodes")).toBeNull();
    const lines = new NodeLines(new Map([["p.yml", doc]]), locate);
    for (const i of [0, 1])
      expect(lines.line({ file: "p.yml", path: ["nodes", i] })).toBe(locate(doc, ["nodes", i]).line);
  });

  it("returns null for flow style or a missing key", () => {
    expect(scanBlockSequence("nodes: [{name: a}]\n", "nodes")).toBeNull();
    expect(scanBlockSequence("stuff: 1\n", "nodes")).toBeNull();
    expect(scanBlockSequence("nodes:\n  name: x\n", "nodes")).toBeNull();
  });

  it("agrees with the CST on every pipeline of the repository", () => {
    const files = ["test/fixtures", "samples", "templates"].flatMap((d) => yamlFiles(join(ROOT, d)));
    const answered = files.filter((f) => agree(readFileSync(f, "utf8")));
    expect(answered.length).toBeGreaterThan(10);
  });

  it("agrees with the CST on mutated pipelines (seeded fuzz)", () => {
    const seeds = ["test/fixtures/compile", "samples"]
      .flatMap((d) => yamlFiles(join(ROOT, d)))
      .map((f) => readFileSync(f, "utf8"))
      .filter((t) => /^nodes:\s*$/m.test(t));
    expect(seeds.length).toBeGreaterThan(3);
    const bits = [
      "- ",
      "-",
      "\n- ",
      "\n  - ",
      "\n-\n",
      "  ",
      "\n",
      "#",
      " # c",
      "|\n",
      "|\n  - x\n",
      ">\n",
      "[",
      "]\n",
      "'",
      '"',
      "\n  ",
      "nodes:\n",
      "k: v\n",
      "---\n",
      ' "a\n  - b"',
      " 'a\n\n  - b'",
      " [a,\n  - b]",
    ];
    let state = 14;
    const rnd = (n: number) => (state = (state * 1103515245 + 12345) & 0x7fffffff) % n;
    let answered = 0;
    for (let i = 0; i < 2000; i++) {
      let t = seeds[rnd(seeds.length)];
      for (let k = 0, m = 1 + rnd(3); k < m; k++) {
        const at = rnd(t.length + 1);
        t =
          rnd(2) === 0
            ? t.slice(0, at) + bits[rnd(bits.length)] + t.slice(at)
            : t.slice(0, at) + t.slice(at + 1 + rnd(3));
      }
      if (agree(t)) answered++;
    }
    expect(answered).toBeGreaterThan(200);
  });
});
