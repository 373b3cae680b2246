// A typed client for the MLflow REST API: JSON with the right Content-Type, NaN/±Infinity as
// strings, missing repeated fields read as [], bounded retries with backoff on 429/5xx and
// connection errors, basic or bearer auth, TLS options (insecure, extra CA).
// Errors are MlcError MLC7001 (unreachable) or MLC7002 (rejected); messages never hold secrets,
// not even when a server echoes the request's Authorization header back in its error body.
// Requests go through node:http/https with keep-alive agents, not the global fetch: its first use
// loads Node's bundled undici, a cost every tracked run would pay. Those modules load on the first
// request, not with this one (a run under delivery: background never sends one).
import { createReadStream, readFileSync, statSync } from "node:fs";
import type http from "node:http";
import type https from "node:https";
import { createRequire } from "node:module";
import { scrubText } from "../../catalog/secrets.js";
import { MlcError } from "../../compiler/diagnostics.js";
import { encodeJson } from "./batcher.js";
import type * as T from "./types.js";

const require = createRequire(import.meta.url);
type Response = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
export const API = "/api/2.0/mlflow";
const ATTEMPT_TIMEOUT_MS = 30_000;

/** One tracking server. Methods map 1:1 to REST endpoints. */
export class MlflowClient {
  /** Printable server URL (no credentials). */
  readonly url: string;
  private readonly auth: string | null;
  private readonly secrets: string[];
  /** Keep-alive agent for the server's protocol: an http server never loads node:https (tls). */
  private agent: http.Agent | null = null;
  private aborter = new AbortController();
  private closed = false;

  constructor(readonly opts: ClientOptions) {
    const u = trackingUrl(opts.uri);
    const user = opts.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
    const pass = opts.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
    const basic = user !== undefined ? `${user}:${pass ?? ""}` : undefined;
    this.auth = opts.token ? `Bearer ${opts.token}` : basic ? `Basic ${Buffer.from(basic).toString("base64")}` : null;
    this.secrets = secretForms([opts.token, pass, basic]);
    this.url = safeUri(opts.uri);
  }

  /** Cancels what is in flight and refuses every later request (MLC7001). */
  close(): void {
    this.aborter.abort(new MlcError("MLC7001", `MLflow server ${this.url} did not answer in time`));
    this.closed = true;
  }

  /** `text` without any form of this client's credentials, nor an Authorization header's value. */
  scrub(text: string): string {
    return scrubText(text, this.secrets).replace(
      /(authorization["']?\s*[:=]\s*["']?)(?:(?:basic|bearer)\s+)?[^\s"',;}]+/gi,
      "$1***",
    );
  }

  /** Sends one request with bounded retries; returns the parsed JSON body ({} when empty). */
  async request<R>(
    method: string,
    path: string,
    body?: unknown,
    file?: string,
    retries = this.opts.retries ?? 3,
  ): Promise<R> {
    if (this.closed) throw new MlcError("MLC7001", `MLflow server ${this.url}: no more requests`);
    const aborted = this.aborter.signal;
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
      let res: Response;
      try {
        res = await this.send(method, path, body, file, AbortSignal.any([timeout, aborted]));
      } catch (err) {
        if (aborted.aborted) throw aborted.reason as MlcError;
        if (attempt < retries) {
          await sleep(this.backoff(attempt), aborted);
          continue;
        }
        const why = timeout.aborted ? "timed out" : ((err as { code?: string }).code ?? (err as Error).message);
        throw new MlcError("MLC7001", `MLflow server ${this.url} unreachable (${method} ${pathOnly(path)}: ${why})`);
      }
      const text = res.body.toString("utf8");
      if (res.status >= 200 && res.status < 300) return (text.trim() ? JSON.parse(text) : {}) as R;
      if ((res.status === 429 || res.status >= 500) && attempt < retries) {
        const ra = res.headers["retry-after"];
        await sleep(this.backoff(attempt, Array.isArray(ra) ? ra[0] : ra), aborted);
        continue;
      }
      throw rejection(this.url, method, path, res.status, this.scrub(text));
    }
  }

  private backoff(attempt: number, retryAfter?: string): number {
    const ra = retryAfter ? Number(retryAfter) * 1000 : NaN;
    if (Number.isFinite(ra) && ra >= 0) return Math.min(ra, 10_000);
    return Math.min(250 * 2 ** attempt, 5000) * (0.75 + Math.random() / 2);
  }

  /** One exchange, fully read. A file body is streamed; a custom CA is added to Node's roots, not replacing them. */
  private send(method: string, path: string, body: unknown, file: string | undefined, signal: AbortSignal) {
    const headers: Record<string, string> = this.auth ? { Authorization: this.auth } : {};
    const json = file || body === undefined ? undefined : encodeJson(body);
    const [type, size] = file
      ? ["application/octet-stream", statSync(file).size]
      : ["application/json", json && Buffer.byteLength(json)];
    if (size !== undefined) Object.assign(headers, { "Content-Type": type, "Content-Length": String(size) });
    const u = new URL(`${this.url}${path}`);
    const secure = u.protocol === "https:";
    const lib = require(secure ? "node:https" : "node:http") as typeof https;
    if (!this.agent) {
      const tls: https.AgentOptions = { keepAlive: true, rejectUnauthorized: !this.opts.insecureTls };
      const ca = this.opts.caCertPath;
      if (secure && ca)
        tls.ca = [...(require("node:tls") as typeof import("node:tls")).rootCertificates, readFileSync(ca, "utf8")];
      this.agent = new lib.Agent(secure ? tls : { keepAlive: true });
    }
    return new Promise<Response>((resolve, reject) => {
      const req = lib.request(u, { method, headers, agent: this.agent!, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      });
      req.on("error", reject);
      if (!file) return void req.end(json);
      const src = createReadStream(file);
      src.on("error", (e) => req.destroy(e));
      src.pipe(req);
    });
  }

  /** The experiment of that name, or null when there is none (deleted ones included). */
  async getExperimentByName(name: string): Promise<T.Experiment | null> {
    try {
      const path = `${API}/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`;
      const r = await this.request<{ experiment: T.Experiment }>("GET", path);
      return { ...r.experiment, tags: r.experiment.tags ?? [] };
    } catch (err) {
      if (err instanceof MlflowRejection && err.errorCode === "RESOURCE_DOES_NOT_EXIST") return null;
      throw err;
    }
  }
  async createExperiment(req: {
    name: string;
    artifact_location?: string;
    tags?: readonly T.KeyValue[];
  }): Promise<string> {
    return (await this.request<{ experiment_id: string }>("POST", `${API}/experiments/create`, req)).experiment_id;
  }
  async restoreExperiment(experimentId: string): Promise<void> {
    await this.request("POST", `${API}/experiments/restore`, { experiment_id: experimentId });
  }
  /** `retries`: 0 when the caller looks the run up before trying again (a lost reply must not make two). */
  async createRun(req: T.CreateRunRequest, retries?: number): Promise<T.Run> {
    return normRun((await this.request<{ run: T.Run }>("POST", `${API}/runs/create`, req, undefined, retries)).run);
  }
  async updateRun(req: { run_id: string; status: T.RunStatus; end_time: number }): Promise<void> {
    await this.request("POST", `${API}/runs/update`, req);
  }
  async getRun(runId: string): Promise<T.Run> {
    return normRun(
      (await this.request<{ run: T.Run }>("GET", `${API}/runs/get?run_id=${encodeURIComponent(runId)}`)).run,
    );
  }
  async searchRuns(req: T.SearchRunsRequest): Promise<T.Run[]> {
    return ((await this.request<{ runs?: T.Run[] }>("POST", `${API}/runs/search`, req)).runs ?? []).map(normRun);
  }
  async logBatch(req: T.LogBatchRequest): Promise<void> {
    await this.request("POST", `${API}/runs/log-batch`, req);
  }
  async logInputs(req: { run_id: string; datasets: readonly T.DatasetInput[] }): Promise<void> {
    await this.request("POST", `${API}/runs/log-inputs`, req);
  }
  /** Streams a local file to `<run artifact root>/<artifactPath>` through the server's artifacts proxy. */
  async uploadArtifact(artifactUri: string, localFile: string, artifactPath: string): Promise<void> {
    await this.request(
      "PUT",
      `/api/2.0/mlflow-artifacts/artifacts/${proxyPath(artifactUri, artifactPath)}`,
      undefined,
      localFile,
    );
  }
}

/** How to reach and authenticate with one tracking server. */
export interface ClientOptions {
  /** http(s) tracking URI; user:password in it is used as basic auth and stripped. */
  readonly uri: string;
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
  readonly insecureTls?: boolean;
  readonly caCertPath?: string;
  /** Extra attempts after a retriable failure. */
  readonly retries?: number;
}

/** Options from the standard MLFLOW_TRACKING_* variables, over `uri` (or MLFLOW_TRACKING_URI). */
export function clientOptionsFromEnv(uri: string | null, env: NodeJS.ProcessEnv = process.env): ClientOptions | null {
  const u = uri || env.MLFLOW_TRACKING_URI;
  if (!u) return null;
  const truthy = (v?: string) => !!v && /^(1|true|yes|on)$/i.test(v.trim());
  return {
    uri: u,
    username: env.MLFLOW_TRACKING_USERNAME || undefined,
    password: env.MLFLOW_TRACKING_PASSWORD || undefined,
    token: env.MLFLOW_TRACKING_TOKEN || undefined,
    insecureTls: truthy(env.MLFLOW_TRACKING_INSECURE_TLS),
    caCertPath: env.MLFLOW_TRACKING_SERVER_CERT_PATH || undefined,
  };
}

/** The URI without credentials, query or trailing slash: safe to print. */
export function safeUri(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return uri.replace(/\/\/[^@/]*@/, "//");
  }
}

/** The tracking URI parsed; MLC7001 when it is not an http(s) URL (mlc talks to a tracking server only). */
export function trackingUrl(uri: string): URL {
  let u: URL | null = null;
  try {
    u = new URL(uri);
  } catch {
    // not a URL at all: said below
  }
  if (!u || (u.protocol !== "http:" && u.protocol !== "https:")) {
    throw new MlcError(
      "MLC7001",
      `tracking URI ${safeUri(uri)} is not an http(s) server: mlc mirrors runs to an MLflow tracking server only`,
    );
  }
  return u;
}

/** Path under the artifacts proxy for a run's `mlflow-artifacts:/...` root plus a relative path. */
export function proxyPath(artifactUri: string, rel: string): string {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
  if (!m) {
    const why = "start it with --serve-artifacts (the default) so mlc can upload artifacts";
    throw new MlcError(
      "MLC7002",
      `the server stores this run's artifacts at ${artifactUri}, not behind its artifacts proxy: ${why}`,
    );
  }
  return [...m[1].split("/"), ...rel.split("/")]
    .filter((s) => s !== "")
    .map(encodeURIComponent)
    .join("/");
}

/** A non-2xx answer: MLC7002 with MLflow's error_code when the body is JSON. */
export class MlflowRejection extends MlcError {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | null,
  ) {
    super("MLC7002", message);
    this.name = "MlflowRejection";
  }
}

function rejection(url: string, method: string, path: string, status: number, text: string): MlcError {
  let body: { error_code?: string; message?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // non-JSON error page (proxy, HTML 404): keep a short plain excerpt
  }
  const detail =
    body.message ??
    text
      .replace(/<[^>]*>/g, " ")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 200);
  const code = body.error_code ? `${body.error_code}: ` : "";
  const msg = `MLflow server ${url} rejected ${method} ${pathOnly(path)} (HTTP ${status}) ${code}${detail}`.trim();
  if (status === 502 || status === 503 || status === 504) return new MlcError("MLC7001", msg);
  return new MlflowRejection(msg, status, body.error_code ?? null);
}

/** Each secret as sent or echoed: plain, percent-encoded, base64 and base64url (longest first). */
function secretForms(values: readonly (string | undefined)[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (!v || v.length < 3) continue;
    const b = Buffer.from(v);
    for (const f of [
      v,
      encodeURIComponent(v),
      b.toString("base64"),
      b.toString("base64url"),
      b.toString("base64").replace(/=+$/, ""),
    ])
      out.add(f);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

function normRun(r: { info: T.RunInfo; data?: Partial<T.Run["data"]>; inputs?: Partial<T.Run["inputs"]> }): T.Run {
  const metrics = (r.data?.metrics ?? []).map((m) => ({
    ...m,
    value: Number(m.value), // "NaN", "Infinity", "-Infinity" as MLflow sends them
    timestamp: Number(m.timestamp ?? 0),
    step: Number(m.step ?? 0),
  }));
  const inputs = (r.inputs?.dataset_inputs ?? []).map((d) => ({ ...d, tags: d.tags ?? [] }));
  return {
    info: r.info,
    data: { metrics, params: r.data?.params ?? [], tags: r.data?.tags ?? [] },
    inputs: { dataset_inputs: inputs },
  };
}

function pathOnly(path: string): string {
  return path.split("?")[0];
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(r, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), r()), { once: true });
  });
}
