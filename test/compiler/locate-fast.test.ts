// The line scanner must agree with the full YAML parser wherever it answers: on every YAML file of
// the repository's fixtures, samples and templates, and on thousands of mutated documents.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CORE_SCHEMA, load, type Type } from "js-yaml";
import * as jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { Scanner } from "../../compiler/locate-fast.js";
import { FAST_LOCATE_BYTES, locate, locateParsed } from "../../compiler/locate.js";
import type { DocPath } from "../../compiler/types.js";

const ROOT = join(__dirname, "..", "..");
const SCHEMA = CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: Type } }).types.merge] });

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    if (f === "node_modules" || f === ".mlc" || f === "build") continue;
    const p = join(dir, f);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(f)) out.push(p);
  }
  return out;
}

/** Every path in the data, plus a missing child of each (nearest-parent fallback). */
function paths(data: unknown, max: number): DocPath[] {
  const out: DocPath[] = [];
  const stack: [unknown, DocPath][] = [[data, []]];
  while (stack.length && out.length < max) {
    const [v, p] = stack.pop()!;
    out.push(p, [...p, "zz_missing"]);
    if (v && typeof v === "object") for (const [k, c] of Object.entries(v)) stack.push([c, [...p, Array.isArray(v) ? Number(k) : k]]);
  }
  return out;
}

/** [answered, total, mismatches] for one document. */
function compare(text: string, max = 3000): [number, number, string[]] {
  let data: unknown;
  try {
    data = load(text, { schema: SCHEMA });
  } catch {
    return [0, 0, []];
  }
  const doc = { file: "f.yml", absPath: "/f.yml", text, data };
  const scanner = new Scanner(text);
  let answered = 0;
  let total = 0;
  const bad: string[] = [];
  for (const p of paths(data, max)) {
    for (const key of [false, true]) {
      total++;
      const fast = scanner.locate(p, key);
      if (!fast) continue;
      answered++;
      const slow = locateParsed(doc, p, key);
      if (JSON.stringify(fast) !== JSON.stringify(slow)) bad.push(`${JSON.stringify(p)} key=${key}: ${JSON.stringify(fast)} != ${JSON.stringify(slow)}`);
    }
  }
  return [answered, total, bad];
}

describe("locate-fast", () => {
  it("agrees with the parser on every YAML file in fixtures, samples and templates, and answers almost always", () => {
    const files = ["test/fixtures", "samples", "templates"].flatMap((d) => yamlFiles(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(20);
    let answered = 0;
    let total = 0;
    for (const f of files) {
      const [a, t, bad] = compare(readFileSync(f, "utf8"));
      expect(bad, f).toEqual([]);
      answered += a;
      total += t;
    }
    expect(answered / total).toBeGreaterThan(0.9);
  });

  it("agrees with the parser on mutated documents (seeded fuzz)", () => {
    const seeds = ["test/fixtures/validate", "samples"].flatMap((d) => yamlFiles(join(ROOT, d))).map((f) => readFileSync(f, "utf8"));
    const bits = ["[", "]", "{", "}", ", ", "[a, b]", "{k: v}", '{"q": 1}', ": [x]", ":", ": ", "- ", "-", "#", " #x", "'", '"', "\n", " ", "  ", "\n  ", "\n- ", "'q'", '"q\\"x"', "1", "true", "k: v\n", "# c\n", "x:", "?", "~"];
    let state = 20260;
    const rnd = (n: number) => (state = (state * 1103515245 + 12345) & 0x7fffffff) % n;
    let answered = 0;
    let total = 0;
    for (let i = 0; i < 1500; i++) {
      let t = seeds[rnd(seeds.length)];
      for (let k = 0, m = 1 + rnd(3); k < m; k++) {
        const at = rnd(t.length + 1);
        t = rnd(2) === 0 ? t.slice(0, at) + bits[rnd(bits.length)] + t.slice(at) : t.slice(0, at) + t.slice(at + 1 + rnd(3));
      }
      const [a, n, bad] = compare(t, 300);
      expect(bad, t).toEqual([]);
      answered += a;
      total += n;
    }
    // The scanner must still answer most questions on broken text (not just bail), whatever the corpus.
    expect(answered / total, `answered ${answered} of ${total}`).toBeGreaterThan(0.5);
  });

  it("answers for a MB-sized generated pipeline without the full parser", () => {
    const lines = ["version: 1", "nodes:"];
    for (let i = 0; i < 10_000; i++) {
      lines.push(`  - name: n${i}`, "    func: ./src/n.ts#f", `    inputs: [d${i - 1}, "params:p.${i}"]`, `    outputs: { out: d${i} }`, "    tags: [a, b]  # comment");
    }
    const text = lines.join("\n") + "\n";
    expect(text.length).toBeGreaterThan(FAST_LOCATE_BYTES);
    const scanner = new Scanner(text);
    const doc = { file: "big.yml", absPath: "/big.yml", text, data: null };
    for (const i of [0, 1234, 9999]) {
      const inputs = lines[5 * i + 4];
      expect(scanner.locate(["nodes", i, "inputs", 1])).toEqual({ line: 5 * i + 5, column: inputs.indexOf('"params') + 1, endLine: 5 * i + 5, endColumn: inputs.indexOf('"]') + 2 });
      expect(scanner.locate(["nodes", i, "outputs", "out"], true)).toMatchObject({ line: 5 * i + 6, column: 16 });
      expect(locate(doc, ["nodes", i, "tags", 1])).toEqual({ line: 5 * i + 7, column: 15, endLine: 5 * i + 7, endColumn: 16 });
    }
  });
});
