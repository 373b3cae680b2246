// The MLflow REST API's JSON as mlc uses it (snake_case, as the server speaks it). Repeated
// fields the server omits when empty are normalised to [] by the client.

export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** A metric point. NaN and ±Infinity travel as the strings "NaN", "Infinity", "-Infinity". */
export interface Metric {
  readonly key: string;
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly step: number;
}

export interface Experiment {
  readonly experiment_id: string;
  readonly name: string;
  readonly artifact_location?: string;
  readonly lifecycle_stage: "active" | "deleted";
  readonly tags: readonly KeyValue[];
}

export interface RunInfo {
  readonly run_id: string;
  readonly experiment_id: string;
  readonly run_name?: string;
  readonly status: RunStatus;
  readonly start_time?: number;
  readonly end_time?: number;
  readonly artifact_uri?: string;
  readonly lifecycle_stage?: string;
}

/** A dataset logged as a run input (name, short digest, source). */
export interface DatasetInput {
  readonly tags: readonly KeyValue[];
  readonly dataset: {
    readonly name: string;
    readonly digest: string;
    readonly source_type: string;
    readonly source: string;
  };
}

export interface Run {
  readonly info: RunInfo;
  readonly data: {
    readonly metrics: readonly Metric[];
    readonly params: readonly KeyValue[];
    readonly tags: readonly KeyValue[];
  };
  readonly inputs: { readonly dataset_inputs: readonly DatasetInput[] };
}

export interface CreateRunRequest {
  readonly experiment_id: string;
  readonly run_name?: string;
  readonly start_time?: number;
  readonly tags?: readonly KeyValue[];
}

export interface SearchRunsRequest {
  readonly experiment_ids: readonly string[];
  readonly filter?: string;
  readonly run_view_type?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
  readonly max_results?: number;
  readonly order_by?: readonly string[];
}

export interface LogBatchRequest {
  readonly run_id: string;
  readonly metrics?: readonly Metric[];
  readonly params?: readonly KeyValue[];
  readonly tags?: readonly KeyValue[];
}
