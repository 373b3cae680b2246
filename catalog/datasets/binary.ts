// `binary`: any structured-cloneable value through Node's v8 serialisation (typed arrays, Maps,
// Sets, Dates, BigInts survive), the pickle of this world. Class instances are refused (class-check.ts).
import { promises as fsp } from "node:fs";
import { deserialize, serialize } from "node:v8";
import type { DatasetType } from "../dataset.js";
import { writeFileAtomic } from "../atomic.js";
import { applyToJSON, findClassInstance } from "./class-check.js";
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
    const plain = applyToJSON(data);
    const instance = findClassInstance(plain);
    if (instance)
      throw new DataShapeError(
        `${instance.path} is an instance of class ${instance.className}, which would load back as plain data ` +
          `without its methods; save it with a custom dataset type, or give the class a toJSON() (binary saves ` +
          `its result) and rebuild it with a static fromJSON() in the node that loads it`,
      );
    let buf: Buffer;
    try {
      buf = serialize(plain);
    } catch (err) {
      throw new DataShapeError(`cannot serialise: ${(err as Error).message}`);
    }
    await writeFileAtomic(path, buf);
  },
};

/** Builds a `binary` dataset. */
export const binaryType: DatasetType = (ctx) => new FileDataset(ctx, BINARY_FORMAT);
