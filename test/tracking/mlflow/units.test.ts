// The pure parts of the MLflow mirror (no server): batching within the server limits, key
// sanitising, long params, flattening, JSON encoding, config defaults, the event file, the run's
// lock, credentials scrubbed from server answers.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyLongParams,
  chunkBatches,
  encodeJson,
  flattenParams,
  LIMITS,
  sanitizeKey,
} from "../../../tracking/mlflow/batcher.js";
import { MlflowClient, proxyPath, safeUri } from "../../../tracking/mlflow/client.js";
import { loadProjectTracking } from "../../../cli/mlflow-project.js";
import { resolveTrackingConfig } from "../../../tracking/mlflow/config.js";
import {
  EventLog,
  lockRun,
  outboxDir,
  queuedRuns,
  readEvents,
  readProgress,
  removeRun,
  writeProgress,
} from "../../../tracking/mlflow/event-log.js";
import { tmpRoot } from "./helpers.js";

const metric = (i: number) => ({ key: "m", value: i, timestamp: 1, step: i });

describe("batcher", () => {
  it("10,000 metrics make 10 batches of 1000; 250 params make 3 batches of <= 100", () => {
    const b = chunkBatches(
      Array.from({ length: 10_000 }, (_, i) => metric(i)),
      [],
      [],
    );
    expect(b.map((x) => x.metrics.length)).toEqual(Array(10).fill(1000));
    const p = chunkBatches(
      [],
      Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: "v" })),
      [],
    );
    expect(p.map((x) => x.params.length)).toEqual([100, 100, 50]);
  });

  it("keeps every batch under 1000 entities and under 1 MB", () => {
    const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: "x".repeat(6000) }));
    const tags = Array.from({ length: 150 }, (_, i) => ({ key: `t${i}`, value: "y".repeat(8000) }));
    const batches = chunkBatches(
      Array.from({ length: 1500 }, (_, i) => metric(i)),
      params,
      tags,
    );
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
    const p = [
      { key: "long", value: "x".repeat(7000) },
      { key: "ok", value: "y" },
    ];
    expect(applyLongParams(p, "fail")).toMatchObject({ tooLong: ["long"], params: [{ key: "ok" }] });
    expect(applyLongParams(p, "truncate").params[0].value).toHaveLength(LIMITS.paramValueLength);
    expect(applyLongParams(p, "tag")).toMatchObject({
      params: [{ key: "ok" }],
      tags: [{ key: "long", value: "x".repeat(7000) }],
    });
  });

  it("flattens nested params (recursive or one level, custom separator) or keeps them as JSON", () => {
    const params = { model: { lr: 0.1, opt: { name: "adam" } }, list: [1, 2], flag: false, nothing: null };
    expect(flattenParams(params, { flatten: true, recursive: true, sep: "." })).toEqual({
      "model.lr": "0.1",
      "model.opt.name": "adam",
      list: "[1,2]",
      flag: "false",
      nothing: "null",
    });
    expect(flattenParams(params, { flatten: true, recursive: false, sep: "__" })).toMatchObject({
      model__lr: "0.1",
      model__opt: '{"name":"adam"}',
    });
    expect(flattenParams(params, { flatten: false, recursive: true, sep: "." }).model).toBe(
      '{"lr":0.1,"opt":{"name":"adam"}}',
    );
  });
});

describe("client helpers", () => {
  it("sends NaN and ±Infinity as MLflow's strings", () => {
    expect(encodeJson({ a: NaN, b: Infinity, c: -Infinity, d: 1.5 })).toBe(
      '{"a":"NaN","b":"Infinity","c":"-Infinity","d":1.5}',
    );
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
    const c = resolveTrackingConfig(
      { server: { mlflow_tracking_uri: "http://h:1", credentials: "ml" } },
      "proj",
      { ml: { MLFLOW_TRACKING_TOKEN: "tok" } },
      {},
    );
    expect(c).toMatchObject({
      experimentName: "proj",
      restoreDeleted: true,
      flatten: true,
      recursive: true,
      sep: ".",
      longParamsStrategy: "fail",
      onError: "warn",
      nestedRuns: "none",
      uiHost: "127.0.0.1",
      uiPort: 5000,
    });
    expect(c.client).toMatchObject({ uri: "http://h:1", token: "tok" });
  });
  it("delivery: auto waits; background only when asked, never under on_error: fail; MLC_MLFLOW_DELIVERY overrides", () => {
    const mode = (tracking: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
      resolveTrackingConfig({ server: { mlflow_tracking_uri: "http://h:1" }, tracking }, "p", {}, env).delivery;
    expect(mode({})).toBe("wait");
    expect(mode({ delivery: "auto" })).toBe("wait");
    expect(mode({ delivery: "background" })).toBe("background");
    expect(mode({ delivery: "background", on_error: "fail" })).toBe("wait");
    expect(mode({ delivery: "background" }, { MLC_MLFLOW_DELIVERY: "wait" })).toBe("wait");
    expect(mode({}, { MLC_MLFLOW_DELIVERY: "background" })).toBe("background");
  });
  it("is off without a URI; MLFLOW_TRACKING_URI turns it on", () => {
    expect(resolveTrackingConfig(null, "p", {}, {}).client).toBeNull();
    expect(
      resolveTrackingConfig(null, "p", {}, { MLFLOW_TRACKING_URI: "http://x:2", MLFLOW_TRACKING_INSECURE_TLS: "true" })
        .client,
    ).toMatchObject({ uri: "http://x:2", insecureTls: true });
  });
  it("`mlc mlflow` commands name the experiment as a run does: pipeline.yml's name, read as YAML, else the folder", () => {
    const named = (pipelineYml: string | null) => {
      const root = tmpRoot();
      mkdirSync(join(root, "conf", "base"), { recursive: true });
      writeFileSync(join(root, "conf", "base", "mlflow.yml"), "server:\n  mlflow_tracking_uri: http://127.0.0.1:5\n");
      if (pipelineYml !== null) writeFileSync(join(root, "pipeline.yml"), `version: 1\n${pipelineYml}nodes: []\n`);
      const pt = loadProjectTracking({ root });
      expect(pt.hasErrors).toBe(false);
      return { name: pt.config.experimentName, folder: basename(root) };
    };
    expect(named('name: "nightly #2" # the second\n').name).toBe("nightly #2");
    expect(named("name: 'it''s'\n").name).toBe("it's");
    expect(named("name: >-\n  folded\n  name\n").name).toBe("folded name");
    for (const yml of [null, "", "name: [a\n"]) {
      const r = named(yml);
      expect(r.name).toBe(r.folder);
    }
  });
});

describe("event file", () => {
  it("reads every event in order; a line cut by a crash is dropped; NaN and ±Infinity come back as numbers", () => {
    const root = tmpRoot();
    const log = new EventLog(root, "r1");
    log.append([
      {
        t: "batch",
        metrics: [
          { key: "m", value: NaN, timestamp: 1, step: 0 },
          { key: "m", value: -Infinity, timestamp: 1, step: 1 },
        ],
        params: [],
        tags: [],
      },
    ]);
    appendFileSync(join(outboxDir(root), "r1.jsonl"), '{"t":"end","sta');
    const events = readEvents(root, "r1");
    expect(events).toHaveLength(1);
    const [m0, m1] = (events[0] as { metrics: { value: number }[] }).metrics;
    expect(m0.value).toBeNaN();
    expect(m1.value).toBe(-Infinity);
    expect(queuedRuns(root)).toEqual(["r1"]);
  });

  it("progress survives the process: what was sent and to which MLflow runs", () => {
    const root = tmpRoot();
    expect(readProgress(root, "r2")).toEqual({ sent: 0, runs: {} });
    new EventLog(root, "r2");
    writeProgress(root, "r2", { sent: 3, runs: { "": { run: "R", experiment_id: "1", artifact_uri: "a" } } });
    expect(readProgress(root, "r2")).toMatchObject({ sent: 3, runs: { "": { run: "R" } } });
    removeRun(root, "r2");
    expect(queuedRuns(root)).toEqual([]);
    expect(readProgress(root, "r2").sent).toBe(0);
  });
});

/** A child that sleeps until killed; resolves once it is gone (its pid is then free). */
function sleeper(): { pid: number; kill: () => Promise<void> } {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  return {
    pid: child.pid!,
    kill: () =>
      new Promise((res) => {
        child.once("exit", () => res());
        child.kill("SIGKILL");
      }),
  };
}

describe("a run's lock", () => {
  it("is refused while a live run (of this process or another) holds it, taken over from a dead one", async () => {
    const root = tmpRoot();
    const file = join(outboxDir(root), "r3.lock");
    const release = lockRun(root, "r3")!;
    expect(readFileSync(file, "utf8")).toBe(String(process.pid));
    expect(lockRun(root, "r3")).toBeNull(); // a live run of this very process holds it
    release();
    expect(existsSync(file)).toBe(false);
    const p = sleeper();
    try {
      writeFileSync(file, String(p.pid));
      expect(lockRun(root, "r3")).toBeNull();
    } finally {
      await p.kill();
    }
    const taken = lockRun(root, "r3");
    expect(taken).toBeTypeOf("function");
    taken!();
    expect(existsSync(file)).toBe(false);
  });
});

describe("credentials in what a server sends back", () => {
  it("are scrubbed in every form: plain, percent-encoded, base64, and any Authorization header", () => {
    const pw = "p@ss/w:rd+secret";
    const basic = new MlflowClient({ uri: "http://127.0.0.1:9", username: "ada", password: pw });
    const b64 = Buffer.from(`ada:${pw}`).toString("base64");
    const echoed = `bad: Authorization: Basic ${b64}; pw=${pw}; enc=${encodeURIComponent(pw)}; alone=${Buffer.from(pw).toString("base64")}`;
    const out = basic.scrub(echoed);
    for (const secret of [pw, encodeURIComponent(pw), b64, Buffer.from(pw).toString("base64")])
      expect(out).not.toContain(secret);
    const bearer = new MlflowClient({ uri: "http://127.0.0.1:9", token: "tok-123456" });
    expect(bearer.scrub('{"headers":{"authorization":"Bearer tok-123456"},"x":"tok-123456"}')).not.toContain(
      "tok-123456",
    );
    // A header value this client did not send (a proxy's own) goes too.
    expect(bearer.scrub("Authorization: Bearer other-token-999")).toBe("Authorization: ***");
  });
});
