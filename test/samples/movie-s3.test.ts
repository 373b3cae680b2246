// The movie sample's `--env s3` (conf/s3/): every persisted dataset in a bucket of a real
// moto_server, under both executors, gives the RMSE of the local run; the trained model, saved
// to S3, is still logged as a run artifact.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlcWith } from "../helpers/cli.js";
import { startMoto, TEST_KEY_ID, TEST_SECRET, type MotoServer } from "../helpers/moto.js";
import { copySample, removeSampleCopies } from "../helpers/sample.js";

const SMALL = "generator.events=20000";

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket("mlc-movies");
}, 90_000);
afterAll(async () => {
  removeSampleCopies();
  await moto?.stop();
});

function run(dir: string, args: string[]): { code: number | null; out: string; record: any } {
  const env = { MLC_S3_KEY_ID: TEST_KEY_ID, MLC_S3_SECRET: TEST_SECRET, MLC_S3_ENDPOINT: moto.endpoint };
  const r = mlcWith({ env, timeout: 180_000 }, dir, "run", "--params", SMALL, ...args);
  const runs = join(dir, ".mlc", "runs");
  const [id] = existsSync(runs) ? readdirSync(runs) : [];
  const record = id ? JSON.parse(readFileSync(join(runs, id, "run.json"), "utf8")) : null;
  return { code: r.code, out: r.stdout + r.stderr, record };
}

describe("movie sample on S3", () => {
  it("gives the same RMSE on local disk and on S3 under both executors", async () => {
    const local = run(copySample("movie-recommendation"), []);
    expect(local.code, local.out).toBe(0);
    for (const executor of ["sequential", "parallel"]) {
      const dir = copySample("movie-recommendation");
      const s3 = run(dir, ["--env", "s3", "--executor", executor]);
      expect(s3.code, s3.out).toBe(0);
      expect(s3.record.metrics.model_rmse).toBe(local.record.metrics.model_rmse);
      expect(s3.record.metrics.best_candidate_rmse).toBe(local.record.metrics.best_candidate_rmse);
      // Nothing persisted went to local disk; the model version is on S3 and logged as an artifact.
      expect(readdirSync(join(dir, "data"), { recursive: true }).filter((f) => String(f).includes("."))).toEqual(
        expect.not.arrayContaining([expect.stringMatching(/\.(csv|json|bin|txt)$/)]),
      );
      const keys = (
        await moto.client.send(new ListObjectsV2Command({ Bucket: "mlc-movies", Prefix: "data/06_models/" }))
      ).Contents!.map((o) => o.Key);
      expect(keys.length).toBeGreaterThan(0);
      const logged = s3.record.artifacts.find((a: { artifact_path: string }) => a.artifact_path === "models");
      expect(logged.path).toMatch(/^\.mlc\/artifacts\/.+\/model\/model\.bin$/);
      expect(existsSync(join(dir, logged.path))).toBe(true);
      expect(s3.out + JSON.stringify(s3.record)).not.toContain(TEST_SECRET);
    }
  }, 600_000);
});
