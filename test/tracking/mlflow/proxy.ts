// A loopback proxy in front of the real test server: HTTPS with a self-signed certificate (to
// test MLFLOW_TRACKING_INSECURE_TLS / MLFLOW_TRACKING_SERVER_CERT_PATH), a delay on every answer
// (a slow server), a reply lost after the server acted on the request, a server that never
// answers some requests, or an answer of its own. It records the paths it saw. Bounded: it only
// forwards to the test server and closes with the test.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { join } from "node:path";
import { tmpRoot } from "./helpers.js";

export interface Proxy {
  readonly uri: string;
  /** PEM file of the self-signed certificate (https only). */
  readonly certPath: string | null;
  /** "METHOD /path" of every request received, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  readonly tls?: boolean;
  readonly delayMs?: number;
  /** Forward these, then cut the connection instead of answering (the server did the work). */
  readonly dropReply?: RegExp;
  /** Never answer these. */
  readonly hang?: RegExp;
  /** An answer of the proxy's own (not forwarded), or null to forward. */
  readonly answer?: (req: http.IncomingMessage) => { status: number; body: string } | null;
}

/** A self-signed certificate for 127.0.0.1 (openssl), as {key, cert, certPath}. */
export function selfSigned(): { key: Buffer; cert: Buffer; certPath: string } {
  const dir = tmpRoot();
  const key = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      certPath,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(key), cert: readFileSync(certPath), certPath };
}

/** Starts a proxy to `target` (http://127.0.0.1:port). */
export async function startProxy(target: string, o: ProxyOptions = {}): Promise<Proxy> {
  const t = new URL(target);
  const seen: string[] = [];
  const handler: http.RequestListener = (req, res) => {
    const what = `${req.method} ${(req.url ?? "").split("?")[0]}`;
    seen.push(what);
    if (o.hang?.test(what)) return void req.resume();
    const own = o.answer?.(req);
    if (own)
      return void req
        .resume()
        .on("end", () => res.writeHead(own.status, { "Content-Type": "application/json" }).end(own.body));
    const up = http.request(
      { host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        if (o.dropReply?.test(what)) return void r.resume().on("end", () => res.socket?.destroy());
        setTimeout(() => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        }, o.delayMs ?? 0);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  };
  const cert = o.tls ? selfSigned() : null;
  const server = cert ? https.createServer({ key: cert.key, cert: cert.cert }, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    uri: `${cert ? "https" : "http"}://127.0.0.1:${port}`,
    certPath: cert?.certPath ?? null,
    seen,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
