// Hand-built projects and run records for driving the MLflow plugin directly, and read-back
// helpers that fetch what the server stored through its REST API.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompiledProject, GraphIR, IRDataset } from "../../../compiler/types.js";
import type { RunRecord, RunStatus } from "../../../runs/record.js";
import { runRecord } from "../../runs/helpers.js";
import { MlflowClient, proxyPath } from "../../../tracking/mlflow/client.js";
import { start } from "../../../tracking/mlflow/plugin.js";
import type { PluginContext } from "../../../tracking/plugins.js";
import type { Metric, Run } from "../../../tracking/mlflow/types.js";

let counter = 0;
/** A unique run id (sortable, like the run store's). */
export function runId(): string {
  return `20261126-${Date.now()}-${process.pid}-${counter++}`;
}

const roots: string[] = [];
// Removed when the test worker exits (tests read them until their last assertion).
process.once("exit", () => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A fresh temp project root, removed when the test process exits. */
export function tmpRoot(): string {
  const r = mkdtempSync(join(tmpdir(), "mlc-track-"));
  roots.push(r);
  return r;
}

/** A one-node graph with one persistent input dataset. */
export function graph(datasets: IRDataset[] = []): GraphIR {
  return {
    irVersion: 1,
    name: "demo",
    nodes: [],
    datasets,
    params: [],
    edges: [],
    layers: [],
    pipelines: { __default__: [] },
  };
}

export function project(
  root: string,
  mlflow: Record<string, unknown> | null,
  o: { datasets?: IRDataset[]; credentials?: Record<string, unknown> } = {},
): CompiledProject {
  const g = graph(o.datasets ?? []);
  return {
    root,
    env: "local",
    graph: g,
    selected: g,
    parameters: {},
    credentials: o.credentials ?? {},
    mlflow,
    hooks: [],
  };
}

/** What run-project hands the plugin at a run's start. */
export function startOpts(
  p: CompiledProject,
  id: string,
  params: Record<string, unknown> = {},
  pipeline = "__default__",
): PluginContext {
  const plan = { graph: p.selected, order: [], releaseCounts: {}, freeInputs: [] };
  return {
    project: { ...p, parameters: params },
    plan,
    record: { ...record(id, "running"), finished_at: null, pipeline },
    warn: () => {},
  };
}

/** The MLflow plugin started for a run, with finish() giving the run's MLflow link (or null). */
export async function startTracking(ctx: PluginContext) {
  const p = await start(ctx);
  return p && { sink: p.sink, hooks: p.hooks, finish: async (r: RunRecord) => (await p.finish(r)).mlflow ?? null };
}

export function record(id: string, status: RunStatus): RunRecord {
  const now = new Date().toISOString();
  return runRecord(id, { status, started_at: now, finished_at: now, graph_hash: "x" });
}

/** mlflow.yml settings for `uri`; delivery is wait unless `extra` says (the default would follow CI). */
export function config(uri: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const tracking = { experiment: { name: `exp-${process.pid}` }, delivery: "wait", ...(extra.tracking as object) };
  return { ...extra, server: { mlflow_tracking_uri: uri, ...(extra.server as object) }, tracking };
}

export function client(uri: string, auth?: { user: string; password: string } | null): MlflowClient {
  return new MlflowClient({ uri, username: auth?.user, password: auth?.password, retries: 1 });
}

/** The runs tagged with our run id (all lifecycle stages), across all experiments named. */
export async function runsFor(c: MlflowClient, experiment: string, id: string): Promise<Run[]> {
  const exp = await c.getExperimentByName(experiment);
  if (!exp) return [];
  return c.searchRuns({
    experiment_ids: [exp.experiment_id],
    filter: `tags.\`mlc.run_id\` = '${id}'`,
    run_view_type: "ALL",
    max_results: 10,
  });
}

/** Every point of a metric's history. */
export async function history(c: MlflowClient, run: string, key: string): Promise<Metric[]> {
  const out: Metric[] = [];
  let token: string | undefined;
  do {
    const q = `run_id=${run}&metric_key=${encodeURIComponent(key)}&max_results=25000${token ? `&page_token=${token}` : ""}`;
    const page = await c.request<{ metrics?: Metric[]; next_page_token?: string }>(
      "GET",
      `/api/2.0/mlflow/metrics/get-history?${q}`,
    );
    page.metrics = (page.metrics ?? []).map((m) => ({ ...m, value: toNumber(m.value) }));
    out.push(...page.metrics);
    token = page.next_page_token || undefined;
  } while (token);
  return out.sort((a, b) => a.step - b.step);
}

/** All artifact file paths of a run (recursive). */
export async function artifactPaths(c: MlflowClient, run: Run, dir = ""): Promise<string[]> {
  const path = encodeURIComponent(proxyPath(run.info.artifact_uri!, dir));
  const { files = [] } = await c.request<{ files?: { path: string; is_dir?: boolean }[] }>(
    "GET",
    `/api/2.0/mlflow-artifacts/artifacts?path=${path}`,
  );
  const out: string[] = [];
  for (const f of files) {
    const p = dir ? `${dir}/${f.path}` : f.path;
    if (f.is_dir) out.push(...(await artifactPaths(c, run, p)));
    else out.push(p);
  }
  return out.sort();
}

/** One artifact's bytes (unauthenticated servers only). */
export async function download(c: MlflowClient, run: Run, path: string): Promise<Buffer> {
  const r = await fetch(`${c.url}/api/2.0/mlflow-artifacts/artifacts/${proxyPath(run.info.artifact_uri!, path)}`);
  if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status}`);
  return Buffer.from(await r.arrayBuffer());
}

function toNumber(v: unknown): number {
  return v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : Number(v);
}

export function tagsOf(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
}

export function paramsOf(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.params.map((t) => [t.key, t.value]));
}

/** Runs `fn` with environment variables set (undefined: unset), restoring them afterwards. */
export function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.entries(vars).forEach(([k, v]) => (v === undefined ? delete process.env[k] : (process.env[k] = v)));
  return fn().finally(() =>
    Object.entries(saved).forEach(([k, v]) => (v === undefined ? delete process.env[k] : (process.env[k] = v))),
  );
}
