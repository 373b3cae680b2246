// How requests leave the process: Node's global fetch, or undici's fetch with an Agent when
// the MLFLOW_TRACKING_INSECURE_TLS / MLFLOW_TRACKING_SERVER_CERT_PATH options need TLS settings
// the global fetch cannot take. undici is imported only in that case.
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";

/** A fetch bound to the right dispatcher. */
export interface Connection {
  readonly fetch: (url: string, init?: RequestInit) => Promise<Response>;
}

/** The connection for these TLS options (global fetch when none are set). */
export async function connectionFor(opts: { insecureTls?: boolean; caCertPath?: string }): Promise<Connection> {
  if (!opts.insecureTls && !opts.caCertPath) return { fetch: (url, init) => fetch(url, init) };
  const undici = await import("undici");
  const connect: Record<string, unknown> = {};
  if (opts.insecureTls) connect.rejectUnauthorized = false;
  // A CA bundle adds to, rather than replaces, the trust a user expects: Node's roots plus this one.
  if (opts.caCertPath) connect.ca = [...rootCertificates, readFileSync(opts.caCertPath, "utf8")];
  const dispatcher = new undici.Agent({ connect });
  return {
    fetch: (url, init) => undici.fetch(url, { ...(init as object), dispatcher } as never) as unknown as Promise<Response>,
  };
}
