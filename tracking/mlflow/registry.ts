// The Model Registry side of delivery: an mlflow.artifact dataset's `register:` makes the artifact
// the run logged a model version, linked to the run. This is what MLflow 3's own
// `register_model("runs:/<run>/<path>")` does for artifacts in a run's folder (source: their URI,
// plus run_id); its logged-model entities are for models logged as LoggedModels, which these are not.
// Idempotent: a version of the model with this run and source is looked up before one is made, and
// the create itself is never retried blindly (a lost reply must not make a second version).
// The alias follows the newest run (by start time), not the last delivered: a run queued in an
// outage and synced later must not take `champion` back from the run that came after it.
import { MlflowRejection, type MlflowClient } from "./client.js";
import type { Mapping, RegisterEvent } from "./event-log.js";

const API = "/api/2.0/mlflow";

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
  if (e.alias && (await aliasMayMove(c, e.name, e.alias, run.run)))
    await c.request("POST", `${API}/registered-models/alias`, { name: e.name, alias: e.alias, version });
  return version;
}

/** True unless the alias points at a version of a run that started after `runId`'s. */
async function aliasMayMove(c: MlflowClient, name: string, alias: string, runId: string): Promise<boolean> {
  const q = `name=${encodeURIComponent(name)}`;
  const { registered_model: m } = await c.request<{
    registered_model: { aliases?: { alias: string; version: string }[] };
  }>("GET", `${API}/registered-models/get?${q}`);
  const held = m.aliases?.find((a) => a.alias === alias)?.version;
  if (!held) return true;
  const path = `${API}/model-versions/get?${q}&version=${held}`;
  const holder = (await c.request<{ model_version: ModelVersion }>("GET", path)).model_version.run_id;
  if (!holder || holder === runId) return true;
  const [mine, theirs] = await Promise.all([
    c.getRun(runId),
    c.getRun(holder).catch(unless("RESOURCE_DOES_NOT_EXIST")),
  ]);
  return !theirs || Number(mine.info.start_time) >= Number(theirs.info.start_time);
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
