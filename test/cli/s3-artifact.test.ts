// `mlflow.artifact` around datasets that live on S3 (a real moto_server), logged to a REAL MLflow
// server by `mlc run`: a single object, and a partitioned folder (every partition, as a folder).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestRun } from "../../runs/store.js";
import { mlcWith } from "../helpers/cli.js";
import { startMoto, TEST_KEY_ID, TEST_SECRET, type MotoServer } from "../helpers/moto.js";
import { artifactPaths, client, download, tmpRoot } from "../tracking/mlflow/helpers.js";
import { useMlflowServer } from "../tracking/mlflow/server.js";

const fx = useMlflowServer({ cli: true });
let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket("arts");
}, 90_000);
afterAll(() => moto?.stop());

const PIPELINE = `version: 1
nodes:
  - name: split
    func: ./src/n.mjs#split
    outputs: [reports, summary]
`;
const NODES = `export const split = () => [{ a: [1], "deep/b": [2, 3] }, { total: 6 }];\n`;
const CATALOG = `reports:
  type: mlflow.artifact
  artifact_path: reports
  dataset:
    type: partitioned
    path: s3://arts/run/parts
    dataset: json
    filename_suffix: .json
    credentials: store
summary:
  type: mlflow.artifact
  dataset: { type: json, filepath: s3://arts/run/summary.json, credentials: store }
`;

async function object(key: string): Promise<Buffer> {
  const r = await moto.client.send(new GetObjectCommand({ Bucket: "arts", Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

describe("mlflow.artifact on S3", () => {
  it("logs an S3 object and every partition of an S3 partitioned folder to MLflow", async (ctx) => {
    const srv = fx.get(ctx);
    const root = tmpRoot();
    mkdirSync(join(root, "src"));
    mkdirSync(join(root, "conf/base"), { recursive: true });
    writeFileSync(join(root, "pipeline.yml"), PIPELINE);
    writeFileSync(join(root, "src/n.mjs"), NODES);
    writeFileSync(join(root, "conf/base/catalog.yml"), CATALOG);
    writeFileSync(
      join(root, "conf/base/credentials.yml"),
      `store:\n  aws_access_key_id: "{{ env.TEST_KEY }}"\n  aws_secret_access_key: "{{ env.TEST_SECRET }}"\n` +
        `  region_name: us-east-1\n  endpoint_url: ${moto.endpoint}\n`,
    );
    writeFileSync(
      join(root, "conf/base/mlflow.yml"),
      `server:\n  mlflow_tracking_uri: ${srv.uri}\ntracking:\n  experiment:\n    name: s3-artifacts\n`,
    );
    const env = { TEST_KEY: TEST_KEY_ID, TEST_SECRET, MLFLOW_TRACKING_URI: "" };
    const r = mlcWith({ env, timeout: 120_000 }, root, "run");
    expect(r.code, r.all).toBe(0);
    expect(r.all).not.toMatch(/MLC700[12]|not sent/);
    const rec = (await latestRun(root))!;
    const c = client(srv.uri);
    const run = await c.getRun(rec.mlflow!.run_id);
    expect(await artifactPaths(c, run)).toEqual(
      expect.arrayContaining(["reports/parts/a.json", "reports/parts/deep/b.json", "summary.json"]),
    );
    for (const [logged, key] of [
      ["reports/parts/a.json", "run/parts/a.json"],
      ["reports/parts/deep/b.json", "run/parts/deep/b.json"],
      ["summary.json", "run/summary.json"],
    ]) {
      expect((await download(c, run, logged)).equals(await object(key))).toBe(true);
    }
    expect(r.all + JSON.stringify(rec)).not.toContain(TEST_SECRET);
  }, 180_000);
});
