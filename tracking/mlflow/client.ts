// A typed client for the MLflow REST API: JSON with the right Content-Type, NaN/±Infinity as
// strings, missing repeated fields read as [], bounded retries with backoff on 429/5xx and
// connection errors, basic or bearer auth, TLS options (insecure, extra CA).
// Errors are MlcError MLC7001 (unreachable) or MLC7002 (rejected); messages never hold secrets,
// not even when a server echoes the request's Authorization header back in its error body.
import { statSync } from "node:fs";
import { scrubText } from "../../catalog/secrets.js";
import { MlcError } from "../../compiler/diagnostics.js";
import { connectionFor, type Connection, type HttpBody, type HttpResponse } from "./transport.js";
import { encodeJson, safeUri, trackingUrl, type ClientOptions } from "./options.js";
import type * as T from "./types.js";

export { clientOptionsFromEnv, encodeJson, safeUri, type ClientOptions } from "./options.js";

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return Number(v);
}

function normMetric(m: Partial<T.Metric> & { value?: unknown }): T.Metric {
  return { key: String(m.key), value: toNumber(m.value), timestamp: Number(m.timestamp ?? 0), step: Number(m.step ?? 0) };
}

function normRun(r: { info: T.RunInfo; data?: Partial<T.RunData>; inputs?: Partial<T.RunInputs> }): T.Run {
  const inputs = (r.inputs?.dataset_inputs ?? []).map((d) => ({ ...d, tags: d.tags ?? [] }));
  return {
    info: r.info,
    data: { metrics: (r.data?.metrics ?? []).map(normMetric), params: r.data?.params ?? [], tags: r.data?.tags ?? [] },
    inputs: { dataset_inputs: inputs },
  };
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(r, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), r()), { once: true });
  });
}

/** One tracking server. Methods map 1:1 to REST endpoints. */
export class MlflowClient {
  readonly base: string;
  /** Printable server URL (no credentials). */
  readonly url: string;
  private readonly auth: string | null;
  private readonly secrets: string[];
  private conn: Connection | null = null;
  private aborter = new AbortController();
  private closed = false;

  constructor(readonly opts: ClientOptions) {
    const u = trackingUrl(opts.uri);
    const user = opts.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
    const pass = opts.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
    this.auth = opts.token ? `Bearer ${opts.token}` : user !== undefined ? `Basic ${Buffer.from(`${user}:${pass ?? ""}`).toString("base64")}` : null;
    this.secrets = secretForms([opts.token, pass, user !== undefined ? `${user}:${pass ?? ""}` : undefined]);
    this.base = safeUri(opts.uri);
    this.url = this.base;
  }

  /** Cancels every request in flight (a run giving up on a slow server); later requests work again. */
  abort(): void {
    this.aborter.abort(new MlcError("MLC7001", `MLflow server ${this.url} did not answer in time`));
    this.aborter = new AbortController();
  }

  /** Cancels what is in flight and refuses every later request (MLC7001). */
  close(): void {
    this.abort();
    this.closed = true;
  }

  private connection(): Connection {
    return (this.conn ??= connectionFor(this.opts));
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.auth ? { Authorization: this.auth, ...extra } : extra;
  }

  /** Sends one request with bounded retries; returns the parsed JSON body ({} when empty). */
  async request<R>(method: string, path: string, body?: unknown, stream?: { file: string }, retries = this.opts.retries ?? 3): Promise<R> {
    if (this.closed) throw new MlcError("MLC7001", `MLflow server ${this.url}: no more requests`);
    const conn = this.connection();
    // Captured once: abort() also ends this call's remaining retries.
    const aborter = this.aborter.signal;
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 30_000);
      let res: HttpResponse;
      try {
        this.opts.onRequest?.(method, path);
        const [headers, payload] = this.payload(body, stream);
        res = await conn.send(method, `${this.base}${path}`, headers, payload, AbortSignal.any([timeout, aborter]));
      } catch (err) {
        if (aborter.aborted) throw aborter.reason instanceof MlcError ? aborter.reason : new MlcError("MLC7001", `MLflow server ${this.url} did not answer in time`);
        if (attempt < retries) { await sleep(this.backoff(attempt), aborter); continue; }
        const why = timeout.aborted ? "timed out" : ((err as { code?: string }).code ?? (err as Error).message);
        throw new MlcError("MLC7001", `MLflow server ${this.url} unreachable (${method} ${pathOnly(path)}: ${why})`);
      }
      const text = res.body.toString("utf8");
      if (res.status >= 200 && res.status < 300) return (text.trim() ? JSON.parse(text) : {}) as R;
      const retriable = res.status === 429 || res.status >= 500;
      const ra = res.headers["retry-after"];
      if (retriable && attempt < retries) { await sleep(this.backoff(attempt, Array.isArray(ra) ? ra[0] : ra), aborter); continue; }
      throw rejection(this.url, method, path, res.status, this.scrub(text));
    }
  }

  /** `text` without any form of this client's credentials, nor an Authorization header's value. */
  scrub(text: string): string {
    return scrubText(text, this.secrets).replace(/(authorization["']?\s*[:=]\s*["']?)(?:(?:basic|bearer)\s+)?[^\s"',;}]+/gi, "$1***");
  }

  private backoff(attempt: number, retryAfter?: string | null): number {
    const ra = retryAfter ? Number(retryAfter) * 1000 : NaN;
    if (Number.isFinite(ra) && ra >= 0) return Math.min(ra, 10_000);
    const b = (this.opts.backoffMs ?? 250) * 2 ** attempt;
    return Math.min(b, 5000) * (0.75 + Math.random() / 2);
  }

  private payload(body: unknown, stream?: { file: string }): [Record<string, string>, HttpBody] {
    if (stream) {
      const size = statSync(stream.file).size;
      return [this.headers({ "Content-Type": "application/octet-stream", "Content-Length": String(size) }), { file: stream.file, size }];
    }
    if (body === undefined) return [this.headers(), undefined];
    const json = encodeJson(body);
    return [this.headers({ "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(json)) }), json];
  }

  // ---- experiments ----

  /** The experiment of that name, or null when there is none (deleted ones included). */
  async getExperimentByName(name: string): Promise<T.Experiment | null> {
    try {
      const r = await this.request<{ experiment: T.Experiment }>("GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
      return { ...r.experiment, tags: r.experiment.tags ?? [] };
    } catch (err) {
      if (err instanceof MlflowRejection && err.errorCode === "RESOURCE_DOES_NOT_EXIST") return null;
      throw err;
    }
  }
  async createExperiment(req: T.CreateExperimentRequest): Promise<string> {
    return (await this.request<{ experiment_id: string }>("POST", "/api/2.0/mlflow/experiments/create", req)).experiment_id;
  }
  async restoreExperiment(experimentId: string): Promise<void> {
    await this.request("POST", "/api/2.0/mlflow/experiments/restore", { experiment_id: experimentId });
  }

  // ---- runs ----

  /** `retries`: 0 when the caller looks the run up before trying again (a lost reply must not make two). */
  async createRun(req: T.CreateRunRequest, retries?: number): Promise<T.Run> {
    return normRun((await this.request<{ run: T.Run }>("POST", "/api/2.0/mlflow/runs/create", req, undefined, retries)).run);
  }
  async updateRun(req: T.UpdateRunRequest): Promise<T.RunInfo> {
    return (await this.request<{ run_info: T.RunInfo }>("POST", "/api/2.0/mlflow/runs/update", req)).run_info;
  }
  async getRun(runId: string): Promise<T.Run> {
    return normRun((await this.request<{ run: T.Run }>("GET", `/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(runId)}`)).run);
  }
  async searchRuns(req: T.SearchRunsRequest): Promise<T.SearchRunsResponse> {
    const r = await this.request<{ runs?: T.Run[]; next_page_token?: string }>("POST", "/api/2.0/mlflow/runs/search", req);
    return { runs: (r.runs ?? []).map(normRun), next_page_token: r.next_page_token };
  }
  async logBatch(req: T.LogBatchRequest): Promise<void> {
    await this.request("POST", "/api/2.0/mlflow/runs/log-batch", req);
  }
  async logInputs(req: T.LogInputsRequest): Promise<void> {
    await this.request("POST", "/api/2.0/mlflow/runs/log-inputs", req);
  }
  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.request("POST", "/api/2.0/mlflow/runs/set-tag", { run_id: runId, key, value });
  }
  /** One page of a metric's history (the server pages at 25,000 points at most). */
  async getMetricHistory(runId: string, key: string, pageToken?: string): Promise<T.MetricHistoryResponse> {
    const q = `run_id=${encodeURIComponent(runId)}&metric_key=${encodeURIComponent(key)}&max_results=25000${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ""}`;
    const r = await this.request<{ metrics?: T.Metric[]; next_page_token?: string }>("GET", `/api/2.0/mlflow/metrics/get-history?${q}`);
    return { metrics: (r.metrics ?? []).map(normMetric), next_page_token: r.next_page_token };
  }

  // ---- artifacts (through the server's mlflow-artifacts proxy) ----

  /** Streams a local file to `<run artifact root>/<artifactPath>`. */
  async uploadArtifact(artifactUri: string, localFile: string, artifactPath: string): Promise<void> {
    await this.request("PUT", `/api/2.0/mlflow-artifacts/artifacts/${proxyPath(artifactUri, artifactPath)}`, undefined, { file: localFile });
  }
  /** Lists a folder of a run's artifacts (relative to the run's artifact root). */
  async listArtifacts(artifactUri: string, path = ""): Promise<T.FileInfo[]> {
    const p = proxyPath(artifactUri, path);
    const r = await this.request<{ files?: T.FileInfo[] }>("GET", `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(p)}`);
    return (r.files ?? []).map((f) => ({ ...f, is_dir: !!f.is_dir }));
  }
  /** Downloads one artifact's bytes. */
  async downloadArtifact(artifactUri: string, path: string): Promise<Buffer> {
    const url = `${this.base}/api/2.0/mlflow-artifacts/artifacts/${proxyPath(artifactUri, path)}`;
    const res = await this.connection().send("GET", url, this.headers(), undefined, AbortSignal.timeout(this.opts.timeoutMs ?? 30_000));
    if (res.status < 200 || res.status >= 300) throw rejection(this.url, "GET", path, res.status, this.scrub(res.body.toString("utf8")));
    return res.body;
  }
}

/** Each secret as sent or echoed: plain, percent-encoded, base64 and base64url (longest first). */
function secretForms(values: readonly (string | undefined)[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (!v || v.length < 3) continue;
    const b = Buffer.from(v);
    for (const f of [v, encodeURIComponent(v), b.toString("base64"), b.toString("base64url"), b.toString("base64").replace(/=+$/, "")]) out.add(f);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Path under the artifacts proxy for a run's `mlflow-artifacts:/...` root plus a relative path. */
export function proxyPath(artifactUri: string, rel: string): string {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
  if (!m) {
    throw new MlcError("MLC7002", `the server stores this run's artifacts at ${artifactUri}, not behind its artifacts proxy: start it with --serve-artifacts (the default) so mlc can upload artifacts`);
  }
  const parts = [...m[1].split("/"), ...rel.split("/")].filter((s) => s !== "");
  return parts.map(encodeURIComponent).join("/");
}

function pathOnly(path: string): string {
  return path.split("?")[0];
}

/** A non-2xx answer: MLC7002 with MLflow's error_code when the body is JSON. */
export class MlflowRejection extends MlcError {
  constructor(message: string, readonly status: number, readonly errorCode: string | null) {
    super("MLC7002", message);
    this.name = "MlflowRejection";
  }
}

function rejection(url: string, method: string, path: string, status: number, text: string): MlcError {
  let body: T.ErrorBody = {};
  try {
    body = JSON.parse(text) as T.ErrorBody;
  } catch {
    // non-JSON error page (proxy, HTML 404): keep a short plain excerpt
  }
  const detail = body.message ?? text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 200);
  const code = body.error_code ? `${body.error_code}: ` : "";
  const msg = `MLflow server ${url} rejected ${method} ${pathOnly(path)} (HTTP ${status}) ${code}${detail}`.trim();
  if (status === 502 || status === 503 || status === 504) return new MlcError("MLC7001", msg);
  return new MlflowRejection(msg, status, body.error_code ?? null);
}
