// `jsonl`: an array of records, one JSON value per line, read and written as a stream.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { DatasetType } from "../dataset.js";
import { writeStreamAtomic } from "../atomic.js";
import { DataShapeError, FileDataset, ParseError, type FileFormat } from "./file.js";

async function readLines(path: string): Promise<unknown[]> {
  const rl = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  const out: unknown[] = [];
  let n = 0;
  for await (const line of rl) {
    n++;
    if (line.trim() === "") continue;
    try {
      out.push(JSON.parse(line));
    } catch (err) {
      rl.close();
      throw new ParseError((err as Error).message, n);
    }
  }
  return out;
}

function* toLines(rows: Iterable<unknown>): Generator<string> {
  let i = 0;
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (text === undefined) throw new DataShapeError(`record ${i} (${typeof row}) cannot be written as JSON`);
    i++;
    yield text + "\n";
  }
}

const JSONL_FORMAT: FileFormat = {
  read: (path) => readLines(path),
  async write(path, data) {
    if (!Array.isArray(data))
      throw new DataShapeError(`expects an array of records, got ${data === null ? "null" : typeof data}`);
    await writeStreamAtomic(path, toLines(data));
  },
};

/** Builds a `jsonl` dataset. */
export const jsonlType: DatasetType = (ctx) => new FileDataset(ctx, JSONL_FORMAT);
