// loadYaml and locate: project-relative registration, syntax/duplicate/missing diagnostics with
// positions, plain-data parsing (no Date objects), merge keys, lazy positions.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CompileContext } from "../../compiler/diagnostics.js";
import { loadYaml } from "../../compiler/load.js";
import { locate } from "../../compiler/locate.js";

let root: string;
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
  return join(root, rel);
};
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "mlc-load-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("loadYaml", () => {
  it("parses, registers under the project-relative POSIX path and keeps values plain JSON", () => {
    const abs = write(
      "conf/base/parameters.yml",
      "when: 2024-01-02\nn: 1.5\nbase: &b { a: 1 }\nmerged: { <<: *b, c: 2 }\n",
    );
    const ctx = new CompileContext(root);
    const doc = loadYaml(abs, ctx)!;
    expect(doc.file).toBe("conf/base/parameters.yml");
    expect(ctx.docs.get("conf/base/parameters.yml")).toBe(doc);
    expect(doc.data).toEqual({ when: "2024-01-02", n: 1.5, base: { a: 1 }, merged: { a: 1, c: 2 } });
    expect(ctx.reports).toEqual([]);
  });

  it("reads YAML 1.2 core types: no yes/no booleans, no dates, keys as strings, __proto__ a plain key", () => {
    const scalars =
      "v: [null, ~, true, True, FALSE, yes, no, on, off, 1_000, 0o17, 0x1F, 012, .5, .inf, -.inf, .nan, 1e3, +1, -x]\n";
    const keys = "True: 1\n1: a\n~: b\n0x10: c\n1e3: d\nfalse: e\n'q': f\n";
    const strings =
      "d: 2024-01-02\nt: 2024-01-02T10:00:00Z\nc: 12:30\nq: \"double quoted: yes # not a comment\"\ns: 'single # too'  # comment\n";
    const ctx = new CompileContext(root);
    const v = [
      null,
      null,
      true,
      true,
      false,
      "yes",
      "no",
      "on",
      "off",
      "1_000",
      15,
      31,
      12,
      0.5,
      Infinity,
      -Infinity,
      NaN,
      1000,
      1,
      "-x",
    ];
    expect(loadYaml(write("a.yml", scalars), ctx)!.data).toEqual({ v });
    expect(loadYaml(write("b.yml", keys), ctx)!.data).toEqual({
      true: 1,
      1: "a",
      null: "b",
      16: "c",
      1000: "d",
      false: "e",
      q: "f",
    });
    const s = {
      d: "2024-01-02",
      t: "2024-01-02T10:00:00Z",
      c: "12:30",
      q: "double quoted: yes # not a comment",
      s: "single # too",
    };
    expect(loadYaml(write("c.yml", strings), ctx)!.data).toEqual(s);
    const proto = loadYaml(write("d.yml", "__proto__: { polluted: 1 }\n"), ctx)!.data as object;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(["__proto__"]);
    expect(ctx.reports).toEqual([]);
    expect(loadYaml(write("e.yml", "a: 1\nb: !!binary aGk=\n"), ctx)).toBeNull();
    expect(ctx.finalize(locate)).toMatchObject([{ code: "MLC1001", file: "e.yml", line: 2, message: /unknown tag/ }]);
  });

  it('places duplicate keys in flow maps, quoted keys and keys js-yaml equates (1 and "1"), not in flow sequences', () => {
    const abs = write(
      "p.yml",
      'm: {a: 1, b: 2, a: 3}\ns: [k: 1, k: 2]\nq:\n  1: x\n  "1": y\n  <<: {z: 1}\n  <<: {w: 2}\n',
    );
    const ctx = new CompileContext(root);
    expect(loadYaml(abs, ctx)!.data).toMatchObject({ m: { a: 3, b: 2 }, q: { 1: "y", z: 1, w: 2 } });
    expect(ctx.finalize(locate).map((d) => [d.code, d.line, d.column, d.endColumn, d.message])).toEqual([
      ["MLC1002", 1, 17, 18, 'duplicate key "a" (first defined on line 1)'],
      ["MLC1002", 5, 3, 6, 'duplicate key "1" (first defined on line 4)'],
    ]);
  });

  it("uses a path relative to the root even for a file outside it", () => {
    const other = mkdtempSync(join(tmpdir(), "mlc-other-"));
    try {
      writeFileSync(join(other, "catalog.yml"), "a: { type: memory }\n");
      const doc = loadYaml(join(other, "catalog.yml"), new CompileContext(root))!;
      expect(doc.file.startsWith("../")).toBe(true);
      expect(doc.file).not.toContain("\\");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("reports a syntax error with js-yaml's line and column (MLC1001) and returns null", () => {
    const abs = write("pipeline.yml", "nodes:\n  - name: a\n    func: [unclosed\n");
    const ctx = new CompileContext(root);
    expect(loadYaml(abs, ctx)).toBeNull();
    expect(ctx.finalize(locate)).toMatchObject([{ code: "MLC1001", file: "pipeline.yml", line: 4, column: 1 }]);
  });

  it("reports every duplicate key at its second occurrence (MLC1002) and still returns the data", () => {
    const abs = write("p.yml", "a: 1\nb:\n  x: 1\n  x: 2\na: 3\nlist:\n  - k: 1\n    k: 2\n");
    const ctx = new CompileContext(root);
    const doc = loadYaml(abs, ctx)!;
    expect(doc.data).toEqual({ a: 3, b: { x: 2 }, list: [{ k: 2 }] });
    expect(ctx.finalize(locate).map((d) => [d.code, d.line, d.column])).toEqual([
      ["MLC1002", 4, 3],
      ["MLC1002", 5, 1],
      ["MLC1002", 8, 5],
    ]);
  });

  it("returns null silently for an optional missing file, reports MLC1003 otherwise", () => {
    const ctx = new CompileContext(root);
    expect(loadYaml(join(root, "mlc.yml"), ctx, { optional: true })).toBeNull();
    expect(ctx.reports).toEqual([]);
    expect(loadYaml(join(root, "pipeline.yml"), ctx)).toBeNull();
    expect(ctx.finalize(locate)).toMatchObject([{ code: "MLC1003", file: "pipeline.yml", line: 1, column: 1 }]);
  });

  it("gives an empty file null data", () => {
    const ctx = new CompileContext(root);
    expect(loadYaml(write("e.yml", ""), ctx)!.data).toBeNull();
    expect(loadYaml(write("c.yml", "# only a comment\n"), ctx)!.data).toBeNull();
    expect(ctx.reports).toEqual([]);
  });
});

describe("locate", () => {
  const text = "version: 1\nnodes:\n  - name: a\n    func: f\n    inputs: [x, y]\n  - name: b\n    func:\n";
  const doc = { file: "p.yml", absPath: "/p.yml", text, data: null };

  it("finds values, keys and sequence items (1-based, with end)", () => {
    expect(locate(doc, ["nodes", 0, "inputs", 1])).toEqual({ line: 5, column: 17, endLine: 5, endColumn: 18 });
    expect(locate(doc, ["nodes", 0, "inputs"], true)).toMatchObject({ line: 5, column: 5, endColumn: 11 });
    expect(locate(doc, ["version"])).toMatchObject({ line: 1, column: 10 });
  });

  it("falls back to the nearest existing parent for a missing path", () => {
    expect(locate(doc, ["nodes", 1, "retries"])).toMatchObject({ line: 6, column: 5 });
    expect(locate(doc, ["nodes", 7, "x"])).toMatchObject({ line: 3, column: 3 });
    expect(locate(doc, ["nope"])).toMatchObject({ line: 1, column: 1 });
  });

  it("points at the key when the value is empty", () => {
    expect(locate(doc, ["nodes", 1, "func"])).toMatchObject({ line: 7 });
  });

  it("follows aliases and survives unparsable text", () => {
    const a = { file: "a.yml", absPath: "/a.yml", text: "base: &b { k: 1 }\nuse: *b\n", data: null };
    expect(locate(a, ["use", "k"])).toMatchObject({ line: 1, column: 15 });
    const bad = { file: "b.yml", absPath: "/b.yml", text: "[".repeat(50_000), data: null };
    expect(locate(bad, ["x"])).toMatchObject({ line: 1, column: 1 });
  });
});
