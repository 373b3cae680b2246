// How requests leave the process: node:http / node:https with a keep-alive agent. Not the global
// fetch: its first use loads Node's bundled undici, a cost every tracked run would pay. TLS
// options (MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_TRACKING_SERVER_CERT_PATH) go to the https agent.
// node:http/https/tls load on the first connection, not with this module (a run under
// delivery: background never opens one).
import { createReadStream, readFileSync } from "node:fs";
import type http from "node:http";
import type https from "node:https";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** A response, fully read. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A request body: JSON text, or a file streamed with its length. */
export type HttpBody = string | { readonly file: string; readonly size: number } | undefined;

/** Sends requests to one server. */
export interface Connection {
  send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: HttpBody,
    signal: AbortSignal,
  ): Promise<HttpResponse>;
}

/** A connection with these TLS options (a custom CA is added to Node's roots, not replacing them). */
export function connectionFor(opts: { insecureTls?: boolean; caCertPath?: string }): Connection {
  const http = require("node:http") as typeof import("node:http");
  const https = require("node:https") as typeof import("node:https");
  const { rootCertificates } = require("node:tls") as typeof import("node:tls");
  const httpAgent = new http.Agent({ keepAlive: true });
  const tls: https.AgentOptions = { keepAlive: true };
  if (opts.insecureTls) tls.rejectUnauthorized = false;
  if (opts.caCertPath) tls.ca = [...rootCertificates, readFileSync(opts.caCertPath, "utf8")];
  const httpsAgent = new https.Agent(tls);
  return {
    send(method, url, headers, body, signal) {
      return new Promise<HttpResponse>((resolve, reject) => {
        const u = new URL(url);
        const secure = u.protocol === "https:";
        const req = (secure ? https : http).request(
          u,
          { method, headers, agent: secure ? httpsAgent : httpAgent, signal },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
            );
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        if (typeof body === "string") req.end(body);
        else if (body) {
          const src = createReadStream(body.file);
          src.on("error", (e) => req.destroy(e));
          src.pipe(req);
        } else req.end();
      });
    },
  };
}
