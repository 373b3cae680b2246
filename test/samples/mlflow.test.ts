// The walkthrough's last step against a REAL MLflow server: run the movie sample with tracking
// on, then find the run the way a user does, with a search filter `metrics.model_rmse < X`
// (0.95 here: the small 20k-line stream gives ~0.91; the default one ~0.66),
// and check the baseline, the parameters and the versioned model artifact are there, and that
// the model is registered as movie_recommender with the alias champion, which a worse second run
// (fewer factors, fewer epochs) does not take: the done-when.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyProject, REPO, useMlflowServer } from "../tracking/mlflow/server.js";
import { mlcWith } from "../helpers/cli.js";

const fx = useMlflowServer();
const dir = copyProject(join(REPO, "samples", "movie-recommendation"));

async function api(uri: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(
    `${uri}/api/2.0/mlflow/${path}`,
    body === undefined
      ? {}
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
  );
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
  return r.json();
}

describe("movie sample tracked in MLflow", () => {
  it("mirrors the run; `metrics.model_rmse < 0.95` finds it with the baseline and the model artifact", async (ctx) => {
    const srv = fx.get(ctx);
    const env = { MLFLOW_TRACKING_URI: srv.uri };
    const r = mlcWith({ env, timeout: 180_000 }, REPO, "run", "--project", dir, "--params", "generator.events=20000");
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const id = readdirSync(join(dir, ".mlc", "runs"))[0];
    const record = JSON.parse(readFileSync(join(dir, ".mlc", "runs", id, "run.json"), "utf8"));
    expect(record.mlflow?.run_id).toBeTruthy();

    const { experiment } = await api(srv.uri, "experiments/get-by-name?experiment_name=movie-recommendation");
    const found = await api(srv.uri, "runs/search", {
      experiment_ids: [experiment.experiment_id],
      filter: "metrics.model_rmse < 0.95",
      order_by: ["metrics.model_rmse ASC"],
    });
    expect(found.runs?.map((x: any) => x.info.run_id)).toEqual([record.mlflow.run_id]);
    const none = await api(srv.uri, "runs/search", {
      experiment_ids: [experiment.experiment_id],
      filter: "metrics.model_rmse < 0.1",
    });
    expect(none.runs ?? []).toEqual([]);

    const run = found.runs[0];
    expect(run.info.status).toBe("FINISHED");
    const metrics = Object.fromEntries(run.data.metrics.map((m: any) => [m.key, m.value]));
    expect(metrics.model_rmse).toBeCloseTo(record.metrics.model_rmse, 6);
    expect(metrics.model_rmse).toBeLessThan(metrics.baseline_rmse * 0.97);
    expect(metrics).toHaveProperty("best_candidate_rmse");
    const params = Object.fromEntries(run.data.params.map((p: any) => [p.key, p.value]));
    expect(params).toMatchObject({ "generator.events": "20000", "model.factors": "16", random_state: "42" });
    const artifacts = await api(srv.uri, `artifacts/list?run_id=${run.info.run_id}&path=models`);
    expect(artifacts.files.map((f: any) => f.path)).toContain("models/model.bin");
    // catalog.yml registers the model: version 1 of movie_recommender, from this run, is the champion.
    const { model_version: champion } = await api(
      srv.uri,
      "registered-models/alias?name=movie_recommender&alias=champion",
    );
    expect(champion).toMatchObject({ version: "1", run_id: run.info.run_id });
    expect(champion.source).toBe(`${run.info.artifact_uri}/models/model.bin`);

    // A second run with fewer factors and epochs fits worse: its model is version 2, the champion stays version 1.
    const worse = mlcWith(
      { env, timeout: 180_000 },
      REPO,
      "run",
      "--project",
      dir,
      "--params",
      "generator.events=20000,model.factors=2,model.epochs=5",
    );
    expect(worse.code, `${worse.stdout}\n${worse.stderr}`).toBe(0);
    const listed = mlcWith(
      { env },
      REPO,
      "runs",
      "ls",
      "--project",
      dir,
      "--json",
      "--order-by",
      "metrics.model_rmse ASC",
    );
    const ranked = JSON.parse(listed.stdout).runs as { run_id: string; params: Record<string, string> }[];
    expect(ranked.map((r) => r.run_id)[0]).toBe(id);
    expect(ranked[1].params["model.factors"]).toBe("2");
    const { model_versions: versions } = await api(
      srv.uri,
      `model-versions/search?filter=${encodeURIComponent("name = 'movie_recommender'")}`,
    );
    expect(versions).toHaveLength(2);
    const after = await api(srv.uri, "registered-models/alias?name=movie_recommender&alias=champion");
    expect(after.model_version).toMatchObject({ version: "1", run_id: run.info.run_id });
  });
});
