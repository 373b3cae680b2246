// A process killed (SIGKILL) in the middle of a save never leaves a half-written dataset: the old
// file is intact and only a hidden temporary file remains.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { project } from "./helpers.js";

const REPO = join(import.meta.dirname, "../..");

describe("atomic saves under a crash", () => {
  it("SIGKILL during a large CSV save keeps the previous file", async () => {
    const root = project({ "data/out.csv": "old,content\n1,2\n" });
    const esbuild = await import("esbuild");
    const script = join(root, "child.mjs");
    // One self-contained file (dependencies bundled) so the child needs no TypeScript loader.
    await esbuild.build({
      stdin: {
        contents: `
          import { DataCatalog } from ${JSON.stringify(join(REPO, "catalog/catalog.ts"))};
          const cat = new DataCatalog({ root: ${JSON.stringify(root)}, credentials: {}, saveVersion: "v",
            sink: { logMetric() {}, logParam() {}, setTag() {}, logArtifact() {} },
            datasets: { out: { type: "csv", filepath: "data/out.csv" } } });
          const rows = Array.from({ length: 1_500_000 }, (_, i) => ({ id: i, text: "row number " + i + " with some padding text", v: i / 7 }));
          process.stdout.write("saving\\n");
          await cat.save("out", rows);
          process.stdout.write("saved\\n");`,
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
    const dataDir = join(root, "data");
    const tempOf = () => readdirSync(dataDir).find((f) => f.startsWith(".out.csv.tmp-"));
    let outcome = "timeout";
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const tmp = tempOf();
      if (tmp && statSync(join(dataDir, tmp)).size > 2 << 20) {
        child.kill("SIGKILL");
        outcome = "killed";
        break;
      }
      if (child.exitCode !== null) {
        outcome = "exited";
        break;
      }
    }
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r)));
    expect(outcome).toBe("killed");
    expect(readFileSync(join(dataDir, "out.csv"), "utf8")).toBe("old,content\n1,2\n");
    expect(readdirSync(dataDir).filter((f) => f !== "out.csv")).toEqual([tempOf()]);
  });
});
