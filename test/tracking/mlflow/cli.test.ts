// `mlc mlflow init` / `mlc mlflow ui --no-open`, and mlflow.yml checked by schema/mlflow.schema.json.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tmpRoot } from "./helpers.js";
import { buildDist, REPO } from "./server.js";

beforeAll(buildDist);

function projectDir(): string {
  const root = tmpRoot();
  mkdirSync(join(root, "src"));
  mkdirSync(join(root, "conf/base"), { recursive: true });
  writeFileSync(
    join(root, "pipeline.yml"),
    "version: 1\nnodes:\n  - name: a\n    func: ./src/n.ts#f\n    outputs: x\n",
  );
  writeFileSync(join(root, "src/n.ts"), "export function f(): number {\n  return 1;\n}\n");
  return root;
}

function mlc(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(REPO, "bin/mlc.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, MLFLOW_TRACKING_URI: "", CI: "true", ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("mlc mlflow commands", () => {
  it("init writes a commented conf/local/mlflow.yml that validates, and refuses to overwrite without --force", () => {
    const root = projectDir();
    expect(mlc(["mlflow", "init", "--project", root]).code).toBe(0);
    const text = readFileSync(join(root, "conf/local/mlflow.yml"), "utf8");
    expect(text).toMatch(/^# MLflow tracking/);
    expect(text).toContain("long_params_strategy: fail");
    const v = mlc(["validate", "--project", root]);
    expect(v.code, v.err + v.out).toBe(0);
    const again = mlc(["mlflow", "init", "--project", root]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already exists.*--force/);
    expect(mlc(["mlflow", "init", "--project", root, "--force"]).code).toBe(0);
  });

  it("an unknown or wrong key in mlflow.yml is reported with its code and line", () => {
    const root = projectDir();
    writeFileSync(
      join(root, "conf/base/mlflow.yml"),
      "server:\n  mlflow_tracking_uri: http://127.0.0.1:5000\ntracking:\n  on_eror: warn\n  nested_runs: always\n",
    );
    const v = mlc(["validate", "--project", root, "--format", "json"]);
    expect(v.code).toBe(1);
    const diags = JSON.parse(v.out).diagnostics;
    expect(diags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "MLC2001", file: "conf/base/mlflow.yml", line: 4 }),
        expect.objectContaining({ code: "MLC2003", file: "conf/base/mlflow.yml", line: 5 }),
      ]),
    );
  });

  it("ui --no-open prints the configured server URL without credentials", () => {
    const root = projectDir();
    writeFileSync(
      join(root, "conf/base/mlflow.yml"),
      "server:\n  mlflow_tracking_uri: http://admin:s3cret@127.0.0.1:5999\n",
    );
    const r = mlc(["mlflow", "ui", "--project", root, "--no-open"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("http://127.0.0.1:5999");
    expect(r.out + r.err).not.toContain("s3cret");
  });

  it("sync with nothing queued says so and exits 0", () => {
    const r = mlc(["mlflow", "sync", "--project", projectDir()]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/nothing to deliver/);
  });
});
