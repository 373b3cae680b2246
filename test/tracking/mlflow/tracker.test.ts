// The MLflow plugin against a REAL MLflow server: what a run logs is read back through REST.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emitJson } from "../../../compiler/emit/json.js";
import { emitMermaid } from "../../../compiler/emit/mermaid.js";
import { describe, expect, it, vi } from "vitest";
import {
  artifactPaths,
  client,
  config,
  history,
  paramsOf,
  project,
  record,
  runId,
  runsFor,
  startOpts,
  tagsOf,
  tmpRoot,
  startTracking,
  download,
} from "./helpers.js";
import { useMlflowServer } from "./server.js";

const fx = useMlflowServer();
const EXP = `exp-${process.pid}`;

describe("tracker against a real MLflow server", () => {
  it("mirrors params (250, flattened, chunked), 2,500 metric steps, NaN/Infinity, artifacts, inputs, tags and status", async (ctx) => {
    const srv = fx.get(ctx);
    const root = tmpRoot();
    mkdirSync(join(root, "data"), { recursive: true });
    writeFileSync(join(root, "data/raw.csv"), "a,b\n1,2\n");
    const model = join(root, "data/model.bin");
    writeFileSync(model, Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251)));
    const ds = {
      name: "raw",
      type: "csv",
      persistent: true,
      layer: null,
      filepath: "data/raw.csv",
      config: { type: "csv" },
    };
    const p = project(root, config(srv.uri), { datasets: [ds] });
    const id = runId();
    const params: Record<string, unknown> = { model: { lr: 0.1, layers: { n: 3 } }, flag: true };
    for (let i = 0; i < 250; i++) params[`p${String(i).padStart(3, "0")}`] = i;
    const t = (await startTracking(startOpts(p, id, params)))!;
    expect(t).not.toBeNull();
    await t.hooks.afterDatasetLoaded?.("raw", null, "n1");
    for (let s = 0; s < 2500; s++) t.sink.logMetric("loss", 1 / (s + 1), s);
    t.sink.logMetric("nan", NaN);
    t.sink.logMetric("inf", Infinity, 1);
    t.sink.logMetric("ninf", -Infinity, 2);
    t.sink.logMetric("rmse", 0.87);
    t.sink.logParam("extra", { a: 1 });
    t.sink.setTag("custom", "yes");
    t.sink.logArtifact(model, "models");
    const link = await t.finish(record(id, "success"));

    const c = client(srv.uri);
    const runs = await runsFor(c, EXP, id);
    expect(runs).toHaveLength(1);
    const run = await c.getRun(runs[0].info.run_id);
    expect(link).toMatchObject({ run_id: run.info.run_id, experiment_id: run.info.experiment_id });
    expect(link!.url).toBe(`${srv.uri}/#/experiments/${run.info.experiment_id}/runs/${run.info.run_id}`);
    expect(run.info.status).toBe("FINISHED");
    expect(run.info.end_time).toBeGreaterThan(0);
    const ps = paramsOf(run);
    expect(Object.keys(ps)).toHaveLength(254);
    expect(ps).toMatchObject({
      "model.lr": "0.1",
      "model.layers.n": "3",
      flag: "true",
      p000: "0",
      p249: "249",
      extra: '{"a":1}',
    });
    const loss = await history(c, run.info.run_id, "loss");
    expect(loss).toHaveLength(2500);
    expect(loss[2499]).toMatchObject({ step: 2499, value: 1 / 2500 });
    expect((await history(c, run.info.run_id, "nan"))[0].value).toBeNaN();
    // Sent as "Infinity"/"-Infinity"; MLflow's SQL store keeps ±Infinity as ±Number.MAX_VALUE.
    const inf = (await history(c, run.info.run_id, "inf"))[0];
    const ninf = (await history(c, run.info.run_id, "ninf"))[0];
    expect(inf.step).toBe(1);
    expect(inf.value).toBeGreaterThanOrEqual(Number.MAX_VALUE);
    expect(ninf.step).toBe(2);
    expect(ninf.value).toBeLessThanOrEqual(-Number.MAX_VALUE);
    const tags = tagsOf(run);
    expect(tags).toMatchObject({
      "mlflow.runName": expect.stringContaining("__default__@"),
      "mlflow.source.type": "LOCAL",
      "mlc.pipeline": "__default__",
      "mlc.env": "local",
      "mlc.executor": "sequential",
      "mlc.command": "mlc run",
      "mlc.run_id": id,
      custom: "yes",
    });
    expect(tags["mlflow.user"]).toBeTruthy();
    expect(tags["mlflow.source.name"]).toContain("pipeline.yml");
    expect(await artifactPaths(c, run)).toEqual([
      "mlc/graph.json",
      "mlc/pipeline.mmd",
      "mlc/run.json",
      "models/model.bin",
    ]);
    expect((await download(c, run, "models/model.bin")).equals(readFileSync(model))).toBe(true);
    expect((await download(c, run, "mlc/pipeline.mmd")).toString()).toBe(emitMermaid(p.selected));
    expect((await download(c, run, "mlc/graph.json")).toString()).toBe(emitJson(p.selected));
    expect(JSON.parse((await download(c, run, "mlc/run.json")).toString())).toMatchObject({
      run_id: id,
      status: "success",
    });
    expect(run.inputs.dataset_inputs).toHaveLength(1);
    expect(run.inputs.dataset_inputs[0].dataset).toMatchObject({
      name: "raw",
      source: "data/raw.csv",
      source_type: "local",
    });
    expect(run.inputs.dataset_inputs[0].dataset.digest).toMatch(/^[0-9a-f]{12}$/);
    expect(existsSync(join(root, ".mlc/outbox", `${id}.jsonl`))).toBe(false); // delivered: outbox cleaned
  });

  it("a 7,000-character param: fail rejects before sending, truncate cuts to 6000, tag logs it as a tag", async (ctx) => {
    const srv = fx.get(ctx);
    const long = "x".repeat(7000);
    const c = client(srv.uri);
    const failId = runId();
    const pFail = project(tmpRoot(), config(srv.uri));
    await expect(startTracking(startOpts(pFail, failId, { long }))).rejects.toMatchObject({ code: "MLC7002" });
    expect(await runsFor(c, EXP, failId)).toHaveLength(0);

    for (const strategy of ["truncate", "tag"] as const) {
      const id = runId();
      const p = project(tmpRoot(), config(srv.uri, { tracking: { params: { long_params_strategy: strategy } } }));
      const t = (await startTracking(startOpts(p, id, { long, short: "s" })))!;
      await t.finish(record(id, "success"));
      const [run] = await runsFor(c, EXP, id);
      const full = await c.getRun(run.info.run_id);
      if (strategy === "truncate") expect(paramsOf(full).long).toBe("x".repeat(6000));
      else {
        expect(paramsOf(full).long).toBeUndefined();
        expect(tagsOf(full).long).toBe(long);
      }
      expect(paramsOf(full).short).toBe("s");
    }
  });

  it("failed and interrupted runs end FAILED and KILLED", async (ctx) => {
    const srv = fx.get(ctx);
    const c = client(srv.uri);
    for (const [status, want] of [
      ["failed", "FAILED"],
      ["interrupted", "KILLED"],
    ] as const) {
      const id = runId();
      const t = (await startTracking(startOpts(project(tmpRoot(), config(srv.uri)), id)))!;
      t.sink.logMetric("m", 1);
      await t.finish(record(id, status));
      const [run] = await runsFor(c, EXP, id);
      expect(run.info.status).toBe(want);
    }
  });

  it("nested_runs: nodes creates a child run per node under the parent", async (ctx) => {
    const srv = fx.get(ctx);
    const id = runId();
    const p = project(tmpRoot(), config(srv.uri, { tracking: { nested_runs: "nodes" } }));
    const t = (await startTracking(startOpts(p, id)))!;
    const node = (name: string) => ({ name }) as never;
    await t.hooks.beforeNodeRun?.(node("a"), {}, {} as never);
    await t.hooks.afterNodeRun?.(node("a"), {}, {}, {} as never);
    await t.hooks.beforeNodeRun?.(node("b"), {}, {} as never);
    await t.hooks.onNodeError?.(node("b"), { code: "MLC5001", message: "x" }, {}, {} as never);
    const link = await t.finish(record(id, "failed"));
    const c = client(srv.uri);
    const exp = await c.getExperimentByName(EXP);
    const kids = await c.searchRuns({
      experiment_ids: [exp!.experiment_id],
      filter: `tags.\`mlflow.parentRunId\` = '${link!.run_id}'`,
    });
    const byNode = Object.fromEntries(kids.map((r) => [tagsOf(r)["mlc.node"], r.info.status]));
    expect(byNode).toEqual({ a: "FINISHED", b: "FAILED" });
  });

  it("a deleted experiment is restored (restore_if_deleted, default), or refused with MLC7002 when false", async (ctx) => {
    const srv = fx.get(ctx);
    const c = client(srv.uri);
    const name = `deleted-${process.pid}`;
    const root = tmpRoot(); // shared: the second run starts from the cached experiment id
    const run = async (restore: boolean) => {
      const id = runId();
      const p = project(root, config(srv.uri, { tracking: { experiment: { name, restore_if_deleted: restore } } }));
      const t = (await startTracking(startOpts(p, id)))!;
      return { id, link: await t.finish(record(id, "success")) };
    };
    const first = await run(true);
    await c.request("POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: first.link!.experiment_id });
    const again = await run(true);
    expect(again.link?.experiment_id).toBe(first.link!.experiment_id);
    expect((await c.getExperimentByName(name))?.lifecycle_stage).toBe("active");
    await c.request("POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: first.link!.experiment_id });
    const lines: string[] = [];
    const spy = vi
      .spyOn(process.stderr, "write")
      .mockImplementation((x: string | Uint8Array) => (lines.push(String(x)), true));
    try {
      expect((await run(false)).link).toBeNull();
    } finally {
      spy.mockRestore();
    }
    expect(lines.join("")).toMatch(/MLC7002 .*deleted/);
  });

  it("is off when not configured or the pipeline is in disable_tracking.pipelines", async (ctx) => {
    const srv = fx.get(ctx);
    const saved = process.env.MLFLOW_TRACKING_URI;
    delete process.env.MLFLOW_TRACKING_URI;
    try {
      expect(await startTracking(startOpts(project(tmpRoot(), null), runId()))).toBeNull();
      const p = project(tmpRoot(), config(srv.uri, { tracking: { disable_tracking: { pipelines: ["etl"] } } }));
      expect(await startTracking(startOpts(p, runId(), {}, "etl"))).toBeNull();
    } finally {
      if (saved !== undefined) process.env.MLFLOW_TRACKING_URI = saved;
    }
  });
});
