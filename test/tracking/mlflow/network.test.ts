// TLS options and a slow server, through a loopback proxy in front of a REAL MLflow server; and
// the next tracked run delivering what an earlier run left in the outbox.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { runProject } from "../../../executors/run-project.js";
import {
  client,
  config,
  history,
  project,
  record,
  runId,
  runsFor,
  startOpts,
  tmpRoot,
  withEnv,
  startTracking,
} from "./helpers.js";
import { startProxy } from "./proxy.js";
import { freePort, useMlflowServer } from "./server.js";

const fx = useMlflowServer();
const EXP = `exp-${process.pid}`;

function quiet() {
  const lines: string[] = [];
  const spy = vi
    .spyOn(process.stderr, "write")
    .mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
  return { text: () => lines.join(""), restore: () => spy.mockRestore() };
}

async function oneRun(uri: string, root = tmpRoot()) {
  const id = runId();
  const t = (await startTracking(startOpts(project(root, config(uri)), id, { a: 1 })))!;
  t.sink.logMetric("m", 1);
  return { id, link: await t.finish(record(id, "success")) };
}

describe("network conditions", () => {
  it("https with a self-signed certificate: refused by default, accepted with MLFLOW_TRACKING_SERVER_CERT_PATH or MLFLOW_TRACKING_INSECURE_TLS", async (ctx) => {
    const srv = fx.get(ctx);
    const proxy = await startProxy(srv.uri, { tls: true });
    const err = quiet();
    try {
      const none = await withEnv(
        { MLFLOW_TRACKING_INSECURE_TLS: undefined, MLFLOW_TRACKING_SERVER_CERT_PATH: undefined },
        () => oneRun(proxy.uri),
      );
      expect(none.link).toBeNull();
      const ca = await withEnv({ MLFLOW_TRACKING_SERVER_CERT_PATH: proxy.certPath! }, () => oneRun(proxy.uri));
      expect(ca.link).toBeTruthy();
      const insecure = await withEnv({ MLFLOW_TRACKING_INSECURE_TLS: "true" }, () => oneRun(proxy.uri));
      expect(insecure.link).toBeTruthy();
      expect(await runsFor(client(srv.uri), EXP, ca.id)).toHaveLength(1);
    } finally {
      err.restore();
      await proxy.close();
    }
    expect(err.text()).toMatch(/MLC7001/);
  }, 120_000);

  it("a slow server never stalls the nodes; past the finish budget the rest waits in the outbox", async (ctx) => {
    const srv = fx.get(ctx);
    const proxy = await startProxy(srv.uri, { delayMs: 1500 });
    const err = quiet();
    const root = tmpRoot();
    try {
      await withEnv({ MLC_MLFLOW_FINISH_TIMEOUT_MS: "2000" }, async () => {
        const id = runId();
        const t = (await startTracking(startOpts(project(root, config(proxy.uri)), id)))!;
        const t0 = performance.now();
        for (let s = 0; s < 5000; s++) t.sink.logMetric("m", s, s);
        // Each request through the proxy takes 1.5 s: a logMetric that awaited one could not finish 5,000 calls in less.
        expect(performance.now() - t0).toBeLessThan(1400); // logging only buffers
        const f0 = Date.now();
        await t.finish(record(id, "success"));
        expect(Date.now() - f0).toBeLessThan(6000);
      });
    } finally {
      err.restore();
      await proxy.close();
    }
    expect(err.text()).toMatch(/kept in \.mlc\/outbox/);
    expect(readdirSync(join(root, ".mlc/outbox")).some((f) => f.endsWith(".jsonl"))).toBe(true);
  }, 120_000);

  it("on_error: fail turns what is left undelivered at finish into MLC7001 for the run", async (ctx) => {
    const srv = fx.get(ctx);
    const proxy = await startProxy(srv.uri, { delayMs: 1500 });
    try {
      await withEnv({ MLC_MLFLOW_FINISH_TIMEOUT_MS: "1000" }, async () => {
        const id = runId();
        const p = project(tmpRoot(), config(proxy.uri, { tracking: { on_error: "fail" } }));
        const t = (await startTracking(startOpts(p, id)))!; // healthy enough to start (the run exists)
        for (let s = 0; s < 10; s++) t.sink.logMetric("m", s, s);
        await expect(t.finish(record(id, "success"))).rejects.toMatchObject({
          code: "MLC7001",
          message: expect.stringContaining("mlc mlflow sync"),
        });
      });
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it("on_error: fail through runProject: the run record ends failed with MLC7001 (the outbox keeps the mirror)", async (ctx) => {
    const srv = fx.get(ctx);
    const proxy = await startProxy(srv.uri, { delayMs: 1500 });
    const root = tmpRoot();
    mkdirSync(join(root, "conf/base"), { recursive: true });
    mkdirSync(join(root, "src"), { recursive: true });
    writeFileSync(join(root, "src/n.mjs"), "export const f = () => 1;\n");
    writeFileSync(join(root, "pipeline.yml"), "version: 1\nnodes:\n  - { name: a, func: ./src/n.mjs#f, outputs: x }\n");
    writeFileSync(
      join(root, "conf/base/mlflow.yml"),
      `server: { mlflow_tracking_uri: "${proxy.uri}" }\ntracking: { experiment: { name: ${EXP} }, on_error: fail }\n`,
    );
    const err = quiet();
    try {
      await withEnv({ MLC_MLFLOW_FINISH_TIMEOUT_MS: "1000" }, async () => {
        const out = await runProject({ root });
        expect(out.record).toMatchObject({ status: "failed", error: { code: "MLC7001" } });
        expect(out.record!.nodes[0].status).toBe("completed");
      });
    } finally {
      err.restore();
      await proxy.close();
    }
  }, 120_000);

  it("the next tracked run delivers what an earlier run left in the outbox (no sync needed)", async (ctx) => {
    const srv = fx.get(ctx);
    const root = tmpRoot();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const err = quiet();
    let first: { id: string };
    try {
      first = await oneRun(dead, root);
    } finally {
      err.restore();
    }
    // The earlier run was meant for the dead URI: the next run catches up runs meant for its own server.
    const outbox = join(root, ".mlc/outbox");
    const file = readdirSync(outbox).find((f) => f.endsWith(".jsonl"))!;
    const { readFileSync, writeFileSync } = await import("node:fs");
    writeFileSync(join(outbox, file), readFileSync(join(outbox, file), "utf8").split(dead).join(srv.uri));
    await oneRun(srv.uri, root);
    const runs = await runsFor(client(srv.uri), EXP, first!.id);
    expect(runs).toHaveLength(1);
    expect(await history(client(srv.uri), runs[0].info.run_id, "m")).toHaveLength(1);
    expect(existsSync(join(outbox, file))).toBe(false);
  }, 120_000);
});
