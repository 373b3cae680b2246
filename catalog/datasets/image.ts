// `image`: a PNG or SVG file, chosen by the filepath's extension. .png loads as a Buffer and saves
// bytes that carry the PNG signature; .svg loads as a string and saves SVG text (a string or UTF-8
// bytes holding an <svg> element). Wrapped in mlflow.artifact, the file is logged as it is.
import { promises as fsp } from "node:fs";
import { extname } from "node:path";
import { writeFileAtomic } from "../atomic.js";
import type { DatasetType } from "../dataset.js";
import { DataShapeError, FileDataset, type FileFormat } from "./file.js";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** "png" or "svg" from the file's extension; anything else is refused. */
export function imageKind(path: string): "png" | "svg" {
  const ext = extname(path).toLowerCase();
  if (ext === ".png" || ext === ".svg") return ext.slice(1) as "png" | "svg";
  throw new DataShapeError(`the filepath must end in .png or .svg, not "${ext || "(no extension)"}"`);
}

const isSvg = (text: string) => /<svg[\s>]/i.test(text.slice(0, 4096));

function pngBytes(data: unknown): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new DataShapeError(`a .png expects bytes (a Buffer), got ${typeof data}`);
  if (!Buffer.from(data.buffer, data.byteOffset, Math.min(8, data.byteLength)).equals(PNG_SIGNATURE))
    throw new DataShapeError("the bytes are not a PNG (no PNG signature)");
  return data;
}

function svgText(data: unknown): string {
  const text = data instanceof Uint8Array ? Buffer.from(data).toString("utf8") : data;
  if (typeof text !== "string") throw new DataShapeError(`a .svg expects SVG text, got ${typeof data}`);
  if (!isSvg(text)) throw new DataShapeError("the text is not SVG (no <svg> element)");
  return text;
}

const IMAGE_FORMAT: FileFormat = {
  async read(path) {
    return imageKind(path) === "png" ? fsp.readFile(path) : fsp.readFile(path, "utf8");
  },
  async write(path, data) {
    await writeFileAtomic(path, imageKind(path) === "png" ? pngBytes(data) : svgText(data));
  },
};

/** Builds an `image` dataset. */
export const imageType: DatasetType = (ctx) => new FileDataset(ctx, IMAGE_FORMAT);
