// The pure parts of the MLflow mirror (no server): batching within the server limits, key
// sanitising, long params, flattening, JSON encoding, config defaults, outbox folding.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyLongParams, chunkBatches, flattenParams, LIMITS, sanitizeKey } from "../../../tracking/mlflow/batcher.js";
import { encodeJson, MlflowClient, proxyPath, safeUri } from "../../../tracking/mlflow/client.js";
import { resolveTrackingConfig } from "../../../tracking/mlflow/config.js";
import { outboxDir, pendingOps, readOutbox } from "../../../tracking/mlflow/outbox.js";
import { tmpRoot } from "./helpers.js";
import { mkdirSync } from "node:fs";

const metric = (i: number) => ({ key: "m", value: i, timestamp: 1, step: i });

describe("batcher", () => {
  it("10,000 metrics make 10 batches of 1000; 250 params make 3 batches of <= 100", () => {
    const b = chunkBatches(Array.from({ length: 10_000 }, (_, i) => metric(i)), [], []);
    expect(b.map((x) => x.metrics.length)).toEqual(Array(10).fill(1000));
    const p = chunkBatches([], Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: "v" })), []);
    expect(p.map((x) => x.params.length)).toEqual([100, 100, 50]);
  });

  it("keeps every batch under 1000 entities and under 1 MB", () => {
    const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: "x".repeat(6000) }));
    const tags = Array.from({ length: 150 }, (_, i) => ({ key: `t${i}`, value: "y".repeat(8000) }));
    const batches = chunkBatches(Array.from({ length: 1500 }, (_, i) => metric(i)), params, tags);
    for (const b of batches) {
      expect(b.metrics.length + b.params.length + b.tags.length).toBeLessThanOrEqual(1000);
      expect(b.params.length).toBeLessThanOrEqual(100);
      expect(b.tags.length).toBeLessThanOrEqual(100);
      expect(encodeJson({ run_id: "x".repeat(32), ...b }).length).toBeLessThan(1_000_000);
    }
    expect(batches.flatMap((b) => b.metrics)).toHaveLength(1500);
    expect(batches.flatMap((b) => b.tags)).toHaveLength(150);
  });

  it("sanitises keys to MLflow's characters and refuses unusable ones", () => {
    expect(sanitizeKey("model.lr")).toBe("model.lr");
    expect(sanitizeKey("a b/c-d:e_f")).toBe("a b/c-d:e_f");
    expect(sanitizeKey("acc@top[5]")).toBe("acc_top_5_");
    expect(sanitizeKey("/a//b/")).toBe("a/b");
    expect(sanitizeKey("a/../b")).toBe("a/_/b");
    expect(sanitizeKey("")).toBeNull();
    expect(sanitizeKey("k".repeat(251))).toBeNull();
    expect(sanitizeKey("k".repeat(250))).toHaveLength(250);
  });

  it("long_params_strategy: fail reports, truncate cuts to 6000, tag moves the value to a tag", () => {
    const p = [{ key: "long", value: "x".repeat(7000) }, { key: "ok", value: "y" }];
    expect(applyLongParams(p, "fail")).toMatchObject({ tooLong: ["long"], params: [{ key: "ok" }] });
    expect(applyLongParams(p, "truncate").params[0].value).toHaveLength(LIMITS.paramValueLength);
    expect(applyLongParams(p, "tag")).toMatchObject({ params: [{ key: "ok" }], tags: [{ key: "long", value: "x".repeat(7000) }] });
  });

  it("flattens nested params (recursive or one level, custom separator) or keeps them as JSON", () => {
    const params = { model: { lr: 0.1, opt: { name: "adam" } }, list: [1, 2], flag: false, nothing: null };
    expect(flattenParams(params, { flatten: true, recursive: true, sep: "." })).toEqual({ "model.lr": "0.1", "model.opt.name": "adam", list: "[1,2]", flag: "false", nothing: "null" });
    expect(flattenParams(params, { flatten: true, recursive: false, sep: "__" })).toMatchObject({ model__lr: "0.1", model__opt: '{"name":"adam"}' });
    expect(flattenParams(params, { flatten: false, recursive: true, sep: "." }).model).toBe('{"lr":0.1,"opt":{"name":"adam"}}');
  });
});

describe("client helpers", () => {
  it("sends NaN and ±Infinity as MLflow's strings", () => {
    expect(encodeJson({ a: NaN, b: Infinity, c: -Infinity, d: 1.5 })).toBe('{"a":"NaN","b":"Infinity","c":"-Infinity","d":1.5}');
  });
  it("never prints credentials in a URI", () => {
    expect(safeUri("https://user:s3cret@mlflow.example:8443/base/?x=1")).toBe("https://mlflow.example:8443/base");
    const c = new MlflowClient({ uri: "http://u:pw@127.0.0.1:9/" });
    expect(c.url).toBe("http://127.0.0.1:9");
  });
  it("maps run artifact roots onto the artifacts proxy", () => {
    expect(proxyPath("mlflow-artifacts:/1/abc/artifacts", "models/m.bin")).toBe("1/abc/artifacts/models/m.bin");
    expect(proxyPath("mlflow-artifacts://host:5000/1/abc/artifacts", "")).toBe("1/abc/artifacts");
    expect(() => proxyPath("s3://bucket/1/abc", "x")).toThrow(/--serve-artifacts/);
  });
  it("refuses a non-http tracking URI with MLC7001", () => {
    expect(() => new MlflowClient({ uri: "file:///tmp/mlruns" })).toThrow(expect.objectContaining({ code: "MLC7001" }));
  });
});

describe("config", () => {
  it("applies kedro-mlflow's defaults (flatten on: SPEC) and reads auth from a credentials entry", () => {
    const c = resolveTrackingConfig({ server: { mlflow_tracking_uri: "http://h:1", credentials: "ml" } }, "proj", { ml: { MLFLOW_TRACKING_TOKEN: "tok" } }, {});
    expect(c).toMatchObject({ experimentName: "proj", restoreDeleted: true, flatten: true, recursive: true, sep: ".", longParamsStrategy: "fail", onError: "warn", nestedRuns: "none", uiHost: "127.0.0.1", uiPort: 5000 });
    expect(c.client).toMatchObject({ uri: "http://h:1", token: "tok" });
  });
  it("is off without a URI; MLFLOW_TRACKING_URI turns it on", () => {
    expect(resolveTrackingConfig(null, "p", {}, {}).client).toBeNull();
    expect(resolveTrackingConfig(null, "p", {}, { MLFLOW_TRACKING_URI: "http://x:2", MLFLOW_TRACKING_INSECURE_TLS: "true" }).client).toMatchObject({ uri: "http://x:2", insecureTls: true });
  });
});

describe("outbox", () => {
  it("folds operations and delivery facts, ignoring a torn last line", () => {
    const root = tmpRoot();
    mkdirSync(outboxDir(root), { recursive: true });
    const f = join(outboxDir(root), "r1.jsonl");
    const start = { t: "start", seq: 0, mlc_run_id: "r1", uri: "http://h", experiment: { name: "e", restore_deleted: true, artifact_location: null, tags: [] }, run_name: "n", start_time: 1, tags: [] };
    writeFileSync(f, [start, { t: "batch", seq: 1, metrics: [], params: [{ key: "a", value: "1" }], tags: [] }, { t: "mapped", run: "R", experiment_id: "1", artifact_uri: "mlflow-artifacts:/1/R/artifacts" }, { t: "done", seq: 0 }].map((e) => JSON.stringify(e)).join("\n") + "\n");
    appendFileSync(f, '{"t":"end","seq":2,"sta');
    const s = readOutbox(f);
    expect(s.start?.mlc_run_id).toBe("r1");
    expect(s.mapped.get("")?.run).toBe("R");
    expect(pendingOps(s).map((o) => o.seq)).toEqual([1]);
  });
});
