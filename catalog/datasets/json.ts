// `json`: one JSON document. save_args.indent (default 2).
import { promises as fsp } from "node:fs";
import type { DatasetType } from "../dataset.js";
import { writeFileAtomic } from "../atomic.js";
import { jsonErrorOffset } from "./json-locate.js";
import { argsOf, DataShapeError, FileDataset, ParseError, type FileFormat } from "./file.js";

/** Line and column (1-based) of a character offset in `text`. */
export function lineColOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

/** JSON.parse with the failure placed at a line and column. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message.split("\n")[0];
    const at = jsonErrorOffset(text);
    if (at < 0) throw new ParseError(msg);
    const { line, column } = lineColOf(text, at);
    const near = at < text.length ? `unexpected ${JSON.stringify(text[at])}` : "unexpected end of input";
    throw new ParseError(near, line, column);
  }
}

/** JSON.stringify that refuses values JSON cannot hold instead of writing something else. */
export function stringifyJson(data: unknown, indent: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(data, null, typeof indent === "number" || typeof indent === "string" ? indent : 2);
  } catch (err) {
    throw new DataShapeError(`cannot serialise to JSON: ${(err as Error).message}`);
  }
  if (text === undefined) throw new DataShapeError(`cannot serialise a ${typeof data} to JSON`);
  return text;
}

const JSON_FORMAT: FileFormat = {
  async read(path) {
    return parseJson(await fsp.readFile(path, "utf8"));
  },
  async write(path, data, ctx) {
    await writeFileAtomic(path, stringifyJson(data, argsOf(ctx).save.indent) + "\n");
  },
};

/** Builds a `json` dataset. */
export const jsonType: DatasetType = (ctx) => new FileDataset(ctx, JSON_FORMAT);
