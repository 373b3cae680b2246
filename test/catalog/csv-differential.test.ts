// Our CSV reader against csv-parse, the library it stands in for, on every load_arg the reader
// accepts (delimiter, quote, header, columns, cast, skip_empty_lines, relax_column_count, bom,
// encoding): random files, random option sets, whole-file reads and random chunk splits. Both
// must give the same rows, or both must refuse the file.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fastOptions, readFast, readWithCsvParse } from "../../catalog/datasets/csv.js";
import { FastCsvReader, LoneCrRecords } from "../../catalog/datasets/csv-fast.js";
import { project } from "./helpers.js";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const maybe = <T>(rand: () => number, xs: readonly T[]): T | undefined => (rand() < 0.3 ? undefined : pick(rand, xs));

/** A random option set over everything the fast reader accepts (undefined: not given). */
function randomOptions(rand: () => number): Record<string, unknown> {
  const opts: Record<string, unknown> = {
    delimiter: maybe(rand, [",", ";", "\t", "|"]),
    quote: maybe(rand, ['"', "'"]),
    header: maybe(rand, [true, false]),
    columns: maybe(rand, [true, false, ["x", "y", "z"], ["only"]]),
    cast: maybe(rand, [true, false]),
    skip_empty_lines: maybe(rand, [true, false]),
    relax_column_count: maybe(rand, [true, false]),
    bom: maybe(rand, [true, false]),
    encoding: maybe(rand, ["utf8", "utf-8", "latin1"]),
  };
  for (const k of Object.keys(opts)) if (opts[k] === undefined) delete opts[k];
  return opts;
}

/** Random CSV text for `opts`: mostly well formed, sometimes ragged, with typed values, quotes and odd names. */
function randomCsv(rand: () => number, opts: Record<string, unknown>): string {
  const d = (opts.delimiter as string) ?? ",";
  const q = (opts.quote as string) ?? '"';
  const values = ["a", "b", "1", "-2.5", "1e3", "007", "0x1F", "true", "FALSE", "", " x ", "é", "ü🙂", "__proto__"];
  // Malformed now and then: a quote inside an unquoted field, text after a closing quote.
  const broken = [`x${q}y`, `${q}a${q}b`, `${q}a${q} `];
  const quotedBits = [d, q + q, "\n", "\r\n", "x", "é"];
  const eol = pick(rand, ["\n", "\r\n", "\r"]);
  const width = 1 + Math.floor(rand() * 4);
  const lines: string[] = [];
  const rows = 1 + Math.floor(rand() * 12);
  for (let r = 0; r < rows; r++) {
    const w = rand() < 0.1 ? 1 + Math.floor(rand() * 5) : width;
    const fields: string[] = [];
    for (let c = 0; c < w; c++) {
      if (rand() < 0.2) {
        let v = "";
        for (let k = Math.floor(rand() * 4); k > 0; k--) v += pick(rand, quotedBits);
        fields.push(q + v + q);
      } else fields.push(rand() < 0.03 ? pick(rand, broken) : pick(rand, values));
    }
    lines.push(fields.join(d));
    if (rand() < 0.1) lines.push("");
  }
  const bom = rand() < 0.3 ? "\ufeff" : "";
  return bom + lines.join(eol) + (rand() < 0.7 ? eol : "");
}

type Outcome = { rows: unknown[] } | { refused: true };

async function outcome(read: () => Promise<unknown[]>): Promise<Outcome> {
  try {
    return { rows: await read() };
  } catch {
    return { refused: true };
  }
}

/** The fast reader fed the file's text in random pieces (what a slow stream delivers). */
function readInPieces(text: string, load: Record<string, unknown>, rand: () => number): Outcome | "lone CR" {
  const rows: unknown[] = [];
  try {
    const reader = new FastCsvReader(fastOptions(load)!, rows);
    for (let i = 0; i < text.length;) {
      const n = 1 + Math.floor(rand() * 9);
      reader.push(text.slice(i, i + n));
      i += n;
    }
    reader.end();
    return { rows };
  } catch (err) {
    // readFast hands such files to csv-parse; its result is checked above.
    if (err instanceof LoneCrRecords) return "lone CR";
    return { refused: true };
  }
}

describe("fast CSV reader against csv-parse", () => {
  const root = project();
  for (let seed = 1; seed <= 400; seed++) {
    it(`agrees on random file and options #${seed}`, async () => {
      const rand = rng(seed);
      const load = randomOptions(rand);
      const latin1 = load.encoding === "latin1";
      const text = randomCsv(rand, load).replace(latin1 ? /[^\u0000-\u00ff]/gu : /(?!)/, "?");
      const file = join(root, `t${seed}.csv`);
      writeFileSync(file, Buffer.from(latin1 ? text.replace(/^\ufeff/, "") : text, latin1 ? "latin1" : "utf8"));
      expect(fastOptions(load), "the fast reader takes these options").not.toBeNull();
      const expected = await outcome(() => readWithCsvParse(file, load));
      expect(await outcome(() => readFast(file, load)), JSON.stringify({ load, text })).toStrictEqual(expected);
      const decoded = latin1 ? text.replace(/^\ufeff/, "") : text;
      const pieces = readInPieces(decoded, load, rand);
      // A lone CR ending the first record hands the file to csv-parse (readFast's result is checked above).
      if (pieces === "lone CR") expect(text).toMatch(/\r(?!\n)/);
      else expect(pieces, JSON.stringify({ load, text })).toStrictEqual(expected);
    });
  }
});
