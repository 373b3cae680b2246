// The Model Registry side of delivery: an mlflow.artifact dataset's `register:` makes the artifact
// the run logged a model version linked to the run (source: its URI plus run_id, as MLflow 3's
// `register_model("runs:/<run>/<path>")` does for plain artifacts, not LoggedModels). Idempotent:
// a version with this run and source is looked up first, and the create is never retried blindly
// (a lost reply must not make a second version). The alias moves only to a run that ranks first
// by `compare:` ("metrics.rmse ASC"), or without it to the newest run by start time, never simply
// to the last delivered: a run synced after an outage must not take `champion` from a better one.
import { API, MlflowRejection, type MlflowClient } from "./client.js";
import type { Mapping, RegisterEvent } from "./event-log.js";
import type { Run } from "./types.js";

interface ModelVersion {
  readonly version: string;
  readonly source: string;
  readonly run_id?: string;
}

/** Registers the artifact `e.path` of `run` under `e.name` and moves `e.alias` to it; returns the version. */
export async function registerModel(c: MlflowClient, run: Mapping, e: RegisterEvent): Promise<string> {
  const source = `${run.artifact_uri.replace(/\/+$/, "")}/${e.path}`;
  await c.request("POST", `${API}/registered-models/create`, { name: e.name }).catch(unless("RESOURCE_ALREADY_EXISTS"));
  const filter = `name = '${quoted(e.name)}' and run_id = '${quoted(run.run)}'`;
  const search = `${API}/model-versions/search?max_results=1000&filter=${encodeURIComponent(filter)}`;
  const found = await c.request<{ model_versions?: ModelVersion[] }>("GET", search);
  let version = found.model_versions?.find((v) => v.source === source)?.version;
  if (!version) {
    const tags = Object.entries(e.tags).map(([key, value]) => ({ key, value }));
    const req = { name: e.name, source, run_id: run.run, tags, description: e.description };
    const created = await c.request<{ model_version: ModelVersion }>(
      "POST",
      `${API}/model-versions/create`,
      req,
      undefined,
      0,
    );
    version = created.model_version.version;
  }
  if (e.alias && (await aliasMayMove(c, e, run.run)))
    await c.request("POST", `${API}/registered-models/alias`, { name: e.name, alias: e.alias, version });
  return version;
}

/**
 * True when the alias is free or on this run's version, or when this run beats the alias's run:
 * by `e.rank` (the metric as MLflow holds it; a run without it never takes the alias from one
 * with it; a tie keeps it where it is), else by starting later.
 */
async function aliasMayMove(c: MlflowClient, e: RegisterEvent, runId: string): Promise<boolean> {
  const q = `name=${encodeURIComponent(e.name)}`;
  const { registered_model: m } = await c.request<{
    registered_model: { aliases?: { alias: string; version: string }[] };
  }>("GET", `${API}/registered-models/get?${q}`);
  const held = m.aliases?.find((a) => a.alias === e.alias)?.version;
  if (!held) return true;
  const path = `${API}/model-versions/get?${q}&version=${held}`;
  const holder = (await c.request<{ model_version: ModelVersion }>("GET", path)).model_version.run_id;
  if (!holder || holder === runId) return true;
  const [mine, theirs] = await Promise.all([
    c.getRun(runId),
    c.getRun(holder).catch(unless("RESOURCE_DOES_NOT_EXIST")),
  ]);
  if (!theirs) return true;
  if (!e.rank) return Number(mine.info.start_time) >= Number(theirs.info.start_time);
  const value = (r: Run) => r.data.metrics.find((x) => x.key === e.rank!.metric)?.value ?? NaN;
  const [a, b] = [value(mine), value(theirs)];
  if (Number.isNaN(a)) return false;
  return Number.isNaN(b) || (e.rank.ascending ? a < b : a > b);
}

/** A catch handler that swallows the server's refusal `code` (giving undefined) and rethrows anything else. */
function unless(code: string): (err: Error) => undefined {
  return (err) => {
    if (err instanceof MlflowRejection && err.errorCode === code) return undefined;
    throw err;
  };
}

/** A value inside a single-quoted MLflow search string. */
function quoted(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
}
