// The viz HTTP server (node:http, no framework): `/` the page, `/api/graph` the data as JSON,
// `/api/version` a counter that changes when the project is recompiled (the page polls it).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface VizSource {
  /** The current page HTML (re-rendered after a recompile). */
  page(): Promise<string>;
  /** The current page data as JSON text. */
  data(): Promise<string>;
  /** Bumped on every recompile. */
  version(): number;
}

export interface VizServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts serving `source` on host:port (port 0 picks a free one); resolves once listening. */
export function serveViz(source: VizSource, host: string, port: number): Promise<VizServer> {
  const server = createServer((req, res) => {
    handle(source, req, res).catch((err: Error) => send(res, 500, "text/plain; charset=utf-8", `mlc viz: ${err.message}\n`));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address() as AddressInfo;
      const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${shown}:${addr.port}/`,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

async function handle(source: VizSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n");
  if (path === "/" || path === "/index.html") return send(res, 200, "text/html; charset=utf-8", await source.page());
  if (path === "/api/graph") return send(res, 200, "application/json; charset=utf-8", await source.data());
  if (path === "/api/version") return send(res, 200, "application/json", JSON.stringify({ version: source.version() }));
  if (path === "/favicon.ico") return send(res, 204, "text/plain", "");
  send(res, 404, "text/plain; charset=utf-8", "not found\n");
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(body);
}
