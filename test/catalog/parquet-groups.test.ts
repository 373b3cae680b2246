// Wide rows in parquet: written in row groups of about 4 MB (not hyparquet-writer's 1,000 rows,
// 100 MB here) and read one group at a time, so a load holds little more than the rows it makes.
// Memory is measured in a fresh process (dist/ build) per step: its peak RSS above its baseline.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { catalog, project } from "./helpers.js";

const CATALOG = pathToFileURL(resolve(import.meta.dirname, "../../dist/catalog/catalog.js")).href;
const STEP = `
const { DataCatalog } = await import(process.argv[1]);
const { randomBytes } = await import("node:crypto");
const [root, step] = process.argv.slice(2);
const cat = new DataCatalog({ root, credentials: {}, saveVersion: "v",
  sink: { logMetric() {}, logParam() {}, setTag() {}, logArtifact() {} },
  datasets: { p: { type: "parquet", filepath: "wide.parquet" } } });
const rows = step === "save" ? Array.from({ length: 600 }, (_, i) => ({ id: i, blob: i + ":" + randomBytes(75_000).toString("base64") })) : null;
globalThis.gc();
const base = process.memoryUsage().rss;
const out = step === "save" ? await cat.save("p", rows) : await cat.load("p");
if (step === "load" && (out.length !== 600 || out[599].id !== 599 || !out[599].blob.startsWith("599:"))) throw new Error("rows changed");
process.stdout.write(String((process.resourceUsage().maxRSS * 1024 - base) / 1024 / 1024));
`;

function step(root: string, name: "save" | "load"): number {
  const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", STEP, CATALOG, root, name], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout);
}

describe("parquet with wide rows", () => {
  it("writes row groups of about 4 MB, reads them back in order", async () => {
    const root = project();
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, blob: `${i}:`.padEnd(50_000, "y") }));
    const cat = catalog(root, {
      p: { type: "parquet", filepath: "w.parquet" },
      n: { type: "parquet", filepath: "n.parquet" },
    });
    await cat.save("p", rows);
    await cat.save(
      "n",
      rows.map((r) => ({ id: r.id })),
    );
    const { asyncBufferFromFile, parquetMetadataAsync } = await import("hyparquet");
    const groups = async (f: string) =>
      (await parquetMetadataAsync(await asyncBufferFromFile(join(root, f)))).row_groups.map((g) => Number(g.num_rows));
    expect(await groups("w.parquet")).toEqual([83, 83, 83, 51]); // 4 MB / 50 KB rows
    expect(await groups("n.parquet")).toEqual([300]); // narrow rows keep the writer's default
    expect(await catalog(root, { p: { type: "parquet", filepath: "w.parquet" } }).load("p")).toEqual(rows);
  });

  it("a 60 MB file loads with its peak memory under 3x its size, one row group at a time (all groups at once: 3.6x)", () => {
    const root = project();
    step(root, "save");
    const mb = statSync(join(root, "wide.parquet")).size / 1024 / 1024;
    expect(mb).toBeGreaterThan(55);
    expect(step(root, "load")).toBeLessThan(3 * mb); // 2.5x here: the rows made (1x) plus V8 heap growth
  }, 60_000);
});
