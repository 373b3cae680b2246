// Issue #20 item 1: `register:` on an mlflow.artifact dataset makes the logged artifact a version in
// the Model Registry of a REAL server, read back with MLflow's own Python client: linked to its run,
// with its tags and description, the alias on it; delivering again makes no second version; the
// alias follows the newest run, so an older run synced after an outage does not take it back, or
// with `compare:` the better run by a metric.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mlcWith } from "../../helpers/cli.js";
import type { ModelRegistration } from "../../../tracking/sink.js";
import { config, project, record, runId, startOpts, startTracking, tmpRoot } from "./helpers.js";
import { startProxy } from "./proxy.js";
import { freePort, REPO, useMlflowServer } from "./server.js";

const fx = useMlflowServer({ cli: true });
const MODEL = `recommender-${process.pid}`;
const REG: ModelRegistration = { name: MODEL, alias: "champion", tags: { team: "ml", rank: 3 }, description: "MF" };

type Version = { version: string; source: string; run_id: string; tags: Record<string, string>; description: string };
type Registered = { versions: Version[]; champion: string | null };

/** Model `name`'s versions and the version `champion` points at, as MLflow's Python client reads them. */
function registry(uri: string, name = MODEL): Registered {
  const py = [
    "import json, sys, mlflow",
    "c = mlflow.MlflowClient(sys.argv[1])",
    "vs = c.search_model_versions(f\"name = '{sys.argv[2]}'\")",
    "m = c.get_registered_model(sys.argv[2])",
    "print(json.dumps({'champion': m.aliases.get('champion'), 'versions': sorted([{'version': v.version,",
    "  'source': v.source, 'run_id': v.run_id, 'tags': v.tags, 'description': v.description} for v in vs],",
    "  key=lambda v: int(v['version']))}))",
  ].join("\n");
  const r = spawnSync(join(REPO, ".venv-mlflow", "bin", "python"), ["-c", py, uri, name], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, MLFLOW_TRACKING_URI: "" },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/**
 * One tracked run of project `root` against `uri` that logs `model.bin` under models/ with `reg`,
 * then the metric `model_rmse` (after the model, as a pipeline evaluates it after training).
 */
async function trackedRun(root: string, uri: string, reg = REG, rmse = 0.5) {
  const art = join(root, "model.bin");
  writeFileSync(art, `model-${Date.now()}`);
  const id = runId();
  const t = (await startTracking(startOpts(project(root, config(uri)), id)))!;
  t.sink.logArtifact(art, "models", reg);
  t.sink.logMetric("model_rmse", rmse);
  const link = await t.finish(record(id, "success"));
  return { id, mlflowRun: link?.run_id };
}

/** A folder the CLI accepts whose mlflow.yml points at `uri` (where `mlc mlflow sync` delivers). */
function cliProject(uri: string): string {
  const root = tmpRoot();
  writeFileSync(join(root, "pipeline.yml"), "version: 1\nnodes: []\n");
  mkdirSync(join(root, "conf/base"), { recursive: true });
  const yml = `server:\n  mlflow_tracking_uri: ${uri}\ntracking:\n  experiment:\n    name: exp-${process.pid}\n`;
  writeFileSync(join(root, "conf/base/mlflow.yml"), yml);
  return root;
}

function sync(root: string): string {
  const r = mlcWith({ env: { MLC_MLFLOW_DELIVERY: "wait" } }, REPO, "mlflow", "sync", "--project", root);
  expect(r.code, r.all).toBe(0);
  return r.stdout;
}

describe("MLflow Model Registry from register:", () => {
  it("registers once per run, keeps the alias on the newest run, moves it when a later run registers", async (ctx) => {
    const srv = fx.get(ctx);
    const root = cliProject(srv.uri);
    // The oldest run is queued: its server was unreachable while it ran.
    const dead = `http://127.0.0.1:${await freePort()}`;
    const queued = await trackedRun(root, dead);
    expect(queued.mlflowRun).toBeUndefined();

    // A newer run while the server is up: version 1, linked to it, with the alias.
    const newer = await trackedRun(root, srv.uri);
    let reg = registry(srv.uri);
    expect(reg.versions).toHaveLength(1);
    const [v1] = reg.versions;
    expect(v1.run_id).toBe(newer.mlflowRun);
    expect(v1.source).toMatch(new RegExp(`/${newer.mlflowRun}/artifacts/models/model\\.bin$`));
    expect(v1.tags).toEqual({ team: "ml", rank: "3" });
    expect(v1.description).toBe("MF");
    expect(reg.champion).toBe(v1.version);

    // The older run, synced now, is version 2 but does not take the alias back.
    expect(sync(root)).toMatch(/1 delivered, 0 pending/);
    expect(sync(root)).toMatch(/nothing to deliver/);
    reg = registry(srv.uri);
    expect(reg.versions.map((v) => v.version)).toEqual(["1", "2"]);
    expect(reg.versions[1].run_id).not.toBe(newer.mlflowRun);
    expect(reg.champion).toBe("1");

    // A later run takes it.
    const latest = await trackedRun(root, srv.uri);
    reg = registry(srv.uri);
    expect(reg.versions).toHaveLength(3);
    expect(reg.versions[2].run_id).toBe(latest.mlflowRun);
    expect(reg.champion).toBe("3");
  }, 300_000);

  it("a create whose reply was lost is found on re-delivery, not made twice", async (ctx) => {
    const srv = fx.get(ctx);
    const before = registry(srv.uri).versions.length;
    const proxy = await startProxy(srv.uri, { dropReply: /model-versions\/create/ });
    try {
      const root = cliProject(srv.uri);
      const run = await trackedRun(root, proxy.uri);
      expect(proxy.seen.filter((s) => s.includes("model-versions/create"))).toHaveLength(1);
      expect(sync(root)).toMatch(/1 delivered, 0 pending/);
      const reg = registry(srv.uri);
      expect(reg.versions.filter((v) => v.run_id === run.mlflowRun)).toHaveLength(1);
      expect(reg.versions).toHaveLength(before + 1);
      expect(reg.champion).toBe(reg.versions[before].version);
    } finally {
      await proxy.close();
    }
  }, 300_000);

  it("with compare: metrics.model_rmse ASC, a better run takes the alias and a worse later one does not", async (ctx) => {
    const srv = fx.get(ctx);
    const root = cliProject(srv.uri);
    const reg = { name: `${MODEL}-ranked`, alias: "champion", compare: "metrics.model_rmse ASC" };
    const first = await trackedRun(root, srv.uri, reg, 0.7);
    const better = await trackedRun(root, srv.uri, reg, 0.6);
    let ranked = registry(srv.uri, reg.name);
    expect(ranked.versions.map((v) => v.run_id)).toEqual([first.mlflowRun, better.mlflowRun]);
    expect(ranked.champion).toBe("2");
    const worse = await trackedRun(root, srv.uri, reg, 0.65);
    ranked = registry(srv.uri, reg.name);
    expect(ranked.versions.map((v) => v.run_id)).toEqual([first.mlflowRun, better.mlflowRun, worse.mlflowRun]);
    expect(ranked.champion).toBe("2");
  }, 300_000);
});
