// The subset YAML parser (compiler/yaml-fast.ts) must give exactly js-yaml's result or BAIL:
// hand-picked corner cases, every YAML file in the repository, and seeded random mutations.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import * as jsyaml from "js-yaml";
import { CORE_SCHEMA, load, type Type } from "js-yaml";
import { describe, expect, it } from "vitest";
import { BAIL, parseFastYaml } from "../../compiler/yaml-fast.js";

const SCHEMA = CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: Type } }).types.merge] });
const REPO = resolve(import.meta.dirname, "..", "..");

/** Fast result, js-yaml result; asserts they agree whenever the fast parser answers. */
function agree(text: string): unknown {
  const fast = parseFastYaml(text, SCHEMA);
  if (fast === BAIL) return BAIL;
  let ref: unknown;
  expect(() => (ref = load(text, { schema: SCHEMA })), text).not.toThrow();
  expect(fast, text).toStrictEqual(ref);
  return fast;
}

const ANSWERED = [
  "a: 1\nb: x\n",
  "True: 1\n1: a\n~: b\n0x10: c\n1e3: d\nfalse: e\n",
  "v: [null, ~, true, True, FALSE, 1_000, 0o17, 0x1F, .5, .inf, -.inf, .nan, 1e3, +1, -x, ./a, nodes, t1_features]\n",
  "a: null\nb: ~\nc: true\nd: -12\ne: 3.25\nf: .NaN\ng: ./src/x.ts#f\nh: params:model.lr\ni: http://x/y\n",
  'q: "double quoted: yes # not a comment"\ns: \'single # too\'  # comment\n',
  "e: []\nf: [a]\ng: [a, b , c]\nh: [params:a.b, 1, 2.5, true, null]\n",
  "m: {a: 1, b: [x, y]}\nn: { tags: [features] }\n",
  "# top comment\na:   # comment\n  # inner comment\n  b: 1 # trailing\n\n\nc:\n",
  "nodes:\n- name: a\n  inputs:\n  - x\n  - y\n  outputs: z\n- name: b\n",
  "nodes:\n  - name: a\n    tags: [t]\n  -\n    name: b\n  - # comment\n  - plain item\n  -\n",
  "- a\n- b: 1\n  c: 2\n-   d: 3\n    e: 4\n",
  "key  : spaced\nk2: trailing spaces   \n",
  "a: b,c\nb: x:y\nc: 'it s'\nd: \"\"\ne: ''\n",
  '"quoted key": 1\n"{name}_data":\n  type: csv\n  filepath: "data/{name}.csv"\n\'single: k\' : [a]\n"1": "true"\n"a" :\n',
  'nodes:\n  - "quoted first": 1\n    b: 2\n  - \'#not a comment\': x\n',
  "name: café – ✓ 𝄞\nk: [ab, cü]\n",
  "deep:\n" + Array.from({ length: 30 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`).join("\n") + " leaf\n",
];

const BAILS = [
  "a: 1\na: 2\n", // duplicate key: js-yaml reports it
  "a: multi\n  line\n",
  "a: |\n  block\n",
  "a: &x 1\nb: *x\n",
  "a: !!str 1\n",
  "a:\tb\n",
  "a: 1\r\nb: 2\r\n",
  "---\na: 1\n",
  "%YAML 1.2\n---\na: 1\n",
  "a: b: c\n",
  "<<: {a: 1}\n",
  "__proto__: 1\n",
  "a: 1\n\"esc\\\\aped\": 2\n",
  "a: b\x7fc\n", // js-yaml refuses non-printable characters: it reports them
  "a: \u0090\n",
  "'it''s': 1\n",
  '"__proto__": 1\n',
  "a: [b,\n  c]\n",
  "a: [b, ]\n",
  "a: \"esc\\n\"\n",
  "- - a\n",
  "a: - b\n",
  "? complex\n: value\n",
  "",
  "just a scalar\n",
  "deep:\n" + Array.from({ length: 80 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`).join("\n") + " leaf\n",
];

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    if (f === "node_modules" || f.startsWith(".") || f === "dist") continue;
    const p = join(dir, f);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(f)) out.push(p);
  }
  return out;
}

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("parseFastYaml", () => {
  it("answers the plain subset exactly as js-yaml", () => {
    for (const text of ANSWERED) expect(agree(text), text).not.toBe(BAIL);
  });

  it("leaves everything else to js-yaml", () => {
    for (const text of BAILS) expect(parseFastYaml(text, SCHEMA), JSON.stringify(text)).toBe(BAIL);
  });

  it("agrees with js-yaml on every YAML file in the repository", () => {
    const files = yamlFiles(REPO);
    expect(files.length).toBeGreaterThan(10);
    let answered = 0;
    for (const f of files) if (agree(readFileSync(f, "utf8")) !== BAIL) answered++;
    expect(answered).toBeGreaterThan(files.length / 2);
  });

  it("agrees with js-yaml on 3,000 seeded random mutations of a pipeline", () => {
    const base = [
      "version: 1",
      "name: demo # c",
      "nodes:",
      "  - name: step_1",
      "    func: ./src/nodes.ts#prepare",
      "    inputs: [ds_0, params:model.lr, 12]",
      "    outputs: ds_1",
      "    tags: [a, b]",
      "  - name: step_2",
      "    inputs:",
      "    - ds_1",
      "    outputs: {x: ds_2}",
      "    retries: 2",
      "pipelines:",
      "  features: { tags: [features] }",
      "",
    ].join("\n");
    const other = [
      "# header",
      "a:",
      "- x: 1",
      "  y: 'q'",
      "-",
      "  z: \"d\" # c",
      "- [p, -1, .5]",
      "b:",
      "  c:   # note",
      "    - ~",
      "    - {k: v}",
      "  d: e:f",
      "",
    ].join("\n");
    const alphabet = [" ", "  ", ":", "-", "#", "[", "]", "{", "}", ",", '"', "'", "\n", "a", "1", ".", "~", "&", "*", "!", "|", "?", "\t", "\\"];
    const rand = rng(42);
    let answered = 0;
    for (let n = 0; n < 3000; n++) {
      let text = n % 2 ? base : other;
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * text.length);
        const r = rand();
        if (r < 0.4) text = text.slice(0, at) + text.slice(at + 1);
        else text = text.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + text.slice(r < 0.7 ? at : at + 1);
      }
      if (agree(text) !== BAIL) answered++;
    }
    expect(answered).toBeGreaterThan(300); // the mutations still exercise the fast path
  });
});
