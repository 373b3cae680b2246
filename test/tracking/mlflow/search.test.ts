// Issue #20 item 4: the MLflow mirror carries what MLflow's own search reads, so a filter finds the
// same runs in MLflow (read back with MLflow's Python client) as `mlc runs ls --filter` finds locally.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyProject, REPO, useMlflowServer } from "./server.js";

const fx = useMlflowServer({ cli: true });
const RUNS = 20;

function mlc(dir: string, env: NodeJS.ProcessEnv, args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, "bin/mlc.js"), ...args, "--project", dir], {
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The mlc run ids (tag mlc.run_id) of the MLflow runs `filter` finds, sorted. */
function mlflowSearch(uri: string, filter: string): string[] {
  const py = [
    "import json, sys, mlflow",
    "mlflow.set_tracking_uri(sys.argv[1])",
    "df = mlflow.search_runs(experiment_names=['movies-search'], filter_string=sys.argv[2])",
    "print(json.dumps(sorted(df['tags.mlc.run_id'].tolist()) if len(df) else []))",
  ].join("\n");
  const r = spawnSync(join(REPO, ".venv-mlflow", "bin", "python"), ["-c", py, uri, filter], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, MLFLOW_TRACKING_URI: "" },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

describe("MLflow search over the mirror", () => {
  it("finds the same runs as mlc runs ls --filter, over 20 movie runs with different params", async (ctx) => {
    const srv = fx.get(ctx);
    const dir = copyProject(join(REPO, "samples", "movie-recommendation"));
    mkdirSync(join(dir, "conf", "local"), { recursive: true });
    const yml = `server:\n  mlflow_tracking_uri: "{{ env.MLFLOW_TEST_URI }}"\ntracking:\n  experiment:\n    name: movies-search\n  nested_runs: none\n`;
    writeFileSync(join(dir, "conf", "local", "mlflow.yml"), yml);
    const env = { ...process.env, CI: "true", NO_COLOR: "1", MLFLOW_TEST_URI: srv.uri, MLFLOW_TRACKING_URI: "" };
    for (let i = 0; i < RUNS; i++) {
      const params = `generator.events=3000,model.epochs=${5 + i},model.factors=${4 << (i % 3)},test_size=${i % 2 ? 0.25 : 0.2}`;
      mlc(dir, env, ["run", "--params", params]);
    }
    const local = (filter: string): string[] =>
      (JSON.parse(mlc(dir, env, ["runs", "ls", "--json", "--filter", filter])).runs as { run_id: string }[])
        .map((r) => r.run_id)
        .sort();
    // Small data keeps the runs fast, so the RMSEs sit near 1: split them at their median, not at 0.7.
    const all = JSON.parse(mlc(dir, env, ["runs", "ls", "--json"])).runs as { metrics: { model_rmse: number } }[];
    expect(all).toHaveLength(RUNS);
    const rmses = all.map((r) => r.metrics.model_rmse).sort((a, b) => a - b);
    const cut = (rmses[RUNS / 2 - 1] + rmses[RUNS / 2]) / 2;
    for (const filter of [
      `metrics.model_rmse < ${cut}`,
      "params.test_size = '0.25'",
      `params.model.factors = '8'`,
      `attributes.status = 'FINISHED' and metrics.model_rmse >= ${cut}`,
    ]) {
      const found = local(filter.replace("attributes.status = 'FINISHED'", "attributes.status = 'success'"));
      expect(found.length, filter).toBeGreaterThan(0);
      expect(found.length, filter).toBeLessThan(RUNS);
      expect(mlflowSearch(srv.uri, filter), filter).toEqual(found);
    }
  }, 600_000);
});
