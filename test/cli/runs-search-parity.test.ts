// Parity of `mlc runs ls --filter F --order-by O --json` (the built CLI over 20 real run records in
// a temp project) with MLflow's SearchUtils.filter + SearchUtils.sort over the same 20 runs built
// as mlflow.entities.Run objects the way MLflow would hold them (status words, flattened params,
// epoch-ms times, tags). Each query must find the same runs in the same order.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord, RunStatus } from "../../runs/record.js";
import { writeRun } from "../../runs/store.js";
import { mlc } from "../helpers/cli.js";
import { askMlflow, oracleUnavailable } from "./mlflow-oracle.js";

interface Spec {
  status: RunStatus;
  factors: number;
  testSize: string;
  optimizer: string;
  rmse?: number;
  acc?: number;
  team?: string;
  extra?: string;
}

const STATUSES: RunStatus[] = ["success", "success", "failed", "interrupted", "success"];
const SPECS: Spec[] = Array.from({ length: 20 }, (_, i) => ({
  status: STATUSES[i % 5],
  factors: [8, 16, 32, 64][i % 4],
  testSize: i % 3 === 0 ? "0.2" : "0.25",
  optimizer: ["adam", "sgd", "Ada.Grad[2]+"][i % 3],
  ...(i % 7 === 6 ? {} : { rmse: Math.round((0.55 + ((i * 37) % 20) / 50) * 1000) / 1000 }),
  ...(i % 4 === 3 ? {} : { acc: ((i * 13) % 10) / 10 }),
  ...(i % 2 === 0 ? { team: i % 4 === 0 ? "ml" : "data" } : {}),
  ...(i % 5 === 1 ? { extra: `x${i}` } : {}),
}));
const T0 = Date.parse("2026-11-30T10:00:00.000Z");
const idOf = (i: number) => `20261130-1000${String(i).padStart(2, "0")}-${(0xab0000 + i).toString(16)}`;
const startOf = (i: number) => T0 + i * 1000 + 123;

function record(s: Spec, i: number): RunRecord {
  return {
    run_id: idOf(i),
    status: s.status,
    started_at: new Date(startOf(i)).toISOString(),
    finished_at: s.status === "running" ? null : new Date(startOf(i) + 400 + i).toISOString(),
    executor: "sequential",
    pipeline: i % 2 ? "training" : "__default__",
    selection: {},
    graph_hash: "h",
    git_commit: null,
    env: "local",
    command: "mlc run",
    params: { test_size: s.testSize, model: { factors: s.factors, optimizer: { name: s.optimizer } } },
    logged_params: s.extra ? { extra: s.extra } : undefined,
    tags: s.team ? { team: s.team } : undefined,
    nodes: [{ name: "train", status: "completed", attempts: 1, duration_ms: 10 }],
    metrics: {
      ...(s.rmse !== undefined ? { model_rmse: s.rmse } : {}),
      ...(s.acc !== undefined ? { acc: s.acc } : {}),
    },
    datasets: i % 3 === 0 ? [{ name: "model", version: `v${i}` }] : [],
  };
}

const MLFLOW_STATUS = { success: "FINISHED", failed: "FAILED", interrupted: "KILLED", running: "RUNNING" };

/** The same run as MLflow holds it (what the mirror sends: params flattened with ".", MLflow's words). */
function asMlflowRun(s: Spec, i: number) {
  const pipeline = i % 2 ? "training" : "__default__";
  const params: Record<string, string> = {
    test_size: s.testSize,
    "model.factors": String(s.factors),
    "model.optimizer.name": s.optimizer,
  };
  if (s.extra) params.extra = s.extra;
  const runName = `${pipeline}@${new Date(startOf(i)).toISOString().slice(0, 19).replace("T", " ")}`;
  return {
    run_id: idOf(i),
    status: MLFLOW_STATUS[s.status],
    start_time: startOf(i),
    end_time: startOf(i) + 400 + i,
    run_name: runName,
    metrics: {
      ...(s.rmse !== undefined ? { model_rmse: s.rmse } : {}),
      ...(s.acc !== undefined ? { acc: s.acc } : {}),
    },
    params,
    tags: {
      ...(s.team ? { team: s.team } : {}),
      "mlc.pipeline": pipeline,
      "mlc.run_id": idOf(i),
      "mlflow.runName": runName,
    },
    datasets: i % 3 === 0 ? [{ name: "model", digest: `v${i}` }] : [],
  };
}

const QUERIES: { filter: string; order_by?: string[]; mlflowFilter?: string }[] = [
  { filter: "metrics.model_rmse < 0.7", order_by: ["metrics.model_rmse ASC"] },
  { filter: "metrics.model_rmse < 0.7 and params.test_size = '0.2'" },
  { filter: "metrics.model_rmse >= 0.6 AND metrics.acc != 0.3", order_by: ["metrics.acc DESC"] },
  { filter: "params.model.factors = '32'" },
  { filter: "params.`model.optimizer.name` LIKE 'Ada%'" },
  { filter: "params.model.optimizer.name ILIKE 'ada%'", order_by: ["params.model.factors DESC", "metrics.model_rmse"] },
  { filter: "params.model.optimizer.name LIKE '%.G%'" },
  { filter: "params.model.optimizer.name LIKE 'sg_' and params.test_size != '0.2'" },
  { filter: "params.model.optimizer.name ILIKE '%[2]+'" },
  { filter: "params.model.optimizer.name LIKE 'a.a%'" },
  { filter: "params.extra IS NOT NULL" },
  { filter: "tags.team IS NULL and metrics.acc > 0.2" },
  { filter: "tags.team = 'ml'", order_by: ["start_time ASC"] },
  { filter: "tags.mlc.pipeline = 'training' and tags.`mlflow.runName` LIKE 'training@%'" },
  { filter: "status = 'FINISHED'" },
  { filter: "attributes.status != 'FAILED'", order_by: ["status", "run_id DESC"] },
  { filter: "status = 'success'", mlflowFilter: "status = 'FINISHED'" },
  { filter: "status = 'interrupted'", mlflowFilter: "status = 'KILLED'" },
  { filter: `attributes.start_time > ${startOf(12)} and end_time <= ${startOf(17) + 417}` },
  { filter: `run_id IN ('${idOf(1)}', '${idOf(5)}', 'nope')` },
  { filter: `run_id NOT IN ('${idOf(1)}', '${idOf(5)}') and metrics.model_rmse > 0.8` },
  { filter: "run_name LIKE '%default%'" },
  { filter: "datasets.name = 'model'" },
  { filter: "params.constructor IS NULL and tags.toString IS NULL and tags.__proto__ IS NULL" },
  { filter: "metrics.constructor != 1" },
  { filter: "status != 'constructor'" },
  { filter: "", order_by: ["metrics.acc DESC"] },
  { filter: "", order_by: ["tags.team", "metrics.model_rmse DESC"] },
  { filter: "", order_by: ["metrics.model_rmse"] },
];

let root = "";
let skipped: string | null = null;
let expected: string[][] = [];

beforeAll(async () => {
  skipped = oracleUnavailable();
  root = mkdtempSync(join(tmpdir(), "mlc-search-parity-"));
  writeFileSync(join(root, "pipeline.yml"), "version: 1\nnodes: []\n");
  for (const [i, s] of SPECS.entries()) await writeRun(root, record(s, i));
  if (skipped) return;
  const queries = QUERIES.map((q) => ({ filter: q.mlflowFilter ?? q.filter, order_by: q.order_by ?? [] }));
  expected = askMlflow<{ results: string[][] }>({ runs: SPECS.map(asMlflowRun), queries }).results;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("mlc runs ls --filter / --order-by vs MLflow's SearchUtils on 20 runs", () => {
  it.each(QUERIES.map((q, i) => [i, q.filter, q.order_by ?? []] as const))(
    "query %i: %s %j",
    (i, filter, order, ctx) => {
      if (skipped) return ctx.skip(`no MLflow venv: ${skipped}`);
      const args = [
        "runs",
        "ls",
        "--json",
        ...(filter ? ["--filter", filter] : []),
        ...order.flatMap((o) => ["--order-by", o]),
      ];
      const r = mlc(root, ...args);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const ids = (JSON.parse(r.stdout) as { runs: { run_id: string }[] }).runs.map((x) => x.run_id);
      expect(ids).toEqual(expected[i]);
    },
  );

  it("finds something and leaves something out for most queries (the table is not vacuous)", (ctx) => {
    if (skipped) return ctx.skip(`no MLflow venv: ${skipped}`);
    const partial = expected.filter((ids) => ids.length > 0 && ids.length < SPECS.length).length;
    expect(partial).toBeGreaterThanOrEqual(15);
  });
});
