// End to end through `node bin/mlc.js run` against a REAL MLflow server: the movie sample under
// both executors (params, the RMSE metric, the model artifact's bytes, tags, status, link in the
// run record), and a run interrupted with SIGINT that ends KILLED.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { artifactPaths, client, history, paramsOf, tagsOf, download } from "./helpers.js";
import { copyProject, REPO, useMlflowServer } from "./server.js";

const fx = useMlflowServer({ cli: true });

function records(dir: string): any[] {
  const runs = join(dir, ".mlc", "runs");
  return readdirSync(runs)
    .sort()
    .map((id) => JSON.parse(readFileSync(join(runs, id, "run.json"), "utf8")));
}

describe("mlc run with tracking on", () => {
  it("mirrors the movie walkthrough under the sequential and the parallel executor", async (ctx) => {
    const srv = fx.get(ctx);
    const dir = copyProject(join(REPO, "samples", "movie-recommendation"));
    mkdirSync(join(dir, "conf", "local"), { recursive: true });
    const yml = `server:\n  mlflow_tracking_uri: "{{ env.MLFLOW_TEST_URI }}"\ntracking:\n  experiment:\n    name: movies-e2e\n  nested_runs: none\n`;
    writeFileSync(join(dir, "conf", "local", "mlflow.yml"), yml);
    const env = { ...process.env, CI: "true", NO_COLOR: "1", MLFLOW_TEST_URI: srv.uri, MLFLOW_TRACKING_URI: "" };
    for (const executor of ["sequential", "parallel"]) {
      const r = spawnSync(
        process.execPath,
        [
          join(REPO, "bin/mlc.js"),
          "run",
          "--project",
          dir,
          "--executor",
          executor,
          "--params",
          "generator.events=20000",
          "--force", // both runs execute every node (a second run would otherwise be cached: test/cache/mlflow.test.ts)
        ],
        { env, encoding: "utf8", timeout: 180_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/MLC700[12]/);
    }
    const c = client(srv.uri);
    // One model version per run, in run order (the record does not list the wrapped dataset's version).
    const versions = readdirSync(join(dir, "data/06_models/model.bin")).sort();
    for (const [i, rec] of records(dir).entries()) {
      expect(rec.mlflow?.url).toContain(srv.uri);
      const run = await c.getRun(rec.mlflow.run_id);
      expect(run.info.status).toBe("FINISHED");
      expect(tagsOf(run)).toMatchObject({
        "mlc.run_id": rec.run_id,
        "mlc.executor": rec.executor,
        "mlc.pipeline": "__default__",
        "mlflow.source.type": "LOCAL",
      });
      expect(paramsOf(run)).toMatchObject({ "generator.events": "20000", "model.factors": "16", random_state: "42" });
      const rmse = await history(c, run.info.run_id, "model_rmse");
      expect(rmse).toHaveLength(1);
      expect(rmse[0].value).toBeCloseTo(rec.metrics.model_rmse, 9);
      expect(await history(c, run.info.run_id, "train_rmse")).toHaveLength(1); // logMetric() from node code
      const paths = await artifactPaths(c, run);
      expect(paths).toEqual(
        expect.arrayContaining(["mlc/graph.json", "mlc/pipeline.mmd", "mlc/run.json", "models/model.bin"]),
      );
      const version = rec.datasets.find((d: any) => d.name === "model")?.version ?? versions[i];
      const saved = readFileSync(join(dir, "data/06_models/model.bin", version, "model.bin"));
      expect((await download(c, run, "models/model.bin")).equals(saved)).toBe(true);
    }
    expect(readdirSync(join(dir, ".mlc", "outbox")).filter((f) => f.endsWith(".jsonl"))).toEqual([]);
  }, 300_000);

  it("an interrupted run (SIGINT) is KILLED in MLflow with what it logged", async (ctx) => {
    const srv = fx.get(ctx);
    const dir = copyProject(join(REPO, "test/fixtures/tracking/mlflow/slow"));
    const env = { ...process.env, CI: "true", NO_COLOR: "1", MLFLOW_TEST_URI: srv.uri, MLFLOW_TRACKING_URI: "" };
    const child = spawn(process.execPath, [join(REPO, "bin/mlc.js"), "run", "--project", dir], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    for (let i = 0; i < 200 && !/wait/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    expect(await exited, out).toBe(130);
    const [rec] = records(dir);
    expect(rec.status).toBe("interrupted");
    const c = client(srv.uri);
    const run = await c.getRun(rec.mlflow.run_id);
    expect(run.info.status).toBe("KILLED");
    expect(await history(c, run.info.run_id, "progress")).toHaveLength(50);
    expect((await history(c, run.info.run_id, "score_metric"))[0].value).toBe(100);
  }, 300_000);
});
