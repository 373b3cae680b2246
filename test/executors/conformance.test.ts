// One behaviour suite for every executor (DESIGN.md: Hono-style conformance). Each case runs a real
// fixture project (test/fixtures/run/*) through runProject with real files, real node modules
// (TypeScript, bundled into .mlc/cache) and the real catalog. Add an executor name to EXECUTORS
// and it must pass all of this; a skip must state its reason.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProject } from "../../index.js";
import type { RunOptions } from "../../executors/run-project.js";
import { resumeSelection } from "../../executors/resume.js";
import { readMetricHistory, readRun } from "../../runs/store.js";
import { cleanupProjects, fixtureProject, readJson, runRecordErrors } from "./project.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { startWorkers } from "../helpers/workers.js";

const EXECUTORS = ["sequential", "parallel", "distributed"];

// The distributed executor runs each case on a real redis-server with two real `mlc worker`
// processes started in the case's project folder (and stopped after it).
let redis: TestRedis;
beforeAll(async () => void (redis = await startRedis()));
afterAll(async () => {
  await redis?.stop();
  cleanupProjects();
});

for (const executor of EXECUTORS) {
  const run = async (root: string, extra: Partial<RunOptions> = {}) => {
    if (executor !== "distributed") return runProject({ root, executor, ...extra });
    const workers = await startWorkers(root, redis.url);
    try {
      return await runProject({ root, executor, queue: redis.url, ...extra });
    } finally {
      await workers.stop();
    }
  };

  describe(`executor conformance: ${executor}`, () => {
    it("runs a pipeline end to end: outputs on disk, record on disk, logging from node code", async () => {
      const root = fixtureProject("basic");
      const out = await run(root);
      expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const rec = out.record!;
      expect(rec.status).toBe("success");
      expect(rec.executor).toBe(executor);
      expect(rec.nodes.map((n) => [n.name, n.status, n.attempts])).toEqual([
        ["double", "completed", 1],
        ["stats", "completed", 1],
        ["report", "completed", 1],
      ]);
      expect(readJson(root, "data/02_out/total.json")).toBe(20);
      expect(readJson(root, "data/03_report/report.json")).toEqual({ total: 20, n: 4, mean: 5, label: "basic run" });
      expect(readFileSync(join(root, "data/03_report/summary.txt"), "utf8")).toBe("basic run: 20/4");
      expect(rec.metrics).toEqual({ sum: 20, value: 8, mean: 5, n: 4 });
      const history = readMetricHistory(root, rec.run_id);
      expect(history.filter((p) => p.key === "value").map((p) => [p.value, p.step])).toEqual([
        [2, 0],
        [4, 1],
        [6, 2],
        [8, 3],
      ]);
      expect(history.map((p) => p.key)).toEqual(["sum", "value", "value", "value", "value", "mean", "n"]);
      expect(rec.logged_params).toEqual({ factor_seen: "2" });
      expect(rec.tags).toEqual({ stage: "report" });
      expect(rec.params).toMatchObject({ factor: 2, label: "basic run" });
      expect(rec.finished_at).not.toBeNull();
      expect(readRun(root, rec.run_id)).toEqual(JSON.parse(JSON.stringify(rec)));
      expect(await runRecordErrors(readRun(root, rec.run_id))).toEqual([]);
    });

    it("a node reads the mlflow.metric(s) values an earlier node of the run logged", async () => {
      const root = fixtureProject("metrics-flow");
      const rec = (await run(root)).record!;
      expect(rec.status, JSON.stringify(rec.error)).toBe("success");
      expect(readJson(root, "data/verdict.json")).toEqual({ rmse: 0.25, scores: { mae: 0.2, r2: 0.9 }, good: true });
      expect(rec.metrics).toEqual({ rmse: 0.25, "eval.mae": 0.2, "eval.r2": 0.9 });
      // Logged once each, by the save (the consumer's input is the kept value, not a second log).
      expect(readMetricHistory(root, rec.run_id).map((p) => p.key)).toEqual(["rmse", "eval.mae", "eval.r2"]);
    });

    it("--params overrides reach node functions and the record", async () => {
      const root = fixtureProject("basic");
      const rec = (await run(root, { runtimeParams: { factor: 3 } })).record!;
      expect(readJson(root, "data/02_out/total.json")).toBe(30);
      expect(rec.runtime_params).toEqual({ factor: 3 });
    });

    it("a failing node: MLC5001 with the user's frames, dependents not_run, Kedro's resume, resume finishes", async () => {
      const root = fixtureProject("failing");
      const rec = (await run(root)).record!;
      expect(rec.status).toBe("failed");
      expect(rec.error).toMatchObject({ code: "MLC5001", node: "c", message: 'node "c" failed: c is broken' });
      expect(rec.error!.stack).toMatch(/src\/nodes\.ts:\d+/);
      expect(await runRecordErrors(readRun(root, rec.run_id))).toEqual([]);
      expect(rec.error!.stack).not.toMatch(/executors\/|node:internal|node_modules/);
      const statuses = Object.fromEntries(rec.nodes.map((n) => [n.name, n.status]));
      // With more than one slot the independent node e may already have finished when c fails.
      const eDone = executor !== "sequential" && statuses.e === "completed";
      expect(statuses).toEqual({
        a: "completed",
        b: "completed",
        c: "failed",
        d: "not_run",
        e: eDone ? "completed" : "not_run",
      });
      expect(rec.resume_nodes).toEqual(eDone ? ["c"] : ["c", "e"]);
      expect(rec.resume_command).toBe(eDone ? "mlc run --from-nodes c" : "mlc run --from-nodes c,e");
      expect(existsSync(join(root, "data/out.json"))).toBe(false);
      writeFileSync(join(root, "data/switch_c.json"), '{"broken": false}');
      const again = (await run(root, { selection: resumeSelection(rec.selection, rec.resume_nodes!) })).record!;
      expect(again.status).toBe("success");
      expect(again.nodes.map((n) => n.name)).toEqual(eDone ? ["c", "d"] : ["c", "d", "e"]);
      expect(readJson(root, "data/out.json")).toEqual({ result: 90 });
    });

    it("resume walks up past memory inputs to the nearest persisted ancestors", async () => {
      const root = fixtureProject("failing");
      writeFileSync(join(root, "data/switch_b.json"), '{"broken": true}');
      writeFileSync(join(root, "data/switch_c.json"), '{"broken": false}');
      const rec = (await run(root)).record!;
      expect(rec.error).toMatchObject({ code: "MLC5001", node: "b" });
      const eDone = executor !== "sequential" && rec.nodes.find((n) => n.name === "e")!.status === "completed";
      expect(rec.resume_nodes).toEqual(eDone ? ["a"] : ["a", "e"]);
    });

    it("a wrong output shape is MLC5004 saying what was expected and what came back", async () => {
      const root = fixtureProject("behaviours");
      const cases: [string, RegExp][] = [
        [
          "wrong_list",
          /node "wrong_list" returned the wrong shape: expected an array of 2 values for outputs \[l1, l2\], got an array of 3 values/,
        ],
        [
          "wrong_map",
          /expected an object with exactly the keys \{x, y\}, got an object with keys \{x, z\} \(missing y; unexpected z\)/,
        ],
        ["no_return", /expected a value for output "nr", got undefined/],
      ];
      for (const [name, message] of cases) {
        const rec = (await run(root, { selection: { nodes: [name] } })).record!;
        expect(rec.status).toBe("failed");
        expect(rec.error).toMatchObject({ code: "MLC5004", node: name, message: expect.stringMatching(message) });
      }
    });

    it("retries re-run a node and record the attempts", async () => {
      const root = fixtureProject("behaviours");
      const ok = (await run(root, { selection: { nodes: ["flaky"] } })).record!;
      expect(ok.nodes[0]).toMatchObject({ name: "flaky", status: "completed", attempts: 2 });
      expect(readJson(root, "data/flaky_out.json")).toEqual({ attempt: 2, text: "counter" });
      const bad = (await run(root, { selection: { nodes: ["flaky"] }, runtimeParams: { fail_times: 5 } })).record!;
      expect(bad.nodes[0]).toMatchObject({
        status: "failed",
        attempts: 3,
        error: { code: "MLC5001", message: expect.stringContaining("flaky failure 3") },
      });
    });

    it("a timeout fails an async node with MLC5002 and aborts its signal", async () => {
      const root = fixtureProject("behaviours");
      const t0 = Date.now();
      const rec = (await run(root, { selection: { nodes: ["sleepy"] } })).record!;
      expect(Date.now() - t0).toBeLessThan(4000);
      expect(rec.nodes[0]).toMatchObject({
        name: "sleepy",
        status: "failed",
        error: { code: "MLC5002", message: 'node "sleepy" timed out after 300 ms' },
      });
      expect(existsSync(join(root, "data/slept.json"))).toBe(false);
    });

    it("an interrupt starts nothing new and records interrupted", async () => {
      const root = fixtureProject("behaviours");
      const ac = new AbortController();
      const t0 = Date.now();
      const out = await run(root, {
        selection: { tags: ["interrupt"] },
        signal: ac.signal,
        onEvent: (e) => e.type === "node-start" && setTimeout(() => ac.abort(), 200),
      });
      expect(Date.now() - t0).toBeLessThan(5000);
      const rec = out.record!;
      expect(rec.status).toBe("interrupted");
      expect(rec.nodes.map((n) => [n.name, n.status])).toEqual([
        ["long_sleep", "not_run"],
        ["after_long", "not_run"],
      ]);
      expect(rec.resume_nodes).toEqual(["long_sleep"]);
      expect(readRun(root, rec.run_id)!.status).toBe("interrupted");
      expect(await runRecordErrors(readRun(root, rec.run_id))).toEqual([]);
    });

    it("calls the hooks listed in mlc.yml on the main thread with the right arguments", async () => {
      const root = fixtureProject("hooks");
      const log = join(root, "hooks.log");
      process.env.MLC_TEST_HOOK_LOG = log;
      try {
        const rec = (await run(root)).record!;
        expect(rec.status).toBe("success");
        const calls = readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l));
        expect(calls).toEqual([
          { hook: "beforePipelineRun", runId: rec.run_id, nodes: ["first", "second"], executor },
          { hook: "beforeNodeRun", node: "first", inputs: { "params:k": 3 } },
          { hook: "afterDatasetLoaded", dataset: "seed", data: 5, node: "first" },
          { hook: "afterNodeRun", node: "first", inputs: { "params:k": 3, seed: 5 }, outputs: { mid: 15 } },
          { hook: "afterDatasetSaved", dataset: "mid", data: 15, node: "first" },
          { hook: "beforeNodeRun", node: "second", inputs: { mid: 15 } },
          { hook: "afterDatasetLoaded", dataset: "mid", data: 15, node: "second" },
          { hook: "afterNodeRun", node: "second", inputs: { mid: 15 }, outputs: { final: { value: 16 } } },
          { hook: "afterDatasetSaved", dataset: "final", data: { value: 16 }, node: "second" },
          { hook: "afterPipelineRun", runId: rec.run_id, status: "success" },
          { hook: "objectHooks.afterPipelineRun", status: "success" },
        ]);
      } finally {
        delete process.env.MLC_TEST_HOOK_LOG;
      }
    });
  });
}
