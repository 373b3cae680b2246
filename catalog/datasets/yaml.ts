// `yaml`: one YAML document (js-yaml: fast on large files).
import { promises as fsp } from "node:fs";
import type { DatasetType } from "../dataset.js";
import { writeFileAtomic } from "../atomic.js";
import { argsOf, DataShapeError, FileDataset, ParseError, type FileFormat } from "./file.js";

const YAML_FORMAT: FileFormat = {
  async read(path) {
    const yaml = await import("js-yaml");
    const text = await fsp.readFile(path, "utf8");
    try {
      return yaml.load(text, { filename: path });
    } catch (err) {
      const mark = (err as { mark?: { line: number; column: number } }).mark;
      const reason = (err as { reason?: string }).reason ?? (err as Error).message;
      throw new ParseError(reason, mark ? mark.line + 1 : undefined, mark ? mark.column + 1 : undefined);
    }
  },
  async write(path, data, ctx) {
    const yaml = await import("js-yaml");
    let text: string;
    try {
      text = yaml.dump(data, { noRefs: true, sortKeys: false, ...argsOf(ctx).save });
    } catch (err) {
      throw new DataShapeError(`cannot serialise to YAML: ${(err as Error).message}`);
    }
    await writeFileAtomic(path, text);
  },
};

/** Builds a `yaml` dataset. */
export const yamlType: DatasetType = (ctx) => new FileDataset(ctx, YAML_FORMAT);
