// The journal of a run under delivery: background against a REAL server: what the run wrote is
// replayed by the deliverer into the same MLflow run a run under wait makes (original metric
// times, artifacts as they were when logged, inputs, child runs); a run killed mid-way is
// delivered KILLED with what it logged; a long run goes live from its journal; nothing secret is
// ever written to it; leftovers of a cut-short conversion are redone, never sent twice.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CompiledProject } from "../../../compiler/types.js";
import { startJournal, trackingFor } from "../../../tracking/mlflow/journal.js";
import { journalFile, readJournal } from "../../../tracking/mlflow/journal-format.js";
import { readOutbox } from "../../../tracking/mlflow/outbox.js";
import { syncOutboxes } from "../../../tracking/mlflow/sync.js";
import { convertJournals } from "../../../tracking/mlflow/tracker.js";
import { artifactPaths, client, config, history, paramsOf, project, record, runId, runsFor, tagsOf, tmpRoot, withEnv } from "./helpers.js";
import { mlflowFixture, REPO } from "./server.js";

const fx = mlflowFixture();
beforeAll(() => fx.setup(), 300_000);
afterAll(() => fx.teardown());
const EXP = `exp-${process.pid}`;

function opts(p: CompiledProject, id: string, params: Record<string, unknown> = {}) {
  return { project: p, runId: id, pipeline: "__default__", executor: "sequential", command: "mlc run", env: "local", params, graphIr: JSON.stringify(p.graph), gitCommit: null };
}

/** What a run under background leaves for delivery: the journal, plus the run record it points at. */
function writeRecord(root: string, id: string): void {
  mkdirSync(join(root, ".mlc/runs", id), { recursive: true });
  writeFileSync(join(root, ".mlc/runs", id, "run.json"), JSON.stringify(record(id, "success"), null, 2) + "\n");
}

const outboxFiles = (root: string) => (existsSync(join(root, ".mlc/outbox")) ? readdirSync(join(root, ".mlc/outbox")).filter((f) => /\.(journal|jsonl)$/.test(f)) : []);

describe("a run's journal (delivery: background)", () => {
  it("replays into the run wait would make: params, metric steps at their logged times, NaN/Infinity, artifacts as logged, inputs, child runs, tags", async (ctx) => {
    const srv = fx.get(ctx);
    const root = tmpRoot();
    mkdirSync(join(root, "data"), { recursive: true });
    mkdirSync(join(root, "reports/sub"), { recursive: true });
    writeFileSync(join(root, "data/raw.csv"), "a,b\n1,2\n");
    const model = join(root, "data/model.bin");
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    writeFileSync(model, bytes);
    writeFileSync(join(root, "reports/summary.txt"), "summary\n");
    writeFileSync(join(root, "reports/sub/detail.txt"), "detail\n");
    const ds = { name: "raw", type: "csv", persistent: true, layer: null, filepath: "data/raw.csv", config: { type: "csv" } };
    const p = project(root, config(srv.uri, { tracking: { delivery: "background", nested_runs: "nodes" } }), { datasets: [ds] });
    const cfg = trackingFor(p, "__default__")!;
    expect(cfg.delivery).toBe("background");
    const id = runId();
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const t0 = Date.now();
    const j = startJournal(opts(p, id, { model: { lr: 0.1 }, flag: true }), cfg);
    const node = (name: string) => ({ name }) as never;
    await j.hooks.afterDatasetLoaded?.("raw", null, "a");
    await j.hooks.beforeNodeRun?.(node("a"), {}, {} as never);
    for (let s = 0; s < 1200; s++) j.sink.logMetric("loss", 1 / (s + 1), s);
    j.sink.logMetric("nan", NaN);
    j.sink.logMetric("inf", Infinity, 1);
    j.sink.logMetric("k".repeat(300), 1);
    j.sink.logParam("extra", { a: 1 });
    j.sink.logParam("extra", { a: 2 });
    j.sink.setTag("custom", "yes");
    j.sink.logArtifact(model, "models");
    j.sink.logArtifact(join(root, "reports"));
    await j.hooks.afterNodeRun?.(node("a"), {}, {}, {} as never);
    await j.hooks.beforeNodeRun?.(node("b"), {}, {} as never);
    await j.hooks.onNodeError?.(node("b"), { code: "MLC5001", message: "x" }, {}, {} as never);
    await new Promise((r) => setTimeout(r, 30));
    const t1 = Date.now();
    expect(await j.finish(record(id, "success"))).toBeNull();
    const warned = stderr.mock.calls.map((c) => String(c[0])).join("");
    stderr.mockRestore();
    // The run itself warns about what MLflow cannot take; it sends nothing and loads no tracker.
    expect(warned).toMatch(/warning MLC7002 metric key "k{60}\.\.\." is not usable by MLflow/);
    expect(warned).toMatch(/warning MLC7002 param "extra" logged again with a different value/);
    expect(outboxFiles(root)).toEqual([`${id}.journal`]);
    expect(await runsFor(client(srv.uri), EXP, id)).toEqual([]);
    writeRecord(root, id);
    // Changed after the run logged it, before delivery: the journal kept the run's bytes.
    writeFileSync(model, "overwritten by a later run");

    const results = await syncOutboxes(root, () => client(srv.uri));
    expect(results.map((r) => [r.runId, r.status])).toEqual([[id, "delivered"]]);
    expect(outboxFiles(root)).toEqual([]);
    const c = client(srv.uri);
    const [run] = await runsFor(c, EXP, id);
    expect(run.info.status).toBe("FINISHED");
    expect(paramsOf(run)).toEqual({ "model.lr": "0.1", flag: "true", extra: '{"a":1}' });
    const loss = await history(c, run.info.run_id, "loss");
    expect(loss).toHaveLength(1200);
    expect(loss[1199]).toMatchObject({ step: 1199, value: 1 / 1200 });
    // Logged-at times, not the delivery's.
    for (const m of [loss[0], loss[1199]]) expect(Number(m.timestamp)).toBeGreaterThanOrEqual(t0), expect(Number(m.timestamp)).toBeLessThanOrEqual(t1);
    expect((await history(c, run.info.run_id, "nan"))[0].value).toBeNaN();
    expect((await history(c, run.info.run_id, "inf"))[0]).toMatchObject({ step: 1 });
    expect(tagsOf(run)).toMatchObject({ custom: "yes", "mlc.run_id": id, "mlflow.source.type": "LOCAL", "mlc.executor": "sequential" });
    expect(tagsOf(run)["mlflow.user"]).toBeTruthy();
    expect(await artifactPaths(c, run)).toEqual(["mlc/graph.json", "mlc/pipeline.mmd", "mlc/run.json", "models/model.bin", "reports/sub/detail.txt", "reports/summary.txt"]);
    expect((await c.downloadArtifact(run.info.artifact_uri!, "models/model.bin")).equals(bytes)).toBe(true);
    expect((await c.downloadArtifact(run.info.artifact_uri!, "reports/sub/detail.txt")).toString()).toBe("detail\n");
    expect(JSON.parse((await c.downloadArtifact(run.info.artifact_uri!, "mlc/graph.json")).toString())).toMatchObject({ name: "demo" });
    expect(run.inputs.dataset_inputs.map((d) => d.dataset.name)).toEqual(["raw"]);
    const exp = await c.getExperimentByName(EXP);
    const kids = await c.searchRuns({ experiment_ids: [exp!.experiment_id], filter: `tags.\`mlflow.parentRunId\` = '${run.info.run_id}'` });
    expect(Object.fromEntries(kids.runs.map((r) => [tagsOf(r)["mlc.node"], r.info.status]))).toEqual({ a: "FINISHED", b: "FAILED" });
    // A second sync finds nothing: delivered once.
    expect(await syncOutboxes(root, () => client(srv.uri))).toEqual([]);
    expect(await runsFor(c, EXP, id)).toHaveLength(1);
  });

  it("never holds a secret: credentials from credentials.yml, the URI or the environment stay out of it", async () => {
    const root = tmpRoot();
    const credentials = { tracking: { MLFLOW_TRACKING_USERNAME: "alice", MLFLOW_TRACKING_PASSWORD: "pw-from-credentials" } };
    const p = project(root, config("http://bob:pw-in-uri@127.0.0.1:9", { server: { credentials: "tracking" }, tracking: { delivery: "background" } }), { credentials });
    const id = runId();
    await withEnv({ MLFLOW_TRACKING_TOKEN: "token-from-env" }, async () => {
      const cfg = trackingFor(p, "__default__")!;
      expect(cfg.client).toMatchObject({ password: "pw-from-credentials", token: "token-from-env" });
      const j = startJournal(opts(p, id, { a: 1 }), cfg);
      j.sink.logMetric("m", 1);
      await j.finish(record(id, "success"));
    });
    const text = readFileSync(journalFile(root, id), "utf8");
    for (const secret of ["pw-from-credentials", "pw-in-uri", "token-from-env", "bob:"]) expect(text).not.toContain(secret);
    // Params as MLflow gets them (flattened strings).
    expect(readJournal(journalFile(root, id)).start).toMatchObject({ uri: "http://127.0.0.1:9", run_id: id, params: { a: "1" } });
  });

  it("a conversion cut short is redone from the journal; an outbox already sending keeps its run; a torn journal is dropped once old", async () => {
    const root = tmpRoot();
    const p = project(root, config("http://127.0.0.1:9", { tracking: { delivery: "background" } }));
    const cfg = trackingFor(p, "__default__")!;
    const journalOf = async (id: string) => {
      const j = startJournal(opts(p, id), cfg);
      j.sink.logMetric("m", 1, 0);
      await j.finish(record(id, "success"));
    };
    const dir = join(root, ".mlc/outbox");
    const [a, b] = [runId(), runId()];
    await journalOf(a);
    await journalOf(b);
    // a: a partial outbox, nothing of it sent. b: an outbox that already created the MLflow run.
    writeFileSync(join(dir, `${a}.jsonl`), '{"t":"start","seq":0}\n');
    writeFileSync(join(dir, `${b}.jsonl`), '{"t":"mapped","run":"r1","experiment_id":"1","artifact_uri":"x"}\n');
    const torn = join(dir, "20260101-000000-torn.journal");
    writeFileSync(torn, '{"t":"jour');
    expect(await convertJournals(root, () => true)).toEqual([{ runId: "20260101-000000-torn", problem: "its run is still in progress" }]);
    const sa = readOutbox(join(dir, `${a}.jsonl`));
    expect(sa.start).toMatchObject({ mlc_run_id: a });
    // start, graph.json and pipeline.mmd (from the shared IR), the metric, run.json, the end.
    expect(sa.ops.map((o) => o.t)).toEqual(["start", "artifact", "artifact", "batch", "artifact", "end"]);
    expect(readFileSync(join(dir, `${b}.jsonl`), "utf8")).toContain('"mapped"');
    expect(existsSync(journalFile(root, a)) || existsSync(journalFile(root, b))).toBe(false);
    expect(existsSync(torn)).toBe(true);
    utimesSync(torn, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    expect(await convertJournals(root, () => true)).toEqual([]);
    expect(existsSync(torn)).toBe(false);
  });
});

describe("a run's journal, as `mlc run` writes it", () => {
  /** A project whose node logs metric `step` 0, waits `ms`, logs step 1. */
  function slowProject(uri: string, ms: number): string {
    const root = tmpRoot();
    mkdirSync(join(root, "src"), { recursive: true });
    writeFileSync(join(root, "src/nodes.ts"), `import { logMetric } from "mlc-pipelines";\nexport async function slow(): Promise<number> {\n  logMetric("step", 0, 0);\n  await new Promise((r) => setTimeout(r, ${ms}));\n  logMetric("step", 1, 1);\n  return 1;\n}\n`);
    writeFileSync(join(root, "pipeline.yml"), "version: 1\nnodes:\n  - name: slow\n    func: ./src/nodes.ts#slow\n    outputs: out\n");
    mkdirSync(join(root, "conf/base"), { recursive: true });
    writeFileSync(join(root, "conf/base/mlflow.yml"), `server:\n  mlflow_tracking_uri: ${uri}\ntracking:\n  experiment:\n    name: ${EXP}\n  delivery: background\n`);
    return root;
  }
  const env = (extra: NodeJS.ProcessEnv) => {
    const e: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: "", NO_COLOR: "1", MLC_MLFLOW_LINGER_S: "1", ...extra };
    delete e.CI;
    delete e.MLC_MLFLOW_DELIVERY;
    return e;
  };
  const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const runIdOf = (root: string) => (existsSync(join(root, ".mlc/runs")) ? readdirSync(join(root, ".mlc/runs"))[0] : undefined);

  it("a run killed mid-way: `mlc mlflow sync` delivers what it logged, ended KILLED", async (ctx) => {
    const srv = fx.get(ctx);
    const root = slowProject(srv.uri, 60_000);
    const child = spawn(process.execPath, [join(REPO, "bin/mlc.js"), "run", "--quiet"], { cwd: root, env: env({ MLC_MLFLOW_LIVE_AFTER_MS: "600000" }), stdio: "ignore" });
    const exited = new Promise((r) => child.once("exit", r));
    // Step 0 is in the journal (written within its 250 ms flush).
    await until("step 0 in the journal", () => !!runIdOf(root) && existsSync(journalFile(root, runIdOf(root)!)) && readFileSync(journalFile(root, runIdOf(root)!), "utf8").includes('["m","step",0,0,'));
    child.kill("SIGKILL");
    await exited;
    const id = runIdOf(root)!;
    const sync = spawnSync(process.execPath, [join(REPO, "bin/mlc.js"), "mlflow", "sync"], { cwd: root, encoding: "utf8", env: env({}) });
    expect(sync.status, sync.stdout + sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/1 delivered, 0 pending/);
    const c = client(srv.uri);
    const [run] = await runsFor(c, EXP, id);
    expect(run.info.status).toBe("KILLED");
    expect((await history(c, run.info.run_id, "step")).map((m) => [m.step, m.value])).toEqual([[0, 0]]);
    expect(outboxFiles(root)).toEqual([]);
  });

  it("a run past its first second goes live: the server shows it running, then finished, and no journal is left", async (ctx) => {
    const srv = fx.get(ctx);
    const root = slowProject(srv.uri, 2500);
    const child = spawn(process.execPath, [join(REPO, "bin/mlc.js"), "run", "--quiet"], { cwd: root, env: env({ MLC_MLFLOW_LIVE_AFTER_MS: "300" }), stdio: "ignore" });
    let code: number | null = null;
    const exited = new Promise<void>((r) => child.once("exit", (c) => ((code = c), r())));
    const c = client(srv.uri);
    let seenRunning = false;
    await until("the run on the server while it runs", async () => {
      const id = runIdOf(root);
      if (!id || code !== null) return code !== null;
      const [run] = await runsFor(c, EXP, id);
      if (run?.info.status !== "RUNNING") return false;
      seenRunning = (await history(c, run.info.run_id, "step")).length === 1;
      return seenRunning;
    });
    expect(seenRunning).toBe(true);
    await exited;
    expect(code).toBe(0);
    const id = runIdOf(root)!;
    await until("delivery", () => outboxFiles(root).length === 0);
    const [run] = await runsFor(c, EXP, id);
    expect(run.info.status).toBe("FINISHED");
    expect((await history(c, run.info.run_id, "step")).map((m) => m.step)).toEqual([0, 1]);
  });
});
