// The "done when" against a REAL MLflow server: the movie sample run twice runs nothing the
// second time (and says so), and its MLflow run still has every metric, param and artifact, with the
// cached nodes in tag mlc.cached_nodes; changing test_size reruns exactly its readers and dependents.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyProject, REPO, useMlflowServer } from "../tracking/mlflow/server.js";
import { mlcWith } from "../helpers/cli.js";
import { lastRun } from "./project.js";

const fx = useMlflowServer();

async function api(uri: string, path: string): Promise<any> {
  const r = await fetch(`${uri}/api/2.0/mlflow/${path}`);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
  return r.json();
}

async function mirrored(uri: string, runId: string) {
  const { run } = await api(uri, `runs/get?run_id=${runId}`);
  const models = await api(uri, `artifacts/list?run_id=${runId}&path=models`);
  return {
    metrics: Object.fromEntries(run.data.metrics.map((m: any) => [m.key, m.value])),
    params: Object.fromEntries(run.data.params.map((p: any) => [p.key, p.value])),
    tags: Object.fromEntries(run.data.tags.map((t: any) => [t.key, t.value])) as Record<string, string>,
    artifacts: (models.files ?? []).map((f: any) => f.path).sort(),
  };
}

describe("movie sample, incremental, tracked in MLflow", () => {
  it("second run caches every node with a complete MLflow run; test_size reruns its readers and dependents", async (ctx) => {
    const srv = fx.get(ctx);
    const dir = copyProject(join(REPO, "samples", "movie-recommendation"));
    const run = (...args: string[]) => {
      const r = mlcWith({ env: { MLFLOW_TRACKING_URI: srv.uri }, timeout: 180_000 }, dir, "run", ...args);
      expect(r.code, r.all).toBe(0);
      return { r, record: lastRun(dir) };
    };
    const small = ["--params", "generator.events=20000"];
    const first = run(...small);
    const second = run(...small);
    expect(second.record.nodes.every((n) => n.status === "cached")).toBe(true);
    expect(second.r.stdout).toContain(
      `Nothing to run: all ${second.record.nodes.length} nodes are up to date (cached).`,
    );
    const a = await mirrored(srv.uri, first.record.mlflow!.run_id);
    const b = await mirrored(srv.uri, second.record.mlflow!.run_id);
    expect(Object.keys(a.metrics).length).toBeGreaterThan(3);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.params).toEqual(a.params);
    expect(b.artifacts).toEqual(a.artifacts);
    expect(b.artifacts.length).toBeGreaterThan(0);
    expect(b.tags["mlc.cached_nodes"].split(",").sort()).toEqual(second.record.nodes.map((n) => n.name).sort());
    expect(a.tags["mlc.cached_nodes"]).toBeUndefined();

    // Before running: status names test_size's readers with the change, and their dependents as upstream.
    const st = mlcWith(
      { timeout: 60_000 },
      dir,
      "status",
      "--json",
      "--params",
      "generator.events=20000,test_size=0.3",
    );
    expect(st.code, st.all).toBe(0);
    const rows = (JSON.parse(st.stdout) as { nodes: { name: string; upstream: boolean; reason: string }[] }).nodes;
    const why = Object.fromEntries(rows.map((n) => [n.name, n.reason]));
    expect(why.train_and_evaluate).toBe("parameter changed (params:test_size: 0.2 -> 0.3)");
    expect(why.evaluate_baseline).toBe("parameter changed (params:test_size: 0.2 -> 0.3)");
    expect(why.process_kafka).toBe("up to date");
    const upstream = rows.filter((n) => n.upstream).map((n) => n.name);
    expect(upstream).toContain("build_report");
    expect(upstream).not.toContain("train_and_evaluate");
    const third = run("--params", "generator.events=20000,test_size=0.3");
    const ran = third.record.nodes.filter((n) => n.status === "completed").map((n) => n.name);
    expect(ran.sort()).toEqual([
      "build_report",
      "evaluate_baseline",
      "select_best",
      "train_and_evaluate",
      "train_candidate@16",
      "train_candidate@32",
      "train_candidate@4",
      "train_candidate@8",
    ]);
    const c = await mirrored(srv.uri, third.record.mlflow!.run_id);
    expect(Object.keys(c.metrics).sort()).toEqual(Object.keys(a.metrics).sort());
    expect(Object.keys(c.params).sort()).toEqual(Object.keys(a.params).sort());
    expect(c.params.test_size).toBe("0.3");
    expect(c.artifacts).toEqual(a.artifacts);
    expect(c.tags["mlc.cached_nodes"].split(",").sort()).toEqual([
      "aggregate_ratings",
      "generate_stream",
      "normalize_minutes",
      "process_kafka",
    ]);
  }, 300_000);
});
