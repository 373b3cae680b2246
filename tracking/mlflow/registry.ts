// The Model Registry side of delivery: an mlflow.artifact dataset's `register:` makes the artifact
// the run logged a model version, linked to the run. This is what MLflow 3's own
// `register_model("runs:/<run>/<path>")` does for artifacts in a run's folder (source: their URI,
// plus run_id); its logged-model entities are for models logged as LoggedModels, which these are not.
// Idempotent: a version of the model with this run and source is looked up before one is made, and
// the create itself is never retried blindly (a lost reply must not make a second version).
import { MlflowRejection, type MlflowClient } from "./client.js";
import type { Mapping, RegisterEvent } from "./event-log.js";

const API = "/api/2.0/mlflow";

interface ModelVersion {
  readonly name: string;
  readonly version: string;
  readonly source: string;
}

/** Registers the artifact `e.path` of `run` under `e.name` and moves `e.alias` to it; returns the version. */
export async function registerModel(c: MlflowClient, run: Mapping, e: RegisterEvent): Promise<string> {
  const source = `${run.artifact_uri.replace(/\/+$/, "")}/${e.path}`;
  await c.request("POST", `${API}/registered-models/create`, { name: e.name }).catch((err: Error) => {
    if (!(err instanceof MlflowRejection && err.errorCode === "RESOURCE_ALREADY_EXISTS")) throw err;
  });
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
  if (e.alias) await c.request("POST", `${API}/registered-models/alias`, { name: e.name, alias: e.alias, version });
  return version;
}

/** A value inside a single-quoted MLflow search string. */
function quoted(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
}
