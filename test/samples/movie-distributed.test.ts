// Issue 17's "done when": the movie sample with `--executor distributed` on two `mlc worker`
// processes, each in its OWN working copy (as on other machines), data on a real S3 server
// (conf/s3), tracked in a real MLflow server, one worker SIGKILLed mid-run: the same RMSE as a
// local run, the same MLflow run (metrics, model artifact), and a cache a local run finds up to date.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlcWith, spawnMlc } from "../helpers/cli.js";
import { startMoto, TEST_KEY_ID, TEST_SECRET, type MotoServer } from "../helpers/moto.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { copySample, removeSampleCopies } from "../helpers/sample.js";
import { finished, startWorker } from "../helpers/workers.js";
import { useMlflowServer } from "../tracking/mlflow/server.js";

const SMALL = "generator.events=20000";
const fx = useMlflowServer({ cli: true });
let moto: MotoServer;
let redis: TestRedis;
beforeAll(async () => {
  [moto, redis] = await Promise.all([startMoto(), startRedis()]);
  await moto.createBucket("mlc-movies");
}, 90_000);
afterAll(async () => {
  removeSampleCopies();
  await Promise.all([moto?.stop(), redis?.stop()]);
});

function lastRecord(dir: string) {
  const runs = join(dir, ".mlc", "runs");
  const id = readdirSync(runs).sort().pop()!;
  return JSON.parse(readFileSync(join(runs, id, "run.json"), "utf8"));
}

async function mlflowRun(uri: string, runId: string) {
  const r = await fetch(`${uri}/api/2.0/mlflow/runs/get?run_id=${runId}`);
  const { run } = (await r.json()) as { run: any };
  const files = await fetch(`${uri}/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=models`);
  return { run, artifacts: ((await files.json()) as any).files.map((f: any) => f.path) };
}

describe("movie sample on distributed workers", () => {
  it("two workers in their own checkouts, S3 data, one killed mid-run: same RMSE, MLflow run and cache as local", async (ctx) => {
    const srv = fx.get(ctx);
    const s3 = { MLC_S3_KEY_ID: TEST_KEY_ID, MLC_S3_SECRET: TEST_SECRET, MLC_S3_ENDPOINT: moto.endpoint };
    const env = { ...s3, MLFLOW_TRACKING_URI: srv.uri };
    const local = copySample("movie-recommendation");
    const l = mlcWith({ env, timeout: 180_000 }, local, "run", "--params", SMALL);
    expect(l.code, l.stdout + l.stderr).toBe(0);

    const coordinator = copySample("movie-recommendation");
    const [a, b] = [copySample("movie-recommendation"), copySample("movie-recommendation")];
    const killed = await startWorker(a, redis.url, [], s3);
    const survivor = await startWorker(b, redis.url, [], s3);
    // Killed as soon as it has finished one node: whatever it took next is taken over by the other.
    void killed.waitFor(/: done/).then(() => killed.proc.kill("SIGKILL"));
    const args = ["run", "--env", "s3", "--params", SMALL, "--executor", "distributed", "--queue", redis.url];
    const d = await finished(spawnMlc(coordinator, args, { env }));
    await survivor.stop();
    expect(d.code, d.out).toBe(0);
    expect(killed.proc.signalCode).toBe("SIGKILL");
    expect(survivor.output()).toMatch(/: done/);

    const [lr, dr] = [lastRecord(local), lastRecord(coordinator)];
    expect(dr.executor).toBe("distributed");
    expect(dr.metrics).toEqual(lr.metrics);
    expect(dr.artifacts.map((x: any) => x.artifact_path)).toEqual(lr.artifacts.map((x: any) => x.artifact_path));
    const [lm, dm] = [await mlflowRun(srv.uri, lr.mlflow.run_id), await mlflowRun(srv.uri, dr.mlflow.run_id)];
    expect(dm.run.info.status).toBe("FINISHED");
    const metrics = (m: any) => Object.fromEntries(m.run.data.metrics.map((x: any) => [x.key, x.value]));
    expect(metrics(dm)).toEqual(metrics(lm));
    expect(dm.artifacts).toEqual(lm.artifacts);
    expect(dm.artifacts).toContain("models/model.bin");
    expect(d.out + JSON.stringify(dr)).not.toContain(TEST_SECRET);

    // What the workers made is up to date for a local run of the coordinator's checkout.
    const again = mlcWith({ env, timeout: 180_000 }, coordinator, "run", "--env", "s3", "--params", SMALL);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/success in .*: \d+ cached \(sequential\)/);
  }, 600_000);
});
