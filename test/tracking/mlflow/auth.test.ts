// Basic auth against a REAL `mlflow server --app-name basic-auth`: credentials from
// MLFLOW_TRACKING_USERNAME/PASSWORD or from a credentials.yml entry (server.credentials); a wrong
// password is a warning (MLC7002, never the password) and the run is kept in the outbox.
import { describe, expect, it, vi } from "vitest";
import { MlflowClient } from "../../../tracking/mlflow/client.js";
import {
  client,
  config,
  paramsOf,
  project,
  record,
  runId,
  runsFor,
  startOpts,
  tmpRoot,
  withEnv,
  startTracking,
} from "./helpers.js";
import { useMlflowServer } from "./server.js";

const fx = useMlflowServer({ basicAuth: true });
const EXP = `exp-${process.pid}`;

describe("basic auth", () => {
  it("anonymous requests are refused by the server (the auth app is really on)", async (ctx) => {
    const srv = fx.get(ctx);
    await expect(new MlflowClient({ uri: srv.uri, retries: 0 }).getExperimentByName("Default")).rejects.toMatchObject({
      code: "MLC7002",
      status: 401,
    });
  });

  it("logs with MLFLOW_TRACKING_USERNAME/PASSWORD", async (ctx) => {
    const srv = fx.get(ctx);
    const id = runId();
    await withEnv(
      { MLFLOW_TRACKING_USERNAME: srv.auth!.user, MLFLOW_TRACKING_PASSWORD: srv.auth!.password },
      async () => {
        const t = (await startTracking(startOpts(project(tmpRoot(), config(srv.uri)), id, { a: 1 })))!;
        t.sink.logMetric("m", 2);
        expect(await t.finish(record(id, "success"))).toBeTruthy();
      },
    );
    const [run] = await runsFor(client(srv.uri, srv.auth), EXP, id);
    expect(run.info.status).toBe("FINISHED");
    expect(paramsOf(run)).toEqual({ a: "1" });
  });

  it("logs with a credentials.yml entry named by server.credentials", async (ctx) => {
    const srv = fx.get(ctx);
    const id = runId();
    const creds = {
      mlflow_creds: { MLFLOW_TRACKING_USERNAME: srv.auth!.user, MLFLOW_TRACKING_PASSWORD: srv.auth!.password },
    };
    await withEnv({ MLFLOW_TRACKING_USERNAME: undefined, MLFLOW_TRACKING_PASSWORD: undefined }, async () => {
      const p = project(tmpRoot(), config(srv.uri, { server: { credentials: "mlflow_creds" } }), {
        credentials: creds,
      });
      const t = (await startTracking(startOpts(p, id)))!;
      await t.finish(record(id, "success"));
    });
    expect(await runsFor(client(srv.uri, srv.auth), EXP, id)).toHaveLength(1);
  });

  it("a wrong password warns with MLC7002 (no secret printed) and keeps the run queued", async (ctx) => {
    const srv = fx.get(ctx);
    const id = runId();
    const lines: string[] = [];
    const spy = vi
      .spyOn(process.stderr, "write")
      .mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
    const secret = "Wrong-Secret-123456";
    try {
      await withEnv({ MLFLOW_TRACKING_USERNAME: srv.auth!.user, MLFLOW_TRACKING_PASSWORD: secret }, async () => {
        const t = (await startTracking(startOpts(project(tmpRoot(), config(srv.uri)), id)))!;
        expect(await t.finish(record(id, "success"))).toBeNull();
      });
    } finally {
      spy.mockRestore();
    }
    const out = lines.join("");
    expect(out).toMatch(/MLC7002 .*HTTP 401/);
    expect(out).toContain("mlc mlflow sync");
    expect(out).not.toContain(secret);
    expect(out).not.toContain(srv.auth!.password);
  });
});
