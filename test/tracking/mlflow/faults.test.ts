// Faults against a REAL MLflow server, through loopback proxies: a lost reply to runs/create makes
// no second run, a SIGKILLed run and a file whose last line was cut are delivered KILLED with what
// they logged, a sync against a server that hangs is bounded, credentials a server echoes back
// never reach a warning, nor the event file; and delivery batches (10,000 metrics: <= 11 requests).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readEvents } from "../../../tracking/mlflow/event-log.js";
import { syncRuns } from "../../../tracking/mlflow/sync.js";
import {
  client,
  config,
  history,
  paramsOf,
  project,
  record,
  runId,
  runsFor,
  startOpts,
  startTracking,
  tmpRoot,
  withEnv,
} from "./helpers.js";
import { startProxy } from "./proxy.js";
import { copyProject, freePort, REPO, useMlflowServer } from "./server.js";

const fx = useMlflowServer({ cli: true });
const EXP = `exp-${process.pid}`;
const outbox = (root: string) => join(root, ".mlc/outbox");

function quiet() {
  const lines: string[] = [];
  const spy = vi
    .spyOn(process.stderr, "write")
    .mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
  return { text: () => lines.join(""), restore: () => spy.mockRestore() };
}

function mlc(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(REPO, "bin/mlc.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, MLFLOW_TRACKING_URI: "", CI: "true", ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A run against a dead server: everything stays queued in the project's outbox. */
async function queuedRun(root: string, metrics = 5): Promise<string> {
  const id = runId();
  const err = quiet();
  try {
    const t = (await startTracking(
      startOpts(project(root, config(`http://127.0.0.1:${await freePort()}`)), id, { a: 1 }),
    ))!;
    for (let s = 0; s < metrics; s++) t.sink.logMetric("m", s, s);
    await t.finish(record(id, "success"));
  } finally {
    err.restore();
  }
  return id;
}

describe("exactly once in MLflow", () => {
  it("a create whose reply is lost is found by its mlc.run_id tag before trying again: one MLflow run", async (ctx) => {
    const srv = fx.get(ctx);
    const proxy = await startProxy(srv.uri, { dropReply: /runs\/create$/ });
    const id = runId();
    try {
      const t = (await startTracking(startOpts(project(tmpRoot(), config(proxy.uri)), id, { a: 1 })))!;
      t.sink.logMetric("m", 1);
      expect(await t.finish(record(id, "success"))).toBeTruthy();
    } finally {
      await proxy.close();
    }
    expect(proxy.seen.filter((s) => s.endsWith("runs/create")).length).toBeGreaterThanOrEqual(1);
    const runs = await runsFor(client(srv.uri), EXP, id);
    expect(runs).toHaveLength(1);
    expect(runs[0].info.status).toBe("FINISHED");
    expect(paramsOf(runs[0])).toEqual({ a: "1" });
  });

  it("a SIGKILLed `mlc run` (streamed while it ran): `mlc mlflow sync` ends it KILLED with what it logged", async (ctx) => {
    const srv = fx.get(ctx);
    const dir = copyProject(join(REPO, "test/fixtures/tracking/mlflow/slow"));
    const env = { ...process.env, CI: "true", NO_COLOR: "1", MLFLOW_TEST_URI: srv.uri, MLFLOW_TRACKING_URI: "" };
    const child = spawn(process.execPath, [join(REPO, "bin/mlc.js"), "run", "--project", dir], {
      env,
      stdio: "ignore",
    });
    const exited = new Promise((r) => child.once("exit", r));
    const logged = () =>
      readEvents(dir, runOf(dir) ?? "").some((e) => e.t === "batch" && e.metrics.some((m) => m.key === "score_metric"));
    for (let i = 0; i < 600 && !logged(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(logged()).toBe(true); // the first node's end made its metrics durable
    // Streamed while the run goes: the server has the run, RUNNING, with the first node's metrics.
    const c = client(srv.uri);
    const streamed = async () => {
      const [r] = await runsFor(c, "slow-tracked", runOf(dir)!);
      return r?.info.status === "RUNNING" && (await history(c, r.info.run_id, "progress")).length === 50;
    };
    for (let i = 0; i < 200 && !(await streamed()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await streamed()).toBe(true);
    child.kill("SIGKILL");
    await exited;
    const sync = mlc(["mlflow", "sync", "--project", dir], { MLFLOW_TEST_URI: srv.uri });
    expect(sync.code, sync.out + sync.err).toBe(0);
    expect(sync.out).toMatch(/1 delivered, 0 pending/);
    const [run] = await runsFor(c, "slow-tracked", runOf(dir)!);
    expect(run.info.status).toBe("KILLED");
    expect(await history(c, run.info.run_id, "progress")).toHaveLength(50);
    expect((await history(c, run.info.run_id, "score_metric"))[0].value).toBe(100);
    expect(existsSync(join(outbox(dir), `${runOf(dir)}.jsonl`))).toBe(false);
  }, 120_000);

  it("an event file whose last line was cut is delivered, ended KILLED", async (ctx) => {
    const srv = fx.get(ctx);
    const root = tmpRoot();
    const id = await queuedRun(root, 7);
    const file = join(outbox(root), `${id}.jsonl`);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    // The end (and run.json) never made it; the crash cut the line being written.
    writeFileSync(
      file,
      lines.filter((l) => !l.startsWith('{"t":"end"') && !l.includes("run.json")).join("\n") + '\n{"t":"batch","metr',
    );
    const results = await syncRuns(root, () => client(srv.uri));
    expect(results.map((r) => r.status)).toEqual(["delivered"]);
    const c = client(srv.uri);
    const [run] = await runsFor(c, EXP, id);
    expect(run.info.status).toBe("KILLED");
    expect(await history(c, run.info.run_id, "m")).toHaveLength(7);
    expect(await syncRuns(root, () => client(srv.uri))).toEqual([]);
  });

  it("`mlc mlflow sync` against a server that hangs on log-batch ends within MLC_MLFLOW_FINISH_TIMEOUT_MS; the run stays queued", async (ctx) => {
    const srv = fx.get(ctx);
    const proxy = await startProxy(srv.uri, { hang: /log-batch$/ });
    const root = tmpRoot();
    writeFileSync(join(root, "pipeline.yml"), "version: 1\nnodes: []\n");
    mkdirSync(join(root, "conf/base"), { recursive: true });
    writeFileSync(
      join(root, "conf/base/mlflow.yml"),
      `server:\n  mlflow_tracking_uri: ${proxy.uri}\ntracking:\n  experiment:\n    name: ${EXP}\n`,
    );
    const id = await queuedRun(root);
    try {
      const t0 = Date.now();
      const r = await new Promise<{ code: number | null; out: string }>((res) => {
        const child = spawn(process.execPath, [join(REPO, "bin/mlc.js"), "mlflow", "sync", "--project", root], {
          env: { ...process.env, MLFLOW_TRACKING_URI: "", MLC_MLFLOW_FINISH_TIMEOUT_MS: "1500" },
        });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        child.on("exit", (code) => res({ code, out }));
      });
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toMatch(/MLC7001 run .* still pending/);
      expect(r.out).toMatch(/0 delivered, 1 pending/);
      expect(proxy.seen.some((s) => s.endsWith("log-batch"))).toBe(true);
    } finally {
      await proxy.close();
    }
    expect(existsSync(join(outbox(root), `${id}.jsonl`))).toBe(true);
  }, 60_000);

  it("10,000 metrics of one run go in at most 11 log-batch requests", async (ctx) => {
    const srv = fx.get(ctx);
    const proxy = await startProxy(srv.uri);
    const id = runId();
    try {
      const t = (await startTracking(startOpts(project(tmpRoot(), config(proxy.uri)), id, { a: 1, b: 2 })))!;
      for (let s = 0; s < 10_000; s++) t.sink.logMetric("loss", s, s);
      await t.finish(record(id, "success"));
    } finally {
      await proxy.close();
    }
    expect(proxy.seen.filter((s) => s.endsWith("log-batch")).length).toBeLessThanOrEqual(11);
    const [run] = await runsFor(client(srv.uri), EXP, id);
    expect(await history(client(srv.uri), run.info.run_id, "loss")).toHaveLength(10_000);
  });
});

describe("secrets stay secret", () => {
  it("a 401 body echoing the request headers does not put the bearer token or the Basic base64 in the MLC7002 warning", async (ctx) => {
    const srv = fx.get(ctx);
    const echo = (req: { headers: Record<string, unknown> }) => ({
      status: 401,
      body: JSON.stringify({
        error_code: "UNAUTHENTICATED",
        message: `denied; you sent ${JSON.stringify(req.headers)}`,
      }),
    });
    const proxy = await startProxy(srv.uri, { answer: echo });
    const token = "tok-Sup3rSecret-0042";
    const [user, password] = ["ada", "pw:Sup3r/Secret+1"];
    const basic = Buffer.from(`${user}:${password}`).toString("base64");
    const err = quiet();
    try {
      for (const auth of [
        { MLFLOW_TRACKING_TOKEN: token },
        { MLFLOW_TRACKING_USERNAME: user, MLFLOW_TRACKING_PASSWORD: password },
      ]) {
        await withEnv(auth, async () => {
          const id = runId();
          const t = (await startTracking(startOpts(project(tmpRoot(), config(proxy.uri)), id)))!;
          expect(await t.finish(record(id, "success"))).toBeNull();
        });
      }
    } finally {
      err.restore();
      await proxy.close();
    }
    const out = err.text();
    expect(out).toMatch(/MLC7002 .*HTTP 401/);
    expect(out).toMatch(/authorization/i); // the echo is there, its value is not
    for (const secret of [token, password, encodeURIComponent(password), basic]) expect(out).not.toContain(secret);
  });

  it("the event file never holds credentials from credentials.yml, the URI or the environment", async () => {
    const root = tmpRoot();
    const credentials = {
      tracking: { MLFLOW_TRACKING_USERNAME: "alice", MLFLOW_TRACKING_PASSWORD: "pw-from-credentials" },
    };
    const dead = `http://bob:pw-in-uri@127.0.0.1:${await freePort()}`;
    const p = project(root, config(dead, { server: { credentials: "tracking" } }), { credentials });
    const id = runId();
    const err = quiet();
    try {
      await withEnv({ MLFLOW_TRACKING_TOKEN: "token-from-env" }, async () => {
        const t = (await startTracking(startOpts(p, id, { a: 1 })))!;
        t.sink.logMetric("m", 1);
        await t.finish(record(id, "success"));
      });
    } finally {
      err.restore();
    }
    const text = readFileSync(join(outbox(root), `${id}.jsonl`), "utf8");
    expect(readEvents(root, id)[0]).toMatchObject({ t: "start", run_id: id, uri: dead.replace("bob:pw-in-uri@", "") });
    for (const secret of ["pw-from-credentials", "pw-in-uri", "token-from-env", "bob:"]) {
      expect(text).not.toContain(secret);
      expect(err.text()).not.toContain(secret);
    }
  });
});

describe("delivery: background", () => {
  it("`mlc run` leaves the run to a detached one-shot sync, which delivers it and links run.json", async (ctx) => {
    const srv = fx.get(ctx);
    const dir = copyProject(join(REPO, "test/fixtures/tracking/mlflow/slow"));
    writeFileSync(join(dir, "src/nodes.ts"), readFileSync(join(dir, "src/nodes.ts"), "utf8").replace("60_000", "10"));
    writeFileSync(
      join(dir, "conf/base/mlflow.yml"),
      `server:\n  mlflow_tracking_uri: ${srv.uri}\ntracking:\n  experiment:\n    name: ${EXP}\n  delivery: background\n`,
    );
    const r = mlc(["run", "--project", dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/queued in \.mlc\/outbox\//);
    const id = runOf(dir)!;
    const recordOf = () => JSON.parse(readFileSync(join(dir, ".mlc/runs", id, "run.json"), "utf8"));
    for (let i = 0; i < 600 && !recordOf().mlflow; i++) await new Promise((res) => setTimeout(res, 50));
    expect(recordOf().mlflow?.url).toContain(srv.uri);
    const [run] = await runsFor(client(srv.uri), EXP, id);
    expect(run.info.status).toBe("FINISHED");
    expect(await history(client(srv.uri), run.info.run_id, "progress")).toHaveLength(50);
    expect(existsSync(join(outbox(dir), `${id}.jsonl`))).toBe(false);
    expect(readFileSync(join(outbox(dir), "deliver.log"), "utf8")).toMatch(/1 delivered, 0 pending/);
  }, 120_000);
});

function runOf(dir: string): string | undefined {
  return existsSync(join(dir, ".mlc/runs")) ? readdirSync(join(dir, ".mlc/runs")).sort()[0] : undefined;
}
