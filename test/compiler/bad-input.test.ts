// Hostile input: each case must end in a coded diagnostic within seconds, never a crash, a hang
// or a stack trace. Files are generated into a temp folder (the 50 MB one is not committed).
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompileContext } from "../../compiler/diagnostics.js";
import { loadYaml } from "../../compiler/load.js";
import { locate } from "../../compiler/locate.js";
import { validateDocument } from "../../schema/validate.js";
import { mlcWith } from "../helpers/cli.js";

const ROOT = join(__dirname, "..", "..");
let dir: string;

function bomb(): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  return lines.join("\n") + "\n";
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mlc-bad-"));
  writeFileSync(join(dir, "bomb.yml"), bomb());
  writeFileSync(join(dir, "deep-map.yml"), "a: " + "{a: ".repeat(100_000) + "1" + "}".repeat(100_000) + "\n");
  writeFileSync(
    join(dir, "deep-block.yml"),
    Array.from({ length: 2000 }, (_, i) => " ".repeat(i) + `k${i}:`).join("\n") + " 1\n",
  );
  writeFileSync(join(dir, "utf8.yml"), Buffer.from([...Buffer.from("a: 1\nb: caf"), 0xc3, 0xa9, 0x20, 0xff, 0x0a]));
  writeFileSync(join(dir, "surrogate.yml"), Buffer.from([...Buffer.from("a: ok\nb: "), 0xed, 0xa0, 0x80, 0x0a]));
  writeFileSync(join(dir, "binary.yml"), Buffer.from([0x61, 0x3a, 0x20, 0x31, 0x0a, 0x00, 0x01, 0x02]));
  writeFileSync(join(dir, "empty.yml"), "");
  mkdirSync(join(dir, "folder.yml"));
  const fd = openSync(join(dir, "huge.yml"), "w");
  const chunk = Buffer.from(Array.from({ length: 10_000 }, (_, i) => `key_${i}: some value ${i}\n`).join(""));
  for (let written = 0; written < 50 * 1024 * 1024; written += chunk.length) writeSync(fd, chunk);
  closeSync(fd);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(file: string, schema: "pipeline" | "catalog" = "pipeline") {
  const ctx = new CompileContext(dir);
  const t0 = performance.now();
  const doc = loadYaml(join(dir, file), ctx);
  if (doc) validateDocument(doc, schema, ctx);
  const diags = ctx.finalize(locate);
  return { diags, ms: performance.now() - t0, doc };
}

describe("bad input", () => {
  const cases: [string, string, number, number, RegExp][] = [
    ["bomb.yml", "MLC1001", 2, 10, /alias expansion too large/],
    ["deep-map.yml", "MLC1001", 1, 397, /nesting too deep/],
    ["deep-block.yml", "MLC1001", 100, 100, /nesting too deep/],
    ["utf8.yml", "MLC1001", 2, 9, /invalid UTF-8/],
    ["surrogate.yml", "MLC1001", 2, 4, /invalid UTF-8 at byte offset 9/],
    ["binary.yml", "MLC1001", 2, 1, /binary/],
    ["empty.yml", "MLC2002", 1, 1, /missing required key/],
    ["folder.yml", "MLC1003", 1, 1, /directory/],
    ["huge.yml", "MLC1003", 1, 1, /too large/],
  ];
  for (const [file, code, line, column, message] of cases) {
    it(`${file}: ${code} at ${line}:${column} within seconds`, () => {
      const { diags, ms } = run(file);
      expect(diags).toHaveLength(1);
      expect(diags[0]).toMatchObject({ code, file, line, column });
      expect(diags[0].message).toMatch(message);
      expect(ms).toBeLessThan(5000);
    });
  }

  it("refuses a device or FIFO instead of blocking on it", () => {
    const ctx = new CompileContext("/");
    expect(loadYaml("/dev/zero", ctx)).toBeNull();
    expect(ctx.reports).toMatchObject([{ code: "MLC1003" }]);
  });

  it("accepts anchors used a normal number of times (Kedro style)", () => {
    writeFileSync(
      join(dir, "anchors.yml"),
      "_csv: &csv { type: csv, load_args: { sep: ',' } }\n" +
        Array.from({ length: 500 }, (_, i) => `d${i}: { <<: *csv, filepath: d${i}.csv }`).join("\n") +
        "\n",
    );
    expect(run("anchors.yml", "catalog").diags).toEqual([]);
  });

  it("the CLI prints a coded diagnostic, no stack trace, for a directory given as the pipeline file", () => {
    const r = mlcWith({ timeout: 20_000 }, ROOT, "validate", join(dir, "folder.yml"), "--format", "json");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    expect(out.diagnostics.map((d: { code: string }) => d.code)).toContain("MLC1003");
  });

  it("the CLI handles a binary pipeline.yml and an alias bomb in the catalog with exit 1", () => {
    const p = join(dir, "proj");
    mkdirSync(join(p, "conf", "base"), { recursive: true });
    writeFileSync(join(p, "pipeline.yml"), Buffer.from([0x00, 0xff, 0x10]));
    writeFileSync(join(p, "conf", "base", "catalog.yml"), bomb());
    const r = mlcWith({ timeout: 20_000 }, ROOT, "validate", "--project", p);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/pipeline\.yml:1:1 error MLC1001/);
    expect(r.stdout).toMatch(/conf\/base\/catalog\.yml:2:10 error MLC1001 alias expansion too large/);
  });
});
