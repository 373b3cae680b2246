// How to reach one tracking server, from mlflow.yml and the standard MLFLOW_TRACKING_* variables,
// plus the JSON encoding MLflow expects. Apart from the client so that a run that only writes its
// outbox (background delivery) loads no HTTP code.
import { MlcError } from "../../compiler/diagnostics.js";

/** How to reach and authenticate with one tracking server. */
export interface ClientOptions {
  /** http(s) tracking URI; user:password in it is used as basic auth and stripped. */
  readonly uri: string;
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
  readonly insecureTls?: boolean;
  readonly caCertPath?: string;
  /** Per-attempt timeout (ms). */
  readonly timeoutMs?: number;
  /** Extra attempts after a retriable failure. */
  readonly retries?: number;
  readonly backoffMs?: number;
  /** Observes every HTTP request sent (benchmarks count them). */
  readonly onRequest?: (method: string, path: string) => void;
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

/** JSON with non-finite numbers as MLflow's strings ("NaN", "Infinity", "-Infinity"). */
export function encodeJson(body: unknown): string {
  return JSON.stringify(body, (_k, v) =>
    typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") : v,
  );
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
