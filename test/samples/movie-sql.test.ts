// The movie sample's SQL variant (pipeline-sql.yml: aggregate_ratings as a DuckDB query over the
// typed-array stream) against the TypeScript original, through the built CLI on private copies:
// the same interactions file byte for byte and the same RMSE. The two pipeline files must stay
// equal but for that node.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { load } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { mlcWith } from "../helpers/cli.js";

const REPO = resolve(import.meta.dirname, "../..");
const SAMPLE = join(REPO, "samples", "movie-recommendation");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function copySample(): string {
  const dir = mkdtempSync(join(tmpdir(), "mlc-movie-sql-"));
  dirs.push(dir);
  cpSync(SAMPLE, dir, {
    recursive: true,
    filter: (src) => !/[\\/](\.mlc|build|node_modules|0[2-8]_[a-z_]+)$/.test(src),
  });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "mlc-pipelines"), "dir");
  return dir;
}

function runMetrics(dir: string, file: string, executor: string): Record<string, number> {
  const r = mlcWith(
    { timeout: 180_000 },
    dir,
    "run",
    file,
    "--executor",
    executor,
    "--params",
    "generator.events=20000",
  );
  expect(r.code, r.all).toBe(0);
  const id = readdirSync(join(dir, ".mlc", "runs"))[0];
  return JSON.parse(readFileSync(join(dir, ".mlc", "runs", id, "run.json"), "utf8")).metrics;
}

type Node = { name: string; func?: string; sql?: string };
const nodesOf = (file: string) => (load(readFileSync(join(SAMPLE, file), "utf8")) as { nodes: Node[] }).nodes;

describe("movie sample, SQL variant", () => {
  it("pipeline-sql.yml is pipeline.yml with aggregate_ratings as a sql node", () => {
    const [ts, sql] = [nodesOf("pipeline.yml"), nodesOf("pipeline-sql.yml")];
    const strip = (nodes: Node[]) => nodes.map(({ func: _f, sql: _s, ...rest }) => rest);
    expect(strip(sql)).toEqual(strip(ts));
    const differ = sql.filter((n, i) => n.func !== ts[i].func || n.sql !== ts[i].sql).map((n) => n.name);
    expect(differ).toEqual(["aggregate_ratings"]);
    expect(sql.find((n) => n.name === "aggregate_ratings")!.sql).toMatch(/GROUP BY "user", movie/);
  });

  it("gives the same interactions, byte for byte, and the same RMSE as the TypeScript node", () => {
    const [a, b] = [copySample(), copySample()];
    const ts = runMetrics(a, "pipeline.yml", "sequential");
    const sql = runMetrics(b, "pipeline-sql.yml", "parallel");
    const interactions = (d: string) => readFileSync(join(d, "data", "03_primary", "interactions.csv"), "utf8");
    expect(interactions(b)).toBe(interactions(a));
    expect(sql.model_rmse).toBeGreaterThan(0);
    expect(sql.model_rmse).toBe(ts.model_rmse);
    expect(sql.baseline_rmse).toBe(ts.baseline_rmse);
  }, 300_000);
});
