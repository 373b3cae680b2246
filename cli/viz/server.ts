// The viz HTTP server (node:http, no framework): `/` the page, `/api/graph` the data as JSON,
// `/api/version` a counter that changes when the project is recompiled, `/api/run` the newest run
// record (the page polls both).
// Only requests naming this server in `Host:` are answered: a web page on another site could
// otherwise point its own domain at 127.0.0.1 (DNS rebinding) and read the graph and parameters.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isIP, type AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";

export interface VizSource {
  /** The current page HTML (re-rendered after a recompile). */
  page(): Promise<string>;
  /** The current page data as JSON text. */
  data(): Promise<string>;
  /** The newest run record as the page overlays it, read afresh (JSON text). */
  run(): Promise<string>;
  /** Bumped on every recompile. */
  version(): number;
}

export interface VizServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts serving `source` on host:port (port 0 picks a free one); resolves once listening. */
export function serveViz(source: VizSource, host: string, port: number): Promise<VizServer> {
  let allowed = new Set<string>();
  const server = createServer((req, res) => {
    if (!allowed.has((req.headers.host ?? "").toLowerCase())) {
      const why = "mlc viz: forbidden Host header (open the URL mlc viz printed)\n";
      return send(res, 403, "text/plain; charset=utf-8", why);
    }
    handle(source, req, res).catch((err: Error) =>
      send(res, 500, "text/plain; charset=utf-8", `mlc viz: ${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address() as AddressInfo;
      const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      allowed = allowedHosts(host, addr);
      resolve({
        url: `http://${shown}:${addr.port}/`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * The `Host:` values naming this server, each with the bound port: the loopback names, the printed
 * URL's address and the --host given; for a wildcard bind, the machine's own addresses. A rebinding
 * page sends its own domain name, never one of these.
 */
function allowedHosts(host: string, addr: AddressInfo): Set<string> {
  const ips = [addr.address, ...(isWildcard(addr.address) ? ownAddresses() : [])];
  const names = ["localhost", "127.0.0.1", "[::1]", host, ...ips].map((n) => (isIP(n) === 6 ? `[${n}]` : n));
  const withPort = names.map((n) => `${n.toLowerCase()}:${addr.port}`);
  // A Host without a port means the scheme's default port.
  return new Set(addr.port === 80 ? [...withPort, ...names] : withPort);
}

const isWildcard = (address: string) => address === "0.0.0.0" || address === "::";
const ownAddresses = () => Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));

async function handle(source: VizSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n");
  if (path === "/" || path === "/index.html") return send(res, 200, "text/html; charset=utf-8", await source.page());
  if (path === "/api/graph") return send(res, 200, "application/json; charset=utf-8", await source.data());
  if (path === "/api/run") return send(res, 200, "application/json; charset=utf-8", await source.run());
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
