// Where node code and mlflow.* datasets send what they log. One per run; worker threads get a
// relay that posts to the main thread's sink. Calls never throw and never block the node.

/** Receives what a run logs: the local run record and, when on, the MLflow mirror. */
export interface RunSink {
  logMetric(key: string, value: number, step?: number): void;
  logParam(key: string, value: unknown): void;
  setTag(key: string, value: string): void;
  /**
   * `localPath` is absolute; `artifactPath` is the folder inside the run's artifacts; `register`
   * (an mlflow.artifact dataset's) makes the logged artifact a version in the Model Registry.
   */
  logArtifact(localPath: string, artifactPath?: string, register?: ModelRegistration): void;
}

/** An mlflow.artifact dataset's `register:` (catalog.yml). */
export interface ModelRegistration {
  readonly name: string;
  readonly alias?: string;
  readonly tags?: Readonly<Record<string, string | number | boolean>>;
  readonly description?: string;
  /** An MLflow order-by on a metric ("metrics.rmse ASC"): the alias moves only to a run ranking first. */
  readonly compare?: string;
}

/** A sink that drops everything: outside a run, logging is a harmless no-op. */
export const NULL_SINK: RunSink = {
  logMetric() {},
  logParam() {},
  setTag() {},
  logArtifact() {},
};

const CURRENT = Symbol.for("mlc-pipelines.current-sink");

/** The current run's sink (a global, so duplicate copies of the package still reach the run). */
export function currentSink(): RunSink {
  return ((globalThis as Record<symbol, unknown>)[CURRENT] as RunSink | undefined) ?? NULL_SINK;
}

/** Installs `sink` as the current one; returns a function restoring the previous sink. */
export function installSink(sink: RunSink): () => void {
  const g = globalThis as Record<symbol, unknown>;
  const prev = g[CURRENT];
  g[CURRENT] = sink;
  return () => {
    g[CURRENT] = prev;
  };
}
