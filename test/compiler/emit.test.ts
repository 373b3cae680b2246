import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { emitJson, emitJsonTo, sortKeys } from "../../compiler/emit/json.js";
import { emitMermaid, mermaidLabel } from "../../compiler/emit/mermaid.js";
import type { GraphIR } from "../../compiler/types.js";
import { mlc } from "../helpers/cli.js";
import { cleanupFixtures, compileFixture } from "./fixtures.js";

afterAll(cleanupFixtures);

const REPO = join(import.meta.dirname, "../..");
const FIXTURES = join(REPO, "test/fixtures/compile");
const goldenGraphs = readdirSync(FIXTURES).filter((c) => existsSync(join(FIXTURES, c, "graph.json")));
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

describe("emitJson", () => {
  it("sortKeys sorts keys recursively and keeps array order", () => {
    expect(JSON.stringify(sortKeys({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }))).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });
  it("every object in graph.json has sorted keys, extra fields included; 2-space indent, trailing newline", () => {
    const graph = {
      irVersion: 1,
      name: "g",
      nodes: [
        {
          name: "n",
          baseName: "n",
          func: "f.ts#f",
          inputs: [],
          inputMode: "none",
          outputs: ["d"],
          outputMode: "single",
          tags: [],
          namespace: null,
          retries: 0,
          timeoutMs: null,
          source: { file: "p.yml", line: 3 },
          extra: { y: 1, x: 2 },
        },
      ],
      datasets: [
        {
          name: "d",
          type: "json",
          persistent: true,
          layer: null,
          filepath: "d.json",
          config: { type: "json", filepath: "d.json", load_args: { z: 1, a: 2 } },
          entry: "d",
        },
      ],
      params: [],
      edges: [],
      layers: [["n"]],
      pipelines: { __default__: ["n"] },
    } as unknown as GraphIR;
    const text = emitJson(graph);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")[1]).toBe('  "datasets": [');
    const check = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(check);
      if (v && typeof v === "object") {
        const keys = Object.keys(v);
        expect(keys).toEqual([...keys].sort());
        Object.values(v).forEach(check);
      }
    };
    check(JSON.parse(text));
    expect(JSON.parse(text).nodes[0].extra).toEqual({ x: 2, y: 1 });
    const withTop = emitJson({ ...graph, zeta: { b: 1, a: 2 } } as unknown as GraphIR);
    check(JSON.parse(withTop));
  });
  it("long record lists written in pieces give exactly one JSON.stringify of the whole document", () => {
    // More records than one piece holds (and not a multiple of it), hand-built so the key sort runs too.
    const n = 1000;
    const names = Array.from({ length: n }, (_, i) => `n${i}`);
    const graph = {
      name: "g",
      irVersion: 1,
      nodes: names.map((name, i) => ({
        name,
        outputs: [`d${i}`],
        inputs: i ? [`d${i - 1}`] : [],
        tags: ["b", "a"],
        source: { line: i + 1, file: "p.yml" },
      })),
      datasets: names.map((_, i) => ({ name: `d${i}`, type: "memory", config: { type: "memory" } })),
      edges: names.slice(1).map((to, i) => ({ to, from: names[i], dataset: `d${i}` })),
      layers: names.map((x) => [x]),
      params: [],
      pipelines: { __default__: names, 'b"q': [] },
    } as unknown as GraphIR;
    const pieces: string[] = [];
    emitJsonTo(graph, (text) => pieces.push(text));
    expect(pieces.length).toBeGreaterThan(10);
    expect(pieces.join("")).toBe(JSON.stringify(sortKeys(graph), null, 2) + "\n");
    expect(emitJson(graph)).toBe(pieces.join(""));
  });
  it("sortKeys handles deep nesting without recursion", () => {
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 50_000; i++) deep = (deep.x = {}) as Record<string, unknown>;
    expect(() => sortKeys(top)).not.toThrow();
  });
});

describe("graph.schema.json", () => {
  const schema = JSON.parse(readFileSync(join(REPO, "schema/graph.schema.json"), "utf8"));
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile(schema);
  it("has a description on every property", () => {
    const missing: string[] = [];
    const walk = (s: Record<string, unknown>, at: string) => {
      for (const [k, v] of Object.entries((s.properties as Record<string, Record<string, unknown>>) ?? {})) {
        if (!v.description) missing.push(`${at}/${k}`);
        walk(v, `${at}/${k}`);
      }
      for (const [k, v] of Object.entries((s.$defs as Record<string, Record<string, unknown>>) ?? {}))
        walk(v, `${at}/$defs/${k}`);
    };
    walk(schema, "");
    expect(missing).toEqual([]);
  });
  for (const c of goldenGraphs) {
    it(`validates golden ${c}/graph.json`, () => {
      const ok = validate(JSON.parse(readFileSync(join(FIXTURES, c, "graph.json"), "utf8")));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }
});

describe("emitMermaid", () => {
  it("labels never carry raw quotes, angle brackets or backticks", () => {
    const label = mermaidLabel('a"b<c>`d` end #x; 数据');
    expect(label).toBe('"a#34;b#60;c#62;#96;d#96; end #35;x#59; 数据"');
  });
  it("ids are generated, never user text", () => {
    const mmd = readFileSync(join(FIXTURES, "hostile-names/pipeline.mmd"), "utf8");
    for (const line of mmd.split("\n").slice(1)) {
      const t = line.trim();
      if (!t || t === "end" || t.startsWith("classDef")) continue;
      expect(t).toMatch(
        /^(subgraph s\d+\[".*"\]|[ndp]\d+(\[".*"\]|\(\[".*"\]\)|\[\(".*"\)\]|\{\{".*"\}\})?:::\w+|[dpn]\d+ (-->|-\.->) [dn]\d+)$/,
      );
    }
  });
});

describe("determinism", () => {
  it("compiling twice in different folders gives byte-identical output", async () => {
    const a = await compileFixture("basic");
    const b = await compileFixture("basic");
    expect(emitJson(a.project!.graph)).toBe(emitJson(b.project!.graph));
    expect(emitMermaid(a.project!.graph)).toBe(emitMermaid(b.project!.graph));
    expect(emitJson(a.project!.graph)).not.toContain(tmpdir());
  });
  it("the CLI writes the same bytes from another cwd, with --project", () => {
    if (!existsSync(join(REPO, "dist/cli/main.js")))
      throw new Error("dist/ is missing: run `npm run build` before the CLI tests");
    const dir = mkdtempSync(join(tmpdir(), "mlc-det-"));
    temps.push(dir);
    cpSync(join(FIXTURES, "basic"), dir, { recursive: true });
    const fromRoot = mlc(dir, "compile", "--stdout", "json");
    const fromElsewhere = mlc(tmpdir(), "compile", "--stdout", "json", "--project", dir);
    expect([fromRoot.code, fromElsewhere.code], fromRoot.stderr + fromElsewhere.stderr).toEqual([0, 0]);
    expect(fromElsewhere.stdout).toBe(fromRoot.stdout);
    expect(fromRoot.stdout).toBe(readFileSync(join(FIXTURES, "basic/graph.json"), "utf8"));
  });
});
