// `text`: a string (UTF-8 unless load_args/save_args.encoding says otherwise).
import { promises as fsp } from "node:fs";
import type { DatasetType } from "../dataset.js";
import { writeFileAtomic } from "../atomic.js";
import { argsOf, DataShapeError, FileDataset, type FileFormat } from "./file.js";

function encodingOf(v: unknown): BufferEncoding {
  return typeof v === "string" && Buffer.isEncoding(v) ? v : "utf8";
}

const TEXT_FORMAT: FileFormat = {
  async read(path, ctx) {
    return fsp.readFile(path, { encoding: encodingOf(argsOf(ctx).load.encoding) });
  },
  async write(path, data, ctx) {
    if (typeof data !== "string")
      throw new DataShapeError(`expects a string, got ${data === null ? "null" : typeof data}`);
    await writeFileAtomic(path, Buffer.from(data, encodingOf(argsOf(ctx).save.encoding)));
  },
};

/** Builds a `text` dataset. */
export const textType: DatasetType = (ctx) => new FileDataset(ctx, TEXT_FORMAT);
