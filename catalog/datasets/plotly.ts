// `plotly`: a Plotly figure as JSON, as Kedro's plotly.JSONDataset stores it. On disk: one JSON
// document {"data": [trace, ...], "layout": {...}} (`frames` and `config` kept when present), the
// shape Plotly.newPlot(el, fig.data, fig.layout) and plotly.io.read_json take. Saving anything
// else is refused, so `mlc viz` can always draw the file.
import { promises as fsp } from "node:fs";
import { writeFileAtomic } from "../atomic.js";
import type { DatasetType } from "../dataset.js";
import { argsOf, DataShapeError, FileDataset, type FileFormat } from "./file.js";
import { parseJson, stringifyJson } from "./json.js";

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Why `fig` is not a Plotly figure, or null when it is one. */
export function figureProblem(fig: unknown): string | null {
  if (!isObject(fig)) return `expects a Plotly figure {data: [...], layout: {...}}, got ${describe(fig)}`;
  if (!Array.isArray(fig.data)) return `a Plotly figure needs "data": an array of traces, got ${describe(fig.data)}`;
  const bad = fig.data.findIndex((t) => !isObject(t));
  if (bad >= 0) return `trace ${bad} of "data" must be an object, got ${describe(fig.data[bad])}`;
  if (fig.layout !== undefined && !isObject(fig.layout))
    return `"layout" must be an object, got ${describe(fig.layout)}`;
  return null;
}

function describe(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
}

const PLOTLY_FORMAT: FileFormat = {
  async read(path) {
    const fig = parseJson(await fsp.readFile(path, "utf8"));
    const problem = figureProblem(fig);
    if (problem) throw new DataShapeError(problem);
    return fig;
  },
  async write(path, data, ctx) {
    const problem = figureProblem(data);
    if (problem) throw new DataShapeError(problem);
    await writeFileAtomic(path, stringifyJson(data, argsOf(ctx).save.indent) + "\n");
  },
};

/** Builds a `plotly` dataset. */
export const plotlyType: DatasetType = (ctx) => new FileDataset(ctx, PLOTLY_FORMAT);
