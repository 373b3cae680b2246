// Two namespaced copies of a pipeline log their metrics under distinct keys, as with kedro-mlflow;
// two datasets that would log the same key are refused at validate.
import { describe, expect, it } from "vitest";
import { mlc } from "../helpers/cli.js";
import { diagnostics, lastRun, project } from "./hostile.js";

const FILES = {
  "pipeline.yml":
    "version: 1\ninclude:\n  - pipeline: ds.yml\n    namespace: active\n  - pipeline: ds.yml\n    namespace: candidate\n",
  "ds.yml":
    "version: 1\nnodes:\n  - name: evaluate\n    func: ./src/n.mjs#evaluate\n    inputs: params:k\n    outputs: [r2_score, metrics]\n",
  "src/n.mjs": "export const evaluate = (k) => [k, { mae: k * 2 }];\n",
  "conf/base/parameters.yml": "active:\n  k: 1\ncandidate:\n  k: 2\n",
  "conf/base/catalog.yml": '"{ns}.r2_score":\n  type: mlflow.metric\n"{ns}.metrics":\n  type: mlflow.metrics\n',
};

describe("namespaced metrics", () => {
  it("mlflow.metric keys are full dataset names; mlflow.metrics keys take their namespace as prefix", () => {
    const root = project(FILES);
    const r = mlc(root, "run");
    expect(r.code, r.all).toBe(0);
    const run = lastRun(root) as unknown as { metrics: Record<string, number> };
    expect(run.metrics).toEqual({ "active.r2_score": 1, "active.mae": 2, "candidate.r2_score": 2, "candidate.mae": 4 });
  });

  it("two datasets logging the same key are MLC2003 at the key", () => {
    const catalog = '"{ns}.r2_score":\n  type: mlflow.metric\n  key: r2\n"{ns}.metrics":\n  type: mlflow.metrics\n';
    const { code, diags } = diagnostics(project({ ...FILES, "conf/base/catalog.yml": catalog }));
    expect(code).toBe(1);
    expect(diags).toEqual([
      expect.objectContaining({
        code: "MLC2003",
        file: "conf/base/catalog.yml",
        line: 3,
        column: 8,
        message:
          'datasets "active.r2_score" and "candidate.r2_score" both log the MLflow metric "r2": one would overwrite the other',
      }),
    ]);
  });
});
