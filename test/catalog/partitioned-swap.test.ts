// `partitioned` with `overwrite: true` replaces the whole set or nothing: a SIGKILL mid-save leaves
// the old set (the new one was being written aside), a swap cut between its two renames is
// completed by the next load, and a dead writer's leftovers are removed by removeTemps.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { removeTemps } from "../../catalog/atomic.js";
import { catalog, project } from "./helpers.js";

const REPO = join(import.meta.dirname, "../..");
const PARTS = {
  type: "partitioned",
  path: "data/parts",
  dataset: { type: "json" },
  filename_suffix: ".json",
  overwrite: true,
};
const ids = Array.from({ length: 40 }, (_, i) => `p${String(i).padStart(2, "0")}`);

async function loadAll(root: string): Promise<Record<string, unknown>> {
  const parts = (await catalog(root, { parts: PARTS }).load("parts")) as Record<string, () => Promise<unknown>>;
  const out: Record<string, unknown> = {};
  for (const [id, f] of Object.entries(parts)) out[id] = await f();
  return out;
}

const every = (value: string) => Object.fromEntries(ids.map((id) => [id, value]));

/** A dead writer's pid (its process has ended and been reaped). */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;

describe("partitioned overwrite under a crash", () => {
  it("SIGKILL half-way through the new set: the next load reads the complete old set", async () => {
    const root = project();
    await catalog(root, { parts: PARTS }).save("parts", every("old"));
    const esbuild = await import("esbuild");
    const script = join(root, "child.mjs");
    // The 6th partition says so, then waits forever: the kill lands mid-save, not by timing.
    await esbuild.build({
      stdin: {
        contents: `
          import { DataCatalog } from ${JSON.stringify(join(REPO, "catalog/catalog.ts"))};
          const cat = new DataCatalog({ root: ${JSON.stringify(root)}, credentials: {}, saveVersion: "v",
            sink: { logMetric() {}, logParam() {}, setTag() {}, logArtifact() {} },
            datasets: { parts: ${JSON.stringify(PARTS)} } });
          const ids = ${JSON.stringify(ids)};
          await cat.save("parts", Object.fromEntries(ids.map((id, i) => [id, () => i < 5 ? "new" :
            new Promise(() => { process.stdout.write("halfway\\n"); setInterval(() => {}, 1000); })])));`,
        resolveDir: REPO,
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "node",
      outfile: script,
      logLevel: "silent",
    });
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((res) => child.stdout.on("data", (c: Buffer) => c.toString().includes("halfway") && res()));
    child.kill("SIGKILL");
    await new Promise((res) => child.on("close", res));
    expect(await loadAll(root)).toEqual(every("old"));
    const leftovers = readdirSync(join(root, "data")).filter((n) => n !== "parts");
    expect(leftovers).toEqual([expect.stringMatching(/^\.parts\.tmp-\d+-/)]);
    expect(removeTemps(join(root, "data"), "dead")).toEqual(leftovers);
    expect(readdirSync(join(root, "data"))).toEqual(["parts"]);
  });

  it("a swap cut between its renames (old moved away, new not yet in) loads the complete new set", async () => {
    const root = project();
    await catalog(root, { parts: PARTS }).save("parts", every("new"));
    const data = join(root, "data");
    const id = `${deadPid()}-0-0123abcd`;
    cpSync(join(data, "parts"), join(data, `.parts.tmp-${id}`), { recursive: true });
    await catalog(root, { parts: PARTS }).save("parts", every("old"));
    cpSync(join(data, "parts"), join(data, `.parts.old-${id}`), { recursive: true });
    rmSync(join(data, "parts"), { recursive: true });
    expect(await loadAll(root)).toEqual(every("new"));
    expect(removeTemps(data, "dead")).toEqual([`.parts.old-${id}`]);
    expect(readdirSync(data)).toEqual(["parts"]);
  });

  it("a swap cut with only the old set left (new one gone) restores the old set", async () => {
    const root = project();
    await catalog(root, { parts: PARTS }).save("parts", every("old"));
    const data = join(root, "data");
    const moved = join(data, `.parts.old-${deadPid()}-0-89abcdef`);
    cpSync(join(data, "parts"), moved, { recursive: true });
    rmSync(join(data, "parts"), { recursive: true });
    expect(await loadAll(root)).toEqual(every("old"));
    expect(readdirSync(data)).toEqual(["parts"]);
  });
});
