// The local run record, `.mlc/runs/<run_id>/run.json` (SPEC section 8).

export type RunStatus = "running" | "success" | "failed" | "interrupted";
/** `cached`: up to date, skipped by the incremental run (SPEC section 9). */
export type NodeStatus = "completed" | "cached" | "failed" | "skipped" | "not_run";

export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
  /** The user's own stack frames only (no mlc internals). */
  readonly stack?: string;
}

export interface NodeRecord {
  readonly name: string;
  readonly status: NodeStatus;
  readonly attempts: number;
  readonly duration_ms: number;
  readonly error?: ErrorInfo;
}

export interface MetricPoint {
  readonly key: string;
  readonly value: number;
  readonly step: number;
  readonly timestamp: number;
}

export interface RunRecord {
  readonly run_id: string;
  readonly status: RunStatus;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly executor: string;
  readonly pipeline: string;
  readonly selection: Record<string, unknown>;
  readonly params: Record<string, unknown>;
  readonly graph_hash: string;
  readonly git_commit: string | null;
  readonly env: string;
  readonly command: string;
  readonly nodes: readonly NodeRecord[];
  /** Latest value per metric key. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly metric_history?: readonly MetricPoint[];
  readonly logged_params?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly artifacts?: readonly { readonly path: string; readonly artifact_path: string | null }[];
  readonly datasets: readonly { readonly name: string; readonly version: string | null }[];
  readonly error?: ErrorInfo & { readonly node?: string };
  /** Suggested `mlc run ...` command to resume a failed run. */
  readonly resume_command?: string;
  /** The `--from-nodes` of resume_command (its `--nodes` when no `--from-nodes` can work). */
  readonly resume_nodes?: readonly string[];
  /** The selection of resume_command (what `mlc run --resume` runs); older records have only resume_nodes. */
  readonly resume_selection?: Record<string, unknown>;
  /** `--params` as given (nested), so `--resume` runs with the same overrides. */
  readonly runtime_params?: Readonly<Record<string, unknown>>;
  readonly mlflow?: { readonly run_id: string; readonly experiment_id: string; readonly url: string };
  /** The mlc process running it (pid and start time): a `running` record whose process is gone reads as interrupted. */
  readonly process?: { readonly pid: number; readonly start: string };
}
