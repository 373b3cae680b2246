// A server that goes away: the run neither fails nor stalls, nothing is lost, and
// `mlc mlflow sync` delivers it afterwards exactly once (REAL server, stopped and restarted).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  artifactPaths,
  client,
  config,
  history,
  paramsOf,
  project,
  record,
  runId,
  runsFor,
  startOpts,
  tmpRoot,
  startTracking,
  download,
} from "./helpers.js";
import { freePort, REPO, useMlflowServer } from "./server.js";

const fx = useMlflowServer({ cli: true });
const EXP = `exp-${process.pid}`;

/** A project folder the CLI accepts, tracking to `uri`. */
function projectDir(uri: string): string {
  const root = tmpRoot();
  writeFileSync(join(root, "pipeline.yml"), "version: 1\nnodes: []\n");
  mkdirSync(join(root, "conf/base"), { recursive: true });
  writeFileSync(
    join(root, "conf/base/mlflow.yml"),
    `server:\n  mlflow_tracking_uri: ${uri}\ntracking:\n  experiment:\n    name: ${EXP}\n`,
  );
  return root;
}

function mlc(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync("node", [join(REPO, "bin/mlc.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, MLFLOW_TRACKING_URI: "", MLC_MLFLOW_DELIVERY: "wait", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function captureStderr() {
  const lines: string[] = [];
  const spy = vi
    .spyOn(process.stderr, "write")
    .mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
  return { lines, restore: () => spy.mockRestore() };
}

describe("MLflow outages", () => {
  it("server stopped during a run: the run finishes quickly, the outbox keeps everything, sync delivers it once", async (ctx) => {
    const srv = fx.get(ctx);
    const root = projectDir(srv.uri);
    const art = join(root, "model.bin");
    writeFileSync(art, "model-bytes-v1");
    const id = runId();
    const p = project(root, config(srv.uri));
    const t = (await startTracking(startOpts(p, id, { a: 1, b: { c: "x" } })))!;
    for (let s = 0; s < 1500; s++) t.sink.logMetric("loss", s, s);
    // Wait until the first part reached the server (a fresh server answers its first calls slowly).
    const c0 = client(srv.uri);
    for (let i = 0; i < 150 && (await runsFor(c0, EXP, id)).length === 0; i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(await runsFor(c0, EXP, id)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1000));
    await srv.stop();
    for (let s = 1500; s < 3000; s++) t.sink.logMetric("loss", s, s);
    t.sink.logParam("late", "p");
    t.sink.logArtifact(art, "models");
    const err = captureStderr();
    const t0 = Date.now();
    let link;
    try {
      link = await t.finish(record(id, "success"));
    } finally {
      err.restore();
    }
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err.lines.join("")).toMatch(/MLC7001 .*mlc mlflow sync/);
    expect(err.lines.join("")).not.toMatch(/password|Authorization/i);
    expect(link).toBeTruthy(); // the run had been created before the outage
    expect(existsSync(join(root, ".mlc/outbox", `${id}.jsonl`))).toBe(true);
    writeFileSync(art, "model-bytes-v2-overwritten"); // the outbox kept the logged bytes

    const down = mlc(["mlflow", "sync", "--project", root]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/MLC7001/);

    await srv.start();
    const first = mlc(["mlflow", "sync", "--project", root]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/1 delivered, 0 pending/);
    const second = mlc(["mlflow", "sync", "--project", root]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/nothing to deliver/);

    const c = client(srv.uri);
    const runs = await runsFor(c, EXP, id);
    expect(runs).toHaveLength(1);
    const run = await c.getRun(runs[0].info.run_id);
    expect(run.info.status).toBe("FINISHED");
    expect(paramsOf(run)).toMatchObject({ a: "1", "b.c": "x", late: "p" });
    const loss = await history(c, run.info.run_id, "loss");
    expect(loss).toHaveLength(3000);
    expect(new Set(loss.map((m) => m.step)).size).toBe(3000);
    expect(await artifactPaths(c, run)).toEqual([
      "mlc/graph.json",
      "mlc/pipeline.mmd",
      "mlc/run.json",
      "models/model.bin",
    ]);
    expect((await download(c, run, "models/model.bin")).toString()).toBe("model-bytes-v1");
  }, 300_000);

  it("a dead server costs seconds: warn keeps the run going, fail rejects with MLC7001; sync replays a queued run twice without duplicates", async (ctx) => {
    const srv = fx.get(ctx);
    const dead = `http://127.0.0.1:${await freePort()}`;
    const root = projectDir(srv.uri); // sync will deliver to the live server
    const id = runId();
    const err = captureStderr();
    const t0 = Date.now();
    try {
      const t = (await startTracking(startOpts(project(root, config(dead)), id, { k: "v" })))!;
      for (let s = 0; s < 10; s++) t.sink.logMetric("m", s, s);
      await t.finish(record(id, "failed"));
      await expect(
        startTracking(startOpts(project(tmpRoot(), config(dead, { tracking: { on_error: "fail" } })), runId())),
      ).rejects.toMatchObject({ code: "MLC7001" });
    } finally {
      err.restore();
    }
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(err.lines.join("")).toContain(dead);
    const s1 = mlc(["mlflow", "sync", "--project", root]);
    expect(s1.stderr + s1.stdout).toMatch(/1 delivered, 0 pending/);
    expect(s1.code).toBe(0);
    const s2 = mlc(["mlflow", "sync", "--project", root]);
    expect(s2.stdout + s2.stderr).toMatch(/nothing to deliver/);
    expect(s2.code).toBe(0);
    const c = client(srv.uri);
    const runs = await runsFor(c, EXP, id);
    expect(runs).toHaveLength(1);
    expect(runs[0].info.status).toBe("FAILED");
    expect(await history(c, runs[0].info.run_id, "m")).toHaveLength(10);
  }, 300_000);
});
