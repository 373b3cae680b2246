// MLflow metric keys must not collide: two datasets logging the same key would overwrite each
// other's value in the run (kedro-mlflow keys a metric by its full, namespaced dataset name too).
import type { CompileContext } from "./diagnostics.js";
import type { ResolvedDataset } from "./types.js";

/** The key an `mlflow.metric` dataset logs under: its `key:`, else its full dataset name. */
export function metricKey(name: string, config: Readonly<Record<string, unknown>>): string {
  return typeof config.key === "string" ? config.key : name;
}

/** The prefix of an `mlflow.metrics` dataset's keys: its `prefix:`, else its namespace ("ns.") or "". */
export function metricsPrefix(name: string, config: Readonly<Record<string, unknown>>): string {
  if (typeof config.prefix === "string") return config.prefix;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot + 1) : "";
}

/** MLC2003 at the second of two `mlflow.metric` datasets that log under the same key. */
export function checkMetricKeys(datasets: Readonly<Record<string, ResolvedDataset>>, ctx: CompileContext): void {
  const byKey = new Map<string, string>();
  for (const name of Object.keys(datasets).sort()) {
    const d = datasets[name];
    if (d.config.type !== "mlflow.metric") continue;
    const key = metricKey(name, d.config);
    const first = byKey.get(key);
    if (first === undefined) {
      byKey.set(key, name);
      continue;
    }
    const explicit = typeof d.config.key === "string";
    ctx.report({
      code: "MLC2003",
      message: `datasets "${first}" and "${name}" both log the MLflow metric "${key}": one would overwrite the other`,
      at: d.source ? { file: d.source.file, path: [...d.source.path, ...(explicit ? ["key"] : [])] } : null,
      hint: "give one of them another `key:`, or leave `key:` out so each logs under its full dataset name",
    });
  }
}
