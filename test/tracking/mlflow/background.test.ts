// tracking.delivery: background against a REAL server: `mlc run` exits without waiting on the
// server, the project's deliverer (a detached `mlc mlflow sync --linger`) delivers every run
// exactly as wait would (params, metrics, tags, artifacts byte for byte, status) and adds the
// MLflow link to run.json; runs in quick succession share one deliverer; a server that is down
// leaves the outbox for later and the next run says so.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTrackingConfig } from "../../../tracking/mlflow/config.js";
import { alive } from "../../../tracking/mlflow/outbox.js";
import { artifactPaths, client, history, paramsOf, runsFor, tmpRoot } from "./helpers.js";
import { freePort, mlflowFixture, REPO } from "./server.js";

const fx = mlflowFixture();
beforeAll(async () => {
  await fx.setup();
  // `npm test` has just built dist/; rebuilding here would rewrite it under other test files.
  if (process.env.CI !== "true") spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: REPO, stdio: "inherit" });
}, 300_000);
const deliverers: number[] = [];
afterAll(() => {
  for (const pid of deliverers) if (alive(pid)) process.kill(pid, "SIGTERM");
  return fx.teardown();
});
const EXP = `bg-${process.pid}`;

/** A two-node project logging a param, metric steps and an artifact, tracking to `uri`. */
function projectDir(uri: string): string {
  const root = tmpRoot();
  const nodes = `import { logArtifact, logMetric, logParam } from "mlc-pipelines";\nexport function make(): number[] {\n  return [1, 2, 3];\n}\nexport function score(xs: number[]): number {\n  logParam("inner", "yes");\n  xs.forEach((x, i) => logMetric("loss", 1 / x, i));\n  logArtifact("notes.txt", "extra");\n  return xs.length;\n}\n`;
  mkdirSync(join(root, "src"), { recursive: true });
  writeFileSync(join(root, "src/nodes.ts"), nodes);
  writeFileSync(join(root, "notes.txt"), "artifact bytes\n");
  writeFileSync(join(root, "pipeline.yml"), "version: 1\nnodes:\n  - name: make\n    func: ./src/nodes.ts#make\n    outputs: xs\n  - name: score\n    func: ./src/nodes.ts#score\n    inputs: xs\n    outputs: n\n");
  mkdirSync(join(root, "conf/base"), { recursive: true });
  writeFileSync(join(root, "conf/base/parameters.yml"), "model:\n  lr: 0.5\n");
  writeFileSync(join(root, "conf/base/mlflow.yml"), `server:\n  mlflow_tracking_uri: ${uri}\ntracking:\n  experiment:\n    name: ${EXP}\n`);
  return root;
}

/** `mlc run` with background delivery (what delivery: auto picks at a terminal). */
function run(root: string, env: NodeJS.ProcessEnv = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: "", MLC_MLFLOW_LINGER_S: "3", NO_COLOR: "1", MLC_MLFLOW_DELIVERY: "background", ...env };
  delete e.CI;
  const r = spawnSync(process.execPath, [join(REPO, "bin/mlc.js"), "run", "--project", root, "--quiet"], { cwd: root, encoding: "utf8", env: e, timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

const outbox = (root: string) => join(root, ".mlc", "outbox");
/** Runs not yet delivered: their journal (the run kept it) or outbox (made from it by the deliverer). */
const queued = (root: string) => (existsSync(outbox(root)) ? readdirSync(outbox(root)).filter((f) => f.endsWith(".jsonl") || f.endsWith(".journal")) : []);
const runIds = (root: string) => readdirSync(join(root, ".mlc", "runs")).sort();
const record = (root: string, id: string) => JSON.parse(readFileSync(join(root, ".mlc", "runs", id, "run.json"), "utf8"));
const log = (root: string) => readFileSync(join(outbox(root), "deliver.log"), "utf8");

/** Waits until no run is queued in the outbox (the deliverer sent everything). */
async function drained(root: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (queued(root).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  expect(queued(root), log(root)).toEqual([]);
}

function trackDeliverers(root: string): void {
  for (const m of log(root).matchAll(/pid (\d+)\)/g)) deliverers.push(Number(m[1]));
}

describe("tracking.delivery: background", () => {
  it("auto is background at a terminal, wait in scripts, under CI, in Kubernetes or with on_error: fail", () => {
    const mode = (mlflow: Record<string, unknown>, env: NodeJS.ProcessEnv, tty = true) => resolveTrackingConfig({ server: { mlflow_tracking_uri: "http://h" }, ...mlflow }, "p", {}, env, tty).delivery;
    expect(mode({}, {})).toBe("background");
    expect(mode({}, {}, false)).toBe("wait");
    expect(mode({}, { CI: "true" })).toBe("wait");
    expect(mode({}, { CI: "false" })).toBe("background");
    expect(mode({}, { KUBERNETES_SERVICE_HOST: "10.0.0.1" })).toBe("wait");
    expect(mode({ tracking: { on_error: "fail", delivery: "background" } }, {})).toBe("wait");
    expect(mode({ tracking: { delivery: "wait" } }, {})).toBe("wait");
    expect(mode({ tracking: { delivery: "background" } }, { CI: "true" }, false)).toBe("background");
    expect(mode({}, { CI: "true", MLC_MLFLOW_DELIVERY: "background" }, false)).toBe("background");
  });

  it("a script's `mlc run` (no terminal) waits: the run is on the server when the command returns", async (ctx) => {
    const srv = fx.get(ctx);
    const root = projectDir(srv.uri);
    const e: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: "", NO_COLOR: "1" };
    delete e.CI;
    delete e.MLC_MLFLOW_DELIVERY;
    const r = spawnSync(process.execPath, [join(REPO, "bin/mlc.js"), "run", "--project", root], { cwd: root, encoding: "utf8", env: e, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const id = runIds(root)[0];
    expect(r.stdout).toContain(`MLflow run: ${record(root, id).mlflow.url}`);
    expect(queued(root)).toEqual([]);
    const found = await runsFor(client(srv.uri), EXP, id);
    expect(found.map((f) => f.info.status)).toEqual(["FINISHED"]);
  });

  it("the run exits without waiting; the deliverer mirrors it like wait would and links run.json; a second run reuses the deliverer", async (ctx) => {
    const srv = fx.get(ctx);
    const root = projectDir(srv.uri);
    const first = run(root);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/MLC700/);
    const second = run(root);
    expect(second.code, second.stderr).toBe(0);
    trackDeliverers(root);
    await drained(root);
    // One deliverer served both runs: the second found it alive and started none.
    expect(log(root).match(/delivering in the background/g)).toHaveLength(1);
    expect(spawnSync(process.execPath, [join(REPO, "bin/mlc.js"), "compile", "--project", root], { encoding: "utf8" }).status).toBe(0);
    const c = client(srv.uri);
    for (const id of runIds(root)) {
      const rec = record(root, id);
      expect(rec.mlflow?.url, log(root)).toContain(srv.uri);
      const found = await runsFor(c, EXP, id);
      expect(found).toHaveLength(1);
      const mr = found[0];
      expect(mr.info.run_id).toBe(rec.mlflow.run_id);
      expect(mr.info.status).toBe("FINISHED");
      expect(paramsOf(mr)).toMatchObject({ "model.lr": "0.5", inner: "yes" });
      expect((await history(c, mr.info.run_id, "loss")).map((m) => [m.step, m.value])).toEqual([[0, 1], [1, 0.5], [2, 1 / 3]]);
      expect(await artifactPaths(c, mr)).toEqual(expect.arrayContaining(["extra/notes.txt", "mlc/graph.json", "mlc/pipeline.mmd", "mlc/run.json"]));
      // graph.json and pipeline.mmd are rendered by the deliverer: the same bytes `mlc compile` writes.
      const art = (path: string) => c.downloadArtifact(mr.info.artifact_uri!, path);
      expect((await art("mlc/graph.json")).equals(readFileSync(join(root, "build/graph.json")))).toBe(true);
      expect((await art("mlc/pipeline.mmd")).equals(readFileSync(join(root, "build/pipeline.mmd")))).toBe(true);
      expect((await art("extra/notes.txt")).toString()).toBe("artifact bytes\n");
      expect(JSON.parse((await art("mlc/run.json")).toString())).toMatchObject({ run_id: id, status: "success" });
    }
  });

  it("the deliverer leaves after its quiet spell (pid file gone first); the next run starts a new one", async (ctx) => {
    const srv = fx.get(ctx);
    const root = projectDir(srv.uri);
    expect(run(root, { MLC_MLFLOW_LINGER_S: "1" }).code).toBe(0);
    trackDeliverers(root);
    await drained(root);
    const pidFiles = () => readdirSync(outbox(root)).filter((f) => /^deliverer-[0-9a-f]{16}\.pid$/.test(f));
    expect(pidFiles()).toHaveLength(1);
    const pid = Number(readFileSync(join(outbox(root), pidFiles()[0]), "utf8"));
    const until = Date.now() + 15_000;
    while ((pidFiles().length > 0 || alive(pid)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(pidFiles()).toEqual([]);
    expect(alive(pid)).toBe(false);
    expect(run(root, { MLC_MLFLOW_LINGER_S: "1" }).code).toBe(0);
    trackDeliverers(root);
    await drained(root);
    expect(log(root).match(/delivering in the background/g)).toHaveLength(2);
    for (const id of runIds(root)) expect(record(root, id).mlflow?.url).toContain(srv.uri);
  });

  it("a lingering deliverer serves its own server only: a run meant for another one is not sent to it", async (ctx) => {
    const srv = fx.get(ctx);
    const root = projectDir(srv.uri);
    expect(run(root, { MLC_MLFLOW_LINGER_S: "15" }).code).toBe(0);
    trackDeliverers(root);
    await drained(root);
    // The project now tracks to another (dead) server while the first deliverer still lingers.
    const dead = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(join(root, "conf/base/mlflow.yml"), `server:\n  mlflow_tracking_uri: ${dead}\ntracking:\n  experiment:\n    name: ${EXP}\n`);
    expect(run(root, { MLC_MLFLOW_LINGER_S: "0" }).code).toBe(0);
    trackDeliverers(root);
    const second = runIds(root).find((id) => !record(root, id).mlflow)!;
    const until = Date.now() + 20_000;
    while (!/still pending/.test(log(root)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500)); // several polls of the first deliverer
    expect(queued(root)).toEqual([`${second}.jsonl`]);
    expect(await runsFor(client(srv.uri), EXP, second)).toEqual([]);
  });

  it("a dead server: the run still exits at once, the outbox keeps the run, the next run warns, sync delivers later", async (ctx) => {
    const srv = fx.get(ctx);
    const dead = `http://127.0.0.1:${await freePort()}`;
    const root = projectDir(dead);
    const t0 = Date.now();
    const r = run(root, { MLC_MLFLOW_LINGER_S: "0" });
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
    trackDeliverers(root);
    // The one-shot deliverer gives up on the dead server and says so in its log; the run stays queued.
    const until = Date.now() + 20_000;
    while (!/still pending/.test(log(root)) && Date.now() < until) await new Promise((res) => setTimeout(res, 100));
    expect(log(root)).toMatch(/MLC7001 run \S+ still pending: MLflow server http:\/\/127\.0\.0\.1:\d+ unreachable/);
    expect(queued(root)).toHaveLength(1);
    const show = (id: string) => spawnSync(process.execPath, [join(REPO, "bin/mlc.js"), "runs", "show", id, "--project", root], { encoding: "utf8" }).stdout;
    expect(show(runIds(root)[0])).toMatch(/mlflow: +not delivered yet \(queued in \.mlc\/outbox\/: delivered in the background, or run `mlc mlflow sync`\)/);
    // Undelivered for over a minute: the next run warns (its own mirror is queued as well).
    const stale = join(outbox(root), queued(root)[0]);
    utimesSync(stale, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    const next = run(root, { MLC_MLFLOW_LINGER_S: "0" });
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(/warning MLC7001 1 earlier run is not yet mirrored to MLflow \(see \.mlc\/outbox\/deliver\.log\)/);
    trackDeliverers(root);
    // Its deliverer tries both runs and gives up too (before the config changes under it).
    const until2 = Date.now() + 20_000;
    while ((log(root).match(/^mlflow sync: /gm) ?? []).length < 2 && Date.now() < until2) await new Promise((res) => setTimeout(res, 100));
    expect(log(root)).toMatch(/mlflow sync: 0 delivered, 2 pending/);
    // The server is back: `mlc mlflow sync` with the right URI delivers both (it waits for the
    // second run's deliverer, which may still be trying the dead server).
    writeFileSync(join(root, "conf/base/mlflow.yml"), `server:\n  mlflow_tracking_uri: ${srv.uri}\ntracking:\n  experiment:\n    name: ${EXP}\n`);
    const sync = spawnSync(process.execPath, [join(REPO, "bin/mlc.js"), "mlflow", "sync", "--project", root], { encoding: "utf8", env: { ...process.env, MLFLOW_TRACKING_URI: "" } });
    expect(sync.status, sync.stderr + sync.stdout).toBe(0);
    expect(sync.stdout, log(root)).toMatch(/2 delivered, 0 pending/);
    for (const id of runIds(root)) {
      expect(record(root, id).mlflow?.url).toContain(srv.uri);
      expect(show(id)).toContain(`mlflow:     ${record(root, id).mlflow.url}`);
    }
  });
});
