// What the viz page shows of a dataset's file: its size and row count, the first rows of a table
// (with --include-previews) and reporting datasets drawn in place (a plotly figure, an image).
// Read from local files only (never a remote store, which would need credentials), each bounded
// so a huge file costs a stat, not a read.
import { createReadStream, readdirSync, statSync, type Stats } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { basename, extname, isAbsolute, join } from "node:path";
import type { GraphIR, IRDataset } from "../../compiler/types.js";

export type DatasetStat = { readonly bytes: number; readonly rows: number | null } | { readonly missing: true };
export interface Preview {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}
export type Media =
  | { readonly kind: "plotly"; readonly figure: unknown }
  | { readonly kind: "image"; readonly src: string; readonly alt: string }
  | { readonly kind: "plotly" | "image"; readonly missing: string };

const PREVIEW_ROWS = 10;
const COUNT_LIMIT = 64 << 20; // rows are counted in files up to this size
const MEDIA_LIMIT = 2 << 20; // figures and images embedded up to this size
const TABLES = new Set(["csv", "parquet"]);

/** The local file a dataset reads now (the newest version of a versioned one), or null. */
export function localFile(root: string, d: IRDataset): string | null {
  if (!d.filepath || /^[a-z][a-z0-9+.-]*:\/\//i.test(d.filepath)) return null;
  const path = isAbsolute(d.filepath) ? d.filepath : join(root, d.filepath);
  if (!d.config.versioned) return path;
  const versions = safeList(path).sort();
  return versions.length ? join(path, versions[versions.length - 1], basename(path)) : path;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Size and row count of every persisted dataset with a local file; `missing` when not written yet. */
export async function datasetStats(graph: GraphIR, root: string): Promise<Record<string, DatasetStat>> {
  const out: Record<string, DatasetStat> = {};
  for (const d of graph.datasets) {
    const file = d.persistent ? localFile(root, d) : null;
    if (!file) continue;
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) {
      out[d.name] = { missing: true };
      continue;
    }
    out[d.name] = { bytes: st.size, rows: await countRows(d, file, st).catch(() => null) };
  }
  return out;
}

async function countRows(d: IRDataset, file: string, st: Stats): Promise<number | null> {
  if (d.type === "parquet") {
    const { asyncBufferFromFile, parquetMetadataAsync } = await import("hyparquet");
    return Number((await parquetMetadataAsync(await asyncBufferFromFile(file))).num_rows);
  }
  if (st.size > COUNT_LIMIT) return null;
  if (d.type === "csv" || d.type === "jsonl") {
    const lines = await countLines(file);
    return d.type === "csv" && d.config.load_args?.header !== false ? Math.max(0, lines - 1) : lines;
  }
  if (d.type === "json") {
    const v = JSON.parse(await readFile(file, "utf8"));
    return Array.isArray(v) ? v.length : null;
  }
  return null;
}

// Non-empty lines; a quoted field holding a newline is counted as two (an estimate, labelled so).
function countLines(file: string): Promise<number> {
  return new Promise((done, fail) => {
    let n = 0,
      last = 10;
    createReadStream(file)
      .on("data", (b) => {
        const buf = b as Buffer;
        for (let i = 0; i < buf.length; i++)
          if (buf[i] === 10 && last !== 10) (n++, (last = 10));
          else last = buf[i];
      })
      .on("end", () => done(n + (last !== 10 ? 1 : 0)))
      .on("error", fail);
  });
}

/** The first rows of every CSV/Parquet dataset with a local file (for --include-previews). */
export async function datasetPreviews(graph: GraphIR, root: string): Promise<Record<string, Preview>> {
  const out: Record<string, Preview> = {};
  for (const d of graph.datasets) {
    const file = TABLES.has(d.type) ? localFile(root, d) : null;
    if (!file || !statSync(file, { throwIfNoEntry: false })?.isFile()) continue;
    const rows = await (d.type === "csv" ? csvHead(file, d) : parquetHead(file)).catch(() => null);
    if (rows && rows.length) out[d.name] = toPreview(rows);
  }
  return out;
}

function toPreview(rows: Record<string, unknown>[]): Preview {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : v);
  return { columns, rows: rows.map((r) => columns.map((c) => cell(r[c]))) };
}

async function csvHead(file: string, d: IRDataset): Promise<Record<string, unknown>[]> {
  const fh = await open(file);
  const buf = Buffer.alloc(256 << 10);
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0).finally(() => fh.close());
  const text = buf.subarray(0, bytesRead).toString("utf8");
  const whole = bytesRead < buf.length ? text : text.slice(0, text.lastIndexOf("\n") + 1);
  const { parse } = await import("csv-parse/sync");
  const delimiter = (d.config.load_args?.delimiter as string | undefined) ?? ",";
  return parse(whole, { columns: true, bom: true, delimiter, to_line: PREVIEW_ROWS + 1, relax_column_count: true });
}

async function parquetHead(file: string): Promise<Record<string, unknown>[]> {
  const { asyncBufferFromFile, parquetReadObjects } = await import("hyparquet");
  return (await parquetReadObjects({ file: await asyncBufferFromFile(file), rowEnd: PREVIEW_ROWS })) as Record<
    string,
    unknown
  >[];
}

const IMAGE_TYPES: Record<string, string> = { ".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg" };

/** `plotly` figures and `image` files, embedded so the details panel can draw them offline. */
export async function datasetMedia(graph: GraphIR, root: string): Promise<Record<string, Media>> {
  const out: Record<string, Media> = {};
  for (const d of graph.datasets) {
    if (d.type !== "plotly" && d.type !== "image") continue;
    const kind = d.type;
    const file = localFile(root, d);
    const st = file ? statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!file || !st?.isFile()) out[d.name] = { kind, missing: "No file yet: run the pipeline to draw it here." };
    else if (st.size > MEDIA_LIMIT) out[d.name] = { kind, missing: `Too large to embed (${st.size} bytes).` };
    else out[d.name] = await readMedia(kind, file, d.name).catch((e: Error) => ({ kind, missing: e.message }));
  }
  return out;
}

async function readMedia(kind: "plotly" | "image", file: string, name: string): Promise<Media> {
  const bytes = await readFile(file);
  if (kind === "plotly") return { kind, figure: JSON.parse(bytes.toString("utf8")) };
  const mime = IMAGE_TYPES[extname(file).toLowerCase()];
  if (!mime) throw new Error(`Not a PNG, SVG or JPEG file: ${basename(file)}`);
  return { kind, src: `data:${mime};base64,${bytes.toString("base64")}`, alt: name };
}
