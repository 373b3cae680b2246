// `binary`: any structured-cloneable value through Node's v8 serialisation (typed arrays, Maps,
// Sets, Dates, BigInts survive; functions and class prototypes do not), the pickle of this world.
import { promises as fsp } from "node:fs";
import { deserialize, serialize } from "node:v8";
import type { DatasetType } from "../dataset.js";
import { writeFileAtomic } from "../atomic.js";
import { DataShapeError, FileDataset, ParseError, type FileFormat } from "./file.js";

const BINARY_FORMAT: FileFormat = {
  async read(path) {
    const buf = await fsp.readFile(path);
    try {
      return deserialize(buf);
    } catch (err) {
      throw new ParseError(`not a v8-serialised value (${(err as Error).message})`);
    }
  },
  async write(path, data) {
    let buf: Buffer;
    try {
      buf = serialize(data);
    } catch (err) {
      throw new DataShapeError(`cannot serialise: ${(err as Error).message}`);
    }
    await writeFileAtomic(path, buf);
  },
};

/** Builds a `binary` dataset. */
export const binaryType: DatasetType = (ctx) => new FileDataset(ctx, BINARY_FORMAT);
