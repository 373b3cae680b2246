// `mlc run`, `mlc runs ls/show` through the real CLI (spawned `node bin/mlc.js`; build first):
// exit codes, progress and summary, the printed error and resume command, --resume, --dry-run,
// SIGINT -> interrupted + 130, usage errors -> 2.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRun } from "../../runs/store.js";
import { cleanupProjects, fixtureProject, readJson } from "../executors/project.js";
import { mlc, spawnMlc } from "../helpers/cli.js";
import { project } from "./hostile.js";

afterAll(cleanupProjects);

/** Run ids, oldest first (by start time: two runs can start within one second). */
const runIds = (root: string) =>
  readdirSync(join(root, ".mlc", "runs"))
    .map((id) => readRun(root, id)!)
    .sort((a, b) => (a.started_at < b.started_at ? -1 : 1))
    .map((r) => r.run_id);

describe("mlc run (CLI)", () => {
  it("runs, prints plain progress lines under CI and a summary table; exit 0", () => {
    const root = fixtureProject("basic");
    const r = mlc(root, "run");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("[1/3] double: started");
    expect(r.stderr).toMatch(/\[3\/3\] report: done \(\d+ ms\)/);
    expect(r.stderr).not.toContain("\x1b[");
    expect(r.stdout).toMatch(/NODE\s+STATUS\s+ATTEMPTS\s+DURATION/);
    expect(r.stdout).toMatch(/stats\s+completed\s+1/);
    expect(r.stdout).toMatch(/Run \d{8}-\d{6}-[0-9a-f]{6} success in .*: 3 completed \(sequential\)/);
    const [id] = runIds(root);
    expect(readRun(root, id)).toMatchObject({ status: "success", command: "mlc run", metrics: { sum: 20 } });
    const shown = JSON.parse(mlc(root, "runs", "show", id, "--json").stdout);
    expect(shown.metric_history.filter((p: { key: string }) => p.key === "value")).toHaveLength(4);
    expect(readJson(root, "data/02_out/total.json")).toBe(20);
  });

  it("--dry-run [--json] prints the plan and runs nothing", () => {
    const root = fixtureProject("basic");
    // (--from-nodes stats would read the memory dataset "doubled" without its producer: MLC4007.)
    const r = mlc(root, "run", "--dry-run", "--json", "--to-nodes", "stats");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ nodes: ["double", "stats"], skipped: [] });
    expect(mlc(root, "run", "--dry-run").stdout).toMatch(
      /Plan: 3 nodes would run, in this order:\n\s+1\. double\n\s+2\. stats\n\s+3\. report/,
    );
    expect(existsSync(join(root, ".mlc", "runs"))).toBe(false);
  });

  it("on failure prints MLC5001 with the user's source frames and the resume command; --resume finishes; exit 1 then 0", () => {
    const root = fixtureProject("failing");
    const r = mlc(root, "run");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error MLC5001 node "c" failed: c is broken');
    expect(r.stderr).toMatch(/at explode \(src\/nodes\.ts:3:\d+\)/);
    expect(r.stderr).toMatch(/at c \(src\/nodes\.ts:\d+:\d+\)/);
    expect(r.stderr).not.toMatch(/executors\/|\.mlc\/cache|node:internal/);
    expect(r.stderr).toContain("mlc run --from-nodes c,e");
    expect(r.stdout).toMatch(/d\s+not_run\s+0/);
    const [failed] = runIds(root);
    expect(r.stderr).toContain(`mlc run --resume ${failed}`);
    writeFileSync(join(root, "data/switch_c.json"), '{"broken": false}');
    const dry = mlc(root, "run", "--resume", "--dry-run", "--json");
    expect(JSON.parse(dry.stdout)).toEqual({
      nodes: ["c", "d", "e"],
      skipped: [
        { name: "a", reason: `completed in run ${failed}` },
        { name: "b", reason: `completed in run ${failed}` },
      ],
    });
    const again = mlc(root, "run", "--resume");
    expect(again.code).toBe(0);
    expect(readJson(root, "data/out.json")).toEqual({ result: 90 });
    const resumed = readRun(root, runIds(root)[1])!;
    expect(resumed.selection).toEqual({ from_nodes: ["c", "e"] });
    expect(resumed.nodes.map((n) => n.name)).toEqual(["c", "d", "e"]);
  });

  it("--resume RUN_ID of a run killed mid-way (record still running) resumes from its completed nodes", () => {
    const root = fixtureProject("failing");
    writeFileSync(join(root, "data/switch_c.json"), '{"broken": false}');
    const id = "20261126-010203-abcdef";
    const node = (name: string) => ({ name, status: "completed", attempts: 1, duration_ms: 1 });
    const record = {
      run_id: id,
      status: "running",
      started_at: "2026-11-26T01:02:03.000Z",
      finished_at: null,
      executor: "sequential",
      pipeline: "__default__",
      selection: {},
      params: {},
      graph_hash: "0".repeat(64),
      git_commit: null,
      env: "local",
      command: "mlc run",
      nodes: [node("a"), node("b")],
      metrics: {},
      datasets: [],
    };
    mkdirSync(join(root, ".mlc", "runs", id), { recursive: true });
    writeFileSync(join(root, ".mlc", "runs", id, "run.json"), JSON.stringify(record));
    writeFileSync(join(root, "data/p.json"), "[20, 30, 40]"); // what b saved before the crash
    // b's output p is persisted, so c restarts from it; e never ran.
    expect(JSON.parse(mlc(root, "run", "--resume", id, "--dry-run", "--json").stdout).nodes).toEqual(["c", "d", "e"]);
    expect(mlc(root, "run", "--resume", id, "--quiet").code).toBe(0);
    expect(readJson(root, "data/out.json")).toEqual({ result: 90 });
  });

  it("MLC5004 and MLC5002 are printed with their codes; exit 1", () => {
    const root = fixtureProject("behaviours");
    const shape = mlc(root, "run", "--nodes", "wrong_list");
    expect(shape.code).toBe(1);
    expect(shape.stderr).toContain(
      'error MLC5004 node "wrong_list" returned the wrong shape: expected an array of 2 values for outputs [l1, l2], got an array of 3 values',
    );
    const slow = mlc(root, "run", "--nodes", "sleepy");
    expect(slow.code).toBe(1);
    expect(slow.stderr).toContain('error MLC5002 node "sleepy" timed out after 300 ms');
  });

  it("MLC5004 points at the node's outputs: in pipeline.yml (file:line:col and a code frame), under both executors", () => {
    const root = fixtureProject("behaviours");
    for (const executor of ["sequential", "parallel"]) {
      const list = mlc(root, "run", "--nodes", "wrong_list", "--executor", executor);
      expect(list.code).toBe(1);
      expect(list.stderr).toContain('pipeline.yml:12:5 error MLC5004 node "wrong_list" returned the wrong shape');
      expect(list.stderr).toMatch(/> 12 \|     outputs: \[l1, l2\]\n\s+\|     \^+/);
    }
    const map = mlc(root, "run", "--nodes", "wrong_map");
    expect(map.stderr).toContain('pipeline.yml:17:5 error MLC5004 node "wrong_map"');
    // A namespaced node of an included file: that file's own outputs: line.
    const included = project({
      "pipeline.yml": "version: 1\ninclude:\n  - pipeline: parts/p.yml\n    namespace: ns\n    inputs: { raw: raw }\n",
      "parts/p.yml":
        "version: 1\nnodes:\n  - name: pair\n    func: ../src/n.mjs#sum\n    inputs: raw\n    outputs: [x, y]\n",
      "conf/base/catalog.yml": "raw: { type: json, filepath: data/raw.json }\n",
    });
    const ns = mlc(included, "run");
    expect(ns.stderr).toContain('parts/p.yml:6:5 error MLC5004 node "ns.pair"');
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal}: no new node starts, the record says interrupted, exit 130`, async () => {
      const root = fixtureProject("behaviours");
      const child = spawnMlc(root, ["run", "--tags", "interrupt"]);
      let stderr = "";
      child.stderr.on("data", (c) => {
        stderr += c;
        if (stderr.includes("long_sleep: started") && !child.killed) child.kill(signal);
      });
      const code = await new Promise<number | null>((res) => child.on("close", res));
      expect(code).toBe(130);
      expect(stderr).toContain(`${signal}: stopping`);
      const rec = readRun(root, runIds(root)[0])!;
      expect(rec.status).toBe("interrupted");
      expect(rec.nodes.map((n) => n.status)).toEqual(["not_run", "not_run"]);
      expect(rec.finished_at).not.toBeNull();
      expect(stderr).toContain(`mlc run --resume ${rec.run_id}`);
    });
  }

  it("usage mistakes exit 2 with one line", () => {
    const root = fixtureProject("basic");
    expect(mlc(root, "run", "--max-workers", "0")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--max-workers must be a positive integer"),
    });
    expect(mlc(root, "run", "--load-versions", "total")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('"total" is not dataset:version'),
    });
    expect(mlc(root, "run", "--load-versions", "totl:1")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('"totl" is not a versioned dataset'),
    });
    expect(mlc(root, "run", "--resume")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("no failed or interrupted run to resume"),
    });
    expect(mlc(root, "run", "--resume", "--nodes", "stats")).toMatchObject({ code: 2 });
  });
});

describe("mlc runs ls / show", () => {
  it("lists newest first, shows one run, suggests on an unknown id", () => {
    const root = fixtureProject("failing");
    expect(mlc(root, "runs", "ls").stdout).toContain("No runs yet");
    mlc(root, "run");
    writeFileSync(join(root, "data/switch_c.json"), '{"broken": false}');
    mlc(root, "run");
    const ls = JSON.parse(mlc(root, "runs", "ls", "--json").stdout) as { runs: { run_id: string; status: string }[] };
    expect(ls.runs.map((r) => r.status)).toEqual(["success", "failed"]);
    const [newest, oldest] = ls.runs.map((r) => r.run_id);
    expect(runIds(root)).toEqual([oldest, newest]);
    expect(mlc(root, "runs", "ls").stdout).toMatch(new RegExp(`RUN\\s+STATUS[^\\n]*\\n${newest}\\s+success`));
    const show = mlc(root, "runs", "show", oldest, "--json");
    expect(JSON.parse(show.stdout)).toMatchObject({
      run_id: oldest,
      status: "failed",
      error: { code: "MLC5001", node: "c" },
      resume_command: "mlc run --from-nodes c,e",
    });
    expect(mlc(root, "runs", "show", oldest).stdout).toContain("mlc run --from-nodes c,e");
    const typo = oldest.slice(0, -1) + (oldest.endsWith("0") ? "1" : "0");
    expect(mlc(root, "runs", "show", typo)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`did you mean "${oldest}"`),
    });
  });
});

describe("mlc run --env / --load-versions", () => {
  it("--env layers conf/<env> over conf/base and is recorded", () => {
    const root = fixtureProject("basic");
    expect(mlc(root, "run", "--env", "prod").code).toBe(0);
    expect(readJson(root, "data/02_out/total.json")).toBe(100);
    expect(readRun(root, runIds(root)[0])).toMatchObject({ env: "prod", params: { factor: 10 } });
  });

  it("versioned datasets save under the run's version; --load-versions pins what a node loads", () => {
    const root = fixtureProject("versioned");
    expect(mlc(root, "run", "--params", "seed=1").code).toBe(0);
    expect(mlc(root, "run", "--params", "seed=2").code).toBe(0);
    const versions = readdirSync(join(root, "data", "model.json")).sort();
    expect(versions).toHaveLength(2);
    const [first, second] = runIds(root).map((id) => readRun(root, id)!);
    expect(first.datasets).toEqual([
      { name: "model", version: versions[0] },
      { name: "used", version: null },
    ]);
    expect(second.datasets[0]).toEqual({ name: "model", version: versions[1] });
    expect(readJson(root, "data/used.json")).toEqual({ used: 2 });
    const pinned = mlc(root, "run", "--nodes", "consume", "--load-versions", `model:${versions[0]}`);
    expect(pinned.code).toBe(0);
    expect(readJson(root, "data/used.json")).toEqual({ used: 1 });
    const third = readRun(root, runIds(root)[2])!;
    expect(third.datasets).toEqual([
      { name: "model", version: versions[0] },
      { name: "used", version: null },
    ]);
  });
});

describe("progress printer", () => {
  const fakeStream = (isTTY: boolean) => {
    const chunks: string[] = [];
    return {
      chunks,
      stream: { isTTY, columns: 80, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream,
    };
  };
  const events = [
    { type: "node-start", node: "a", attempt: 1, index: 1, total: 2 },
    { type: "node-end", record: { name: "a", status: "completed", attempts: 1, duration_ms: 12 }, index: 1, total: 2 },
    { type: "node-start", node: "b", attempt: 1, index: 2, total: 2 },
    { type: "node-retry", node: "b", attempt: 1, error: { code: "MLC5001", message: "x" } },
    {
      type: "node-end",
      record: { name: "b", status: "failed", attempts: 2, duration_ms: 1500, error: { code: "MLC5001", message: "x" } },
      index: 2,
      total: 2,
    },
  ] as const;

  it("on a terminal: a live status line (n/N, name, elapsed) and a line per finished node", async () => {
    const { createProgress } = await import("../../cli/progress.js");
    const saved = process.env.CI;
    delete process.env.CI;
    process.env.NO_COLOR = "1";
    try {
      const { chunks, stream } = fakeStream(true);
      const p = createProgress(stream);
      for (const e of events) p.onEvent(e as never);
      p.stop();
      const text = chunks.join("");
      expect(text).toMatch(/\[1\/2\] a \d+ ms/);
      expect(text).toContain("\r\x1b[2K");
      expect(text).toContain("[1/2] a: done (12 ms)\n");
      expect(text).toContain("[2/2] b: failed MLC5001 (1.5 s, 2 attempts)\n");
    } finally {
      if (saved !== undefined) process.env.CI = saved;
      delete process.env.NO_COLOR;
    }
  });

  it("piped or under CI: plain lines only, nothing with --quiet", async () => {
    const { createProgress } = await import("../../cli/progress.js");
    const { chunks, stream } = fakeStream(false);
    const p = createProgress(stream);
    for (const e of events) p.onEvent(e as never);
    expect(chunks.join("")).toBe(
      "[1/2] a: started\n[1/2] a: done (12 ms)\n[2/2] b: started\nb: attempt 1 failed (MLC5001: x); retrying\n[2/2] b: failed MLC5001 (1.5 s, 2 attempts)\n",
    );
    const quiet = fakeStream(true);
    createProgress(quiet.stream, { quiet: true }).onEvent(events[0] as never);
    expect(quiet.chunks).toEqual([]);
  });
});
