// Our CSV writer against csv-stringify, the library it stands in for, on every save_arg the
// writer accepts (delimiter, quote, header, columns, quoted, record_delimiter): random rows and
// random option sets saved through the catalog; `bom: false` (csv-stringify's own default, an
// option only it takes) sends the same save to csv-stringify. The files must be byte-identical,
// or both saves refused.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MlcError } from "../../compiler/diagnostics.js";
import { catalog, project } from "./helpers.js";

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

const VALUES: readonly unknown[] = [
  "a",
  "",
  " x ",
  "é",
  "ü🙂",
  "a,b",
  "a;b",
  "a|b",
  'say "hi"',
  "it's",
  "line\nbreak",
  "cr\rlf\r\n",
  "\t",
  0,
  -1.5,
  1e21,
  0.1,
  NaN,
  Infinity,
  -Infinity,
  true,
  false,
  null,
  undefined,
  12345678901234567890n,
  new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
  { nested: [1, "x"] },
  [1, 2],
];

function randomSaveArgs(rand: () => number): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (rand() < 0.6) args.delimiter = pick(rand, [",", ";", "\t", "|", "::"]);
  if (rand() < 0.4) args.quote = pick(rand, ['"', "'"]);
  if (rand() < 0.4) args.header = pick(rand, [true, false]);
  if (rand() < 0.3) args.columns = pick(rand, [["b", "a"], ["a", "missing"], ["c"]]);
  if (rand() < 0.3) args.quoted = pick(rand, [true, false]);
  if (rand() < 0.4) args.record_delimiter = pick(rand, ["unix", "windows", "mac", "\n", "\r\n", "\r"]);
  return args;
}

function randomRows(rand: () => number): unknown[] {
  const keys = ["a", "b", "c", "d,e", 'q"k'];
  const arrays = rand() < 0.3;
  const out: unknown[] = [];
  for (let r = Math.floor(rand() * 8); r > 0; r--) {
    if (arrays) out.push(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(rand, VALUES)));
    else {
      const row: Record<string, unknown> = {};
      for (const k of keys) if (rand() < 0.7) row[k] = pick(rand, VALUES);
      out.push(row);
    }
  }
  return out;
}

describe("fast CSV writer against csv-stringify", () => {
  const root = project();
  for (let seed = 1; seed <= 300; seed++) {
    it(`writes the same bytes for random rows and save_args #${seed}`, async () => {
      const rand = rng(seed);
      const save = randomSaveArgs(rand);
      const rows = randomRows(rand);
      const cat = catalog(root, {
        ours: { type: "csv", filepath: `ours-${seed}.csv`, save_args: save },
        lib: { type: "csv", filepath: `lib-${seed}.csv`, save_args: { ...save, bom: false } },
      });
      const written = (name: string) =>
        cat.save(name, rows).then(
          () => readFileSync(join(root, `${name}-${seed}.csv`), "utf8"),
          (err: MlcError) => err.code,
        );
      expect(await written("ours"), JSON.stringify({ save })).toBe(await written("lib"));
    });
  }
});
