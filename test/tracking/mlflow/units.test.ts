// The pure parts of the MLflow mirror (no server): batching within the server limits, key
// sanitising, long params, flattening, JSON encoding, config defaults, outbox folding.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyLongParams, chunkBatches, flattenParams, LIMITS, sanitizeKey } from "../../../tracking/mlflow/batcher.js";
import { encodeJson, MlflowClient, proxyPath, safeUri } from "../../../tracking/mlflow/client.js";
import { resolveTrackingConfig } from "../../../tracking/mlflow/config.js";
import { alive, isLocked, lockHolder, outboxDir, pendingOps, pruneGraphs, readOutbox, sharedGraph, tryLock } from "../../../tracking/mlflow/outbox.js";
import { journalReady, stillExiting } from "../../../tracking/mlflow/sync.js";
import { runUser, tagsWithUser } from "../../../tracking/mlflow/run-info.js";
import { tmpRoot } from "./helpers.js";

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

describe("run processes and locks", () => {
  it("the background deliverer lets a finished run's process leave before delivering it (at most 5 s)", async () => {
    const now = Date.now();
    const state = (pid: number | undefined, end: number | null) => ({
      runId: "r1",
      start: { t: "start", seq: 0, mlc_run_id: "r1", uri: "http://h", experiment: { name: "e", restore_deleted: true, artifact_location: null, tags: [] }, run_name: "n", start_time: now - 100, tags: [], ...(pid ? { pid } : {}) },
      ops: end === null ? [] : [{ t: "end", seq: 1, status: "FINISHED", end_time: end }],
      done: new Set<number>(),
      rejected: new Map<number, string>(),
      mapped: new Map(),
    }) as unknown as Parameters<typeof stillExiting>[0];
    const p = sleeper();
    try {
      expect(stillExiting(state(p.pid, now - 10), now)).toMatch(/still exiting/);
      expect(stillExiting(state(p.pid, now - 6000), now)).toBeNull(); // a long-lived process (mlc as a library)
      expect(stillExiting(state(p.pid, null), now)).toBeNull(); // never ended: a crash, delivered as KILLED
      expect(stillExiting(state(undefined, now - 10), now)).toBeNull(); // written before runs recorded their pid
    } finally {
      await p.kill();
    }
    expect(stillExiting(state(p.pid, now - 10), now)).toBeNull(); // gone
  });

  it("a run's journal becomes its outbox once the run ended (and, for the deliverer, its process left) or its process died", async () => {
    const now = Date.now();
    const journal = (pid: number, endedAgo: number | null) => ({
      file: "j", events: [],
      start: { t: "journal", v: 1, run_id: "r1", pid, uri: "http://h", start_time: now - 100, pipeline: "p", executor: "sequential", command: "mlc run", env: "local", git_commit: null, cfg: {}, params: {}, graph: null },
      end: endedAgo === null ? null : { t: "end", status: "success", finished_at: new Date(now - endedAgo).toISOString(), git_commit: null },
    }) as unknown as Parameters<typeof journalReady>[0];
    const p = sleeper();
    try {
      expect(journalReady(journal(p.pid, null), false, now)).toBe(false); // still running: never touched
      expect(journalReady(journal(p.pid, null), true, now)).toBe(false);
      expect(journalReady(journal(p.pid, 10), false, now)).toBe(true); // ended: mlc mlflow sync takes it
      expect(journalReady(journal(p.pid, 10), true, now)).toBe(false); // the deliverer lets the process leave
      expect(journalReady(journal(p.pid, 6000), true, now)).toBe(true); // ...for at most 5 s
    } finally {
      await p.kill();
    }
    expect(journalReady(journal(p.pid, null), true, now)).toBe(true); // died without ending: delivered KILLED
    expect(journalReady(journal(p.pid, 10), true, now)).toBe(true);
    expect(journalReady(journal(process.pid, null), false, now)).toBe(false); // this process's own run
  });

  it("a run's lock: held for a live process, taken over from a dead one, removed on release", async () => {
    const root = tmpRoot();
    const file = join(outboxDir(root), "r2.lock");
    const release = tryLock(root, "r2")!;
    expect(lockHolder(root, "r2")).toBeNull(); // this process's own lock
    expect(readFileSync(file, "utf8")).toBe(`${process.pid} run`);
    release();
    expect(existsSync(file)).toBe(false);
    expect(isLocked(root, "r2")).toBe(false);
    const p = sleeper();
    try {
      writeFileSync(file, `${p.pid} run`);
      expect(lockHolder(root, "r2")).toBe("run");
      expect(tryLock(root, "r2", "sync")).toBeNull();
    } finally {
      await p.kill();
    }
    const taken = tryLock(root, "r2", "sync");
    expect(taken).toBeTypeOf("function");
    expect(readFileSync(file, "utf8")).toBe(`${process.pid} sync`);
    taken!();
    expect(existsSync(file)).toBe(false);
  });

  it("counts a zombie (ended, not yet reaped) as dead", async () => {
    if (process.platform !== "linux") throw new Error("this test needs Linux /proc");
    // sh starts a short sleep in the background and becomes `sleep 5`, which never reaps it:
    // once the short one ends (after the exec: sh cannot have reaped it), it is a zombie.
    const sh = spawn("sh", ["-c", "sleep 0.3 & echo $!; exec sleep 5"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const pid = Number(await new Promise<string>((res) => sh.stdout.once("data", (d) => res(String(d).trim()))));
      for (let i = 0; i < 100 && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "latin1")); i++) await new Promise((r) => setTimeout(r, 20));
      expect(readFileSync(`/proc/${pid}/stat`, "latin1")).toMatch(/\) Z /);
      expect(alive(pid)).toBe(false);
      expect(alive(sh.pid!)).toBe(true);
    } finally {
      sh.kill("SIGKILL");
    }
  });
});

describe("shared graph snapshots", () => {
  it("runs of one graph share one IR snapshot; pruning keeps referenced and recent ones only", () => {
    const root = tmpRoot();
    const hash = "a".repeat(64);
    const a = sharedGraph(root, hash, '{"ir":1}')!;
    expect(readFileSync(a, "utf8")).toBe('{"ir":1}');
    const old = new Date(Date.now() - 11 * 60_000);
    utimesSync(a, old, old);
    // A second run of the same graph reuses the file (touching it) and writes nothing new.
    expect(sharedGraph(root, hash, "ignored")).toBe(a);
    expect(readFileSync(a, "utf8")).toBe('{"ir":1}');
    expect(Date.now() - statSync(a).mtimeMs).toBeLessThan(60_000);
    expect(sharedGraph(root, "../../etc/passwd", "x")).toBeNull(); // not a hash: the caller snapshots per run
    const dir = join(outboxDir(root), "graphs");
    const b = sharedGraph(root, "b".repeat(64), "{}")!;
    writeFileSync(`${b}.graph.json`, "{}"); // rendered from it at delivery
    const c = sharedGraph(root, "c".repeat(64), "{}")!;
    for (const f of [a, b, `${b}.graph.json`, c]) utimesSync(f, old, old);
    // A queued run references b: b and its rendering stay; a and c, old and unreferenced, go.
    writeFileSync(join(outboxDir(root), "r9.jsonl"), JSON.stringify({ t: "artifact", seq: 3, file: b, path: "mlc/graph.json", render: "graph.json" }) + "\n");
    pruneGraphs(root);
    expect(readdirSync(dir).sort()).toEqual([`${"b".repeat(64)}.json`, `${"b".repeat(64)}.json.graph.json`]);
    // Recent files stay even when unreferenced (a run may be about to reference it).
    const d = sharedGraph(root, "d".repeat(64), "{}")!;
    pruneGraphs(root);
    expect(existsSync(d)).toBe(true);
  });
});

describe("mlflow.user", () => {
  it("is the environment's user; without one the run records its uid and delivery names the account", () => {
    const keep = { LOGNAME: process.env.LOGNAME, USER: process.env.USER, LNAME: process.env.LNAME, USERNAME: process.env.USERNAME };
    try {
      for (const k of Object.keys(keep)) delete process.env[k];
      process.env.USER = "ada";
      expect(runUser()).toEqual({ user: "ada" });
      delete process.env.USER;
      if (typeof process.getuid !== "function") {
        // No uids (Windows): the account is looked up at once.
        expect(runUser()).toEqual({ user: userInfo().username });
        return;
      }
      const who = runUser();
      expect(who).toEqual({ uid: process.getuid() });
      const base = [{ key: "mlflow.runName", value: "r" }, { key: "mlc.run_id", value: "1" }];
      const account = userInfo().username;
      expect(tagsWithUser(base, process.getuid())).toEqual([base[0], { key: "mlflow.user", value: account }, base[1]]);
      expect(tagsWithUser(base, process.getuid() + 1)[1]).toEqual({ key: "mlflow.user", value: `uid ${process.getuid() + 1}` });
      expect(tagsWithUser([...base, { key: "mlflow.user", value: "x" }], 5)).toHaveLength(3); // named at run time: kept
      expect(tagsWithUser(base, undefined)).toEqual(base);
    } finally {
      for (const [k, v] of Object.entries(keep)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
});
