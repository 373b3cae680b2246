// The fast CSV reader agrees with csv-parse on random RFC 4180 text split at random chunk sizes,
// and the fast writer's output parses back to the same values.
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { FastCsvReader } from "../../catalog/datasets/csv-fast.js";
import { csvLines } from "../../catalog/datasets/csv-write.js";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ["a", "b", "é", "1", " ", ",", '"', "\n", "\r\n", "x".repeat(20), "ü🙂"];

function randomTable(rand: () => number, rows: number, cols: number): string[][] {
  const out: string[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < cols; c++) {
      let v = "";
      const n = Math.floor(rand() * 6);
      for (let k = 0; k < n; k++) v += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      row.push(v);
    }
    // csv-parse and we both skip records that are entirely empty
    if (row.every((v) => v === "")) row[0] = "z";
    out.push(row);
  }
  return out;
}

function readInChunks(text: string, sizes: () => number): string[][] {
  const out: unknown[] = [];
  const r = new FastCsvReader(
    {
      delimiter: ",",
      quote: '"',
      columns: false,
      cast: null,
      skipEmptyLines: true,
      relaxColumnCount: false,
      bom: true,
    },
    out,
  );
  for (let i = 0; i < text.length;) {
    const n = Math.max(1, sizes());
    r.push(text.slice(i, i + n));
    i += n;
  }
  r.end();
  return out as string[][];
}

describe("fast CSV reader", () => {
  for (let seed = 1; seed <= 25; seed++) {
    it(`agrees with csv-parse on random table #${seed}`, () => {
      const rand = rng(seed);
      const table = randomTable(rand, 1 + Math.floor(rand() * 40), 1 + Math.floor(rand() * 5));
      const eol = seed % 2 ? "\n" : "\r\n";
      const text = [
        ...csvLines(table, null, { delimiter: ",", quote: '"', header: false, quoted: seed % 5 === 0, eol }),
      ].join("");
      const expected = parse(text, { relax_column_count: false, skip_empty_lines: true }) as string[][];
      expect(expected).toEqual(table);
      expect(readInChunks(text, () => Math.floor(rand() * 12))).toEqual(table);
      expect(readInChunks(text, () => 1 << 16)).toEqual(table);
    });
  }

  it("rows become objects with one shared shape; odd column names are safe", () => {
    const out: unknown[] = [];
    const r = new FastCsvReader(
      {
        delimiter: ",",
        quote: '"',
        columns: true,
        cast: null,
        skipEmptyLines: true,
        relaxColumnCount: false,
        bom: true,
      },
      out,
    );
    r.push('__proto__,"a""b",constructor\n1,2,3\n');
    r.end();
    const row = out[0] as Record<string, unknown>;
    expect(Object.keys(row)).toEqual(["__proto__", 'a"b', "constructor"]);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(row['a"b']).toBe("2");
  });
});
