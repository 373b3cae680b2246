// The W7 bench's "server 100 ms away" and its request counter: a real HTTP server behind the
// bench's loopback proxy, real sockets.
import { once } from "node:events";
import { createServer, request, Agent, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain .mjs bench module without type declarations
import { startProxy } from "../../bench/lib/mlflow-server.mjs";

let server: Server;
let target = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => res.end(`${req.method} ${req.url} ${body.length}`));
  }).listen(0, "127.0.0.1");
  await once(server, "listening");
  const addr = server.address();
  target = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
});
afterAll(() => server.close());

/** One request over `agent`; resolves to [status, body, ms]. */
async function send(agent: Agent, url: string, body: string): Promise<[number, string, number]> {
  const t0 = performance.now();
  const req = request(url, { method: "POST", agent, headers: { "Content-Length": Buffer.byteLength(body) } });
  req.end(body);
  const [res] = await once(req, "response");
  let text = "";
  for await (const c of res) text += c;
  return [res.statusCode, text, performance.now() - t0];
}

describe("bench W7 delaying proxy", () => {
  it("adds a 100 ms round trip to each request and counts requests per path, query cut", async () => {
    const proxy = await startProxy(target, 50);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = "x".repeat(300_000); // many chunks: still forwarded whole and in order
      const [status, text, ms] = await send(agent, `${proxy.uri}/api/2.0/mlflow/runs/log-batch`, big);
      expect([status, text]).toEqual([200, `POST /api/2.0/mlflow/runs/log-batch ${big.length}`]);
      expect(ms).toBeGreaterThanOrEqual(100);
      // a second request on the same kept-alive connection is delayed and counted too
      const [, again, ms2] = await send(agent, `${proxy.uri}/api/2.0/mlflow/runs/log-batch?x=1`, "{}");
      expect(again).toBe("POST /api/2.0/mlflow/runs/log-batch?x=1 2");
      expect(ms2).toBeGreaterThanOrEqual(100);
      await send(agent, `${proxy.uri}/health`, "");
      expect(Object.fromEntries(proxy.requests)).toEqual({ "/api/2.0/mlflow/runs/log-batch": 2, "/health": 1 });
    } finally {
      agent.destroy();
      proxy.close();
    }
  });

  it("counts without a delay too (W7d's counter)", async () => {
    const proxy = await startProxy(target, 0);
    const agent = new Agent();
    try {
      const [, text] = await send(agent, `${proxy.uri}/a`, "hi");
      expect(text).toBe("POST /a 2");
      expect(Object.fromEntries(proxy.requests)).toEqual({ "/a": 1 });
    } finally {
      agent.destroy();
      proxy.close();
    }
  });
});
