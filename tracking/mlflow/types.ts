// The MLflow REST API (2.0 tracking + mlflow-artifacts proxy) as used by mlc: snake_case JSON
// exactly as the server speaks it. Repeated fields the server omits when empty are optional
// here; the client normalises them to [] on the way in.

export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}
export type RunTag = KeyValue;
export type Param = KeyValue;
export type ExperimentTag = KeyValue;

/** A metric point. `value` is a number; NaN and ±Infinity travel as the strings "NaN", "Infinity", "-Infinity". */
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
  readonly tags: readonly ExperimentTag[];
}

export interface RunInfo {
  readonly run_id: string;
  readonly experiment_id: string;
  readonly run_name?: string;
  readonly user_id?: string;
  readonly status: RunStatus;
  readonly start_time?: number;
  readonly end_time?: number;
  readonly artifact_uri?: string;
  readonly lifecycle_stage?: string;
}

export interface RunData {
  readonly metrics: readonly Metric[];
  readonly params: readonly Param[];
  readonly tags: readonly RunTag[];
}

/** A dataset logged as a run input (name, short digest, source). */
export interface DatasetRef {
  readonly name: string;
  readonly digest: string;
  readonly source_type: string;
  readonly source: string;
  readonly schema?: string;
  readonly profile?: string;
}

export interface DatasetInput {
  readonly tags: readonly KeyValue[];
  readonly dataset: DatasetRef;
}

export interface RunInputs {
  readonly dataset_inputs: readonly DatasetInput[];
}

export interface Run {
  readonly info: RunInfo;
  readonly data: RunData;
  readonly inputs: RunInputs;
}

export interface FileInfo {
  readonly path: string;
  readonly is_dir: boolean;
  readonly file_size?: number;
}

// ---- requests / responses ----

export interface CreateExperimentRequest {
  readonly name: string;
  readonly artifact_location?: string;
  readonly tags?: readonly ExperimentTag[];
}
export interface CreateRunRequest {
  readonly experiment_id: string;
  readonly run_name?: string;
  readonly start_time?: number;
  readonly tags?: readonly RunTag[];
  readonly user_id?: string;
}
export interface UpdateRunRequest {
  readonly run_id: string;
  readonly status?: RunStatus;
  readonly end_time?: number;
  readonly run_name?: string;
}
export interface SearchRunsRequest {
  readonly experiment_ids: readonly string[];
  readonly filter?: string;
  readonly run_view_type?: ViewType;
  readonly max_results?: number;
  readonly order_by?: readonly string[];
  readonly page_token?: string;
}
export interface SearchRunsResponse {
  readonly runs: readonly Run[];
  readonly next_page_token?: string;
}
export interface LogBatchRequest {
  readonly run_id: string;
  readonly metrics?: readonly Metric[];
  readonly params?: readonly Param[];
  readonly tags?: readonly RunTag[];
}
export interface LogInputsRequest {
  readonly run_id: string;
  readonly datasets: readonly DatasetInput[];
}
export interface MetricHistoryResponse {
  readonly metrics: readonly Metric[];
  readonly next_page_token?: string;
}
export interface ListArtifactsResponse {
  readonly root_uri?: string;
  readonly files: readonly FileInfo[];
  readonly next_page_token?: string;
}

/** The JSON error body MLflow returns with a non-2xx status. */
export interface ErrorBody {
  readonly error_code?: string;
  readonly message?: string;
}
