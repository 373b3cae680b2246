// CSV edge cases as pandas handles them, through the catalog on real files, with our reader and
// with csv-parse (an option only csv-parse knows, `to_line`, takes that path): invalid bytes,
// duplicate column names, CR line ends, the BOM, and one huge quoted field.
import { describe, expect, it } from "vitest";
import { catalog, project, rejection } from "./helpers.js";

/** Both readers: ours (no extra option) and csv-parse (forced by an option only it knows). */
const ENGINES = [
  ["fast reader", {}],
  ["csv-parse", { to_line: 1_000_000 }],
] as const;

const load = (files: Record<string, string | Uint8Array>, loadArgs: Record<string, unknown> = {}) =>
  catalog(project(files), { d: { type: "csv", filepath: "d.csv", load_args: loadArgs } }).load("d");

describe.each(ENGINES)("invalid bytes (%s)", (_name, engine) => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

  it("an invalid UTF-8 byte is MLC6001 naming its offset, not a U+FFFD in the data", async () => {
    const err = await rejection(load({ "d.csv": bytes("a,b\n1,", [0xff], "x\n") }, engine));
    expect(err).toMatchObject({ code: "MLC6001", details: { dataset: "d" } });
    expect(err.message).toMatch(/d\.csv.*byte 0xff at offset 6 is not valid UTF-8.*encoding: latin1/);
  });

  it("the offset is exact past the first read chunk, across a chunk boundary and after a real U+FFFD", async () => {
    const pad = "x".repeat(65_535 - 4);
    // A 3-byte character cut short where the first 64 KB read ends: its first byte is at 65535.
    let err = await rejection(load({ "d.csv": bytes("a,b\n", pad, [0xe2, 0x82], ",z\n") }, engine));
    expect(err.message).toContain("at offset 65535 ");
    // U+FFFD spelled in the file (EF BF BD) is data; the bad byte after it is reported.
    err = await rejection(load({ "d.csv": bytes("a,b\n\ufffd,", "y".repeat(100_000), [0xc3, 0x28], "\n") }, engine));
    expect(err.message).toContain(`byte 0xc3 at offset ${4 + 3 + 1 + 100_000} `);
    // A sequence cut short by the end of the file.
    err = await rejection(load({ "d.csv": bytes("a\n1\n", [0xf0, 0x9f, 0x99]) }, engine));
    expect(err.message).toContain("byte 0xf0 at offset 4 ");
  });

  it("load_args.encoding reads the same bytes as that encoding; an unknown one is MLC6001", async () => {
    const file = { "d.csv": bytes("a,b\n1,", [0xff], "\n2,", [0x80], "\n") };
    expect(await load(file, { ...engine, encoding: "latin1" })).toEqual([
      { a: 1, b: "ÿ" },
      { a: 2, b: "\u0080" },
    ]);
    expect(await load(file, { ...engine, encoding: "windows-1252" })).toEqual([
      { a: 1, b: "ÿ" },
      { a: 2, b: "€" },
    ]);
    const sjis = await rejection(load(file, { ...engine, encoding: "shift_jis" }));
    expect(sjis).toMatchObject({ code: "MLC6001" });
    expect(sjis.message).toMatch(/not valid shift_jis/);
    const unknown = await rejection(load(file, { ...engine, encoding: "klingon" }));
    expect(unknown).toMatchObject({ code: "MLC6001" });
    expect(unknown.message).toContain('load_args.encoding "klingon" is not an encoding');
  });
});

describe.each(ENGINES)("column names (%s)", (_name, engine) => {
  it("duplicate names are kept apart as pandas does (a, a.1; a taken suffix is skipped)", async () => {
    const rows = (await load({ "d.csv": "a,a,b,a\n1,2,3,4\n" }, engine)) as Record<string, unknown>[];
    expect(rows).toStrictEqual([{ a: 1, "a.1": 2, b: 3, "a.2": 4 }]);
    // pandas 3.1: ["x", "x", "x.1"] -> ["x", "x.2", "x.1"]
    const taken = (await load({ "d.csv": "x,x,x.1\n1,2,3\n" }, engine)) as Record<string, unknown>[];
    expect(Object.keys(taken[0])).toEqual(["x", "x.2", "x.1"]);
  });

  it("load_args.columns naming a column twice is MLC6001", async () => {
    const err = await rejection(load({ "d.csv": "1,2\n" }, { ...engine, columns: ["a", "a"] }));
    expect(err).toMatchObject({ code: "MLC6001" });
    expect(err.message).toContain("load_args.columns names a column twice");
  });

  it("records ended by a lone CR (classic Mac) load as rows, not as one header line", async () => {
    expect(await load({ "d.csv": 'a,b\r1,"x\ny"\r3,4\r' }, engine)).toStrictEqual([
      { a: 1, b: "x\ny" },
      { a: 3, b: 4 },
    ]);
  });

  it("a BOM is stripped by default and kept with bom: false", async () => {
    const file = { "d.csv": "\ufeffa,b\n1,2\n" };
    expect(await load(file, engine)).toStrictEqual([{ a: 1, b: 2 }]);
    expect(await load(file, { ...engine, bom: false })).toStrictEqual([{ "\ufeffa": 1, b: 2 }]);
  });
});

describe("one huge quoted field", () => {
  it("loads in linear time: no slower than a normal file of the same size", async () => {
    const size = 8 * 1024 * 1024;
    const line = "1,hello world,2.5,abc\n";
    const normal = "a,b,c,d\n" + line.repeat(Math.ceil(size / line.length));
    // Quotes, delimiters and newlines inside the field, so every chunk holds what could end it.
    const piece = 'lorem ipsum, "quoted" dolor\nsit amet ';
    const field = piece.repeat(Math.ceil(size / piece.length));
    const huge = `a,b\n1,"${field.replaceAll('"', '""')}"\n`;
    const root = project({ "normal.csv": normal, "huge.csv": huge });
    const cat = catalog(root, { n: { type: "csv", filepath: "normal.csv" }, h: { type: "csv", filepath: "huge.csv" } });
    const timed = async (name: string) => {
      const t = performance.now();
      const rows = (await cat.load(name)) as unknown[];
      return { rows, ms: performance.now() - t };
    };
    const n = await timed("n");
    const h = await timed("h");
    expect(n.rows).toHaveLength(Math.ceil(size / line.length));
    expect(h.rows).toStrictEqual([{ a: 1, b: field }]);
    // Before the fix a record spanning many reads was re-parsed from its start on every read:
    // 8 MB took ~15x as long as the normal file (quadratic in the field's size).
    expect(h.ms / n.ms, `huge ${h.ms.toFixed(0)} ms, normal ${n.ms.toFixed(0)} ms`).toBeLessThan(3);
  });
});
