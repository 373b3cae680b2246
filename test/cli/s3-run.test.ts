// `mlc validate` and `mlc run` with s3:// datasets against a real moto_server: unsupported URL
// schemes are MLC2003 at the path; both executors' workers load and save S3 themselves; no
// credential reaches output, run records or graph.json.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupProjects, fixtureProject } from "../executors/project.js";
import { mlc, mlcWith } from "../helpers/cli.js";
import { startMoto, TEST_KEY_ID, TEST_SECRET, type MotoServer } from "../helpers/moto.js";

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket("runs");
}, 90_000);
afterAll(async () => {
  cleanupProjects();
  await moto?.stop();
});

/** Every file under `dir` as text, for secret scans. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"))
    .join("\n");
}

async function object(key: string): Promise<string> {
  const r = await moto.client.send(new GetObjectCommand({ Bucket: "runs", Key: key }));
  return r.Body!.transformToString();
}

describe("s3:// in a project", () => {
  it("an unsupported URL scheme is MLC2003 at validate, pointing at the path", () => {
    const root = fixtureProject("basic");
    const file = join(root, "conf/base/catalog.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace("data/02_out/total.json", "gcs://bucket/total.json"));
    const r = mlc(root, "validate", "--format", "json");
    expect(r.code).not.toBe(0);
    const d = JSON.parse(r.stdout).diagnostics;
    expect(d).toContainEqual(
      expect.objectContaining({
        code: "MLC2003",
        file: "conf/base/catalog.yml",
        line: 6,
        column: 13,
        message: 'dataset "total": filepath "gcs://bucket/total.json" uses the unsupported URL scheme "gcs://"',
      }),
    );
  });

  for (const executor of ["sequential", "parallel"]) {
    it(`runs with every persisted dataset on S3 (${executor}); no credential anywhere`, async () => {
      const root = fixtureProject("basic");
      const prefix = `s3://runs/${executor}`;
      await moto.client.send(
        new PutObjectCommand({ Bucket: "runs", Key: `${executor}/numbers.json`, Body: "[1, 2, 3, 4]" }),
      );
      const entry = (type: string, key: string) =>
        `  type: ${type}\n  filepath: ${prefix}/${key}\n  credentials: store\n`;
      writeFileSync(
        join(root, "conf/base/catalog.yml"),
        `raw_numbers:\n${entry("json", "numbers.json")}total:\n${entry("json", "total.json")}` +
          `report:\n${entry("json", "report.json")}summary_text:\n${entry("text", "summary.txt")}`,
      );
      writeFileSync(
        join(root, "conf/base/credentials.yml"),
        `store:\n  aws_access_key_id: "{{ env.TEST_KEY }}"\n  aws_secret_access_key: "{{ env.TEST_SECRET }}"\n` +
          `  region_name: us-east-1\n  endpoint_url: ${moto.endpoint}\n`,
      );
      const env = { TEST_KEY: TEST_KEY_ID, TEST_SECRET };
      const r = mlcWith({ env }, root, "run", "--executor", executor);
      expect(r.all).not.toContain("NodeVersionSupportWarning");
      expect(r.code, r.all).toBe(0);
      expect(JSON.parse(await object(`${executor}/total.json`))).toBe(20);
      expect(JSON.parse(await object(`${executor}/report.json`))).toMatchObject({ total: 20, n: 4 });
      expect(mlcWith({ env }, root, "compile").code).toBe(0);
      for (const text of [r.all, allText(join(root, ".mlc"))]) {
        expect(text).not.toContain(TEST_SECRET);
        expect(text).not.toContain(TEST_KEY_ID);
      }
    }, 120_000);
  }
});
