// http(s) datasets against servers that stop answering: before the headers (accepts and never
// answers) and in the middle of the body. Each load fails with MLC6001 once the connection has been
// idle for MLC_STORAGE_TIMEOUT_MS, never a hang; a slow transfer that keeps moving is not cut.
import { createServer, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startSilentServer } from "../helpers/tcp-cut.js";
import { catalog, project, rejection } from "./helpers.js";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  delete process.env.MLC_STORAGE_TIMEOUT_MS;
  await Promise.all(stops.splice(0).map((s) => s()));
});

/** A server whose handler writes the response as it likes (and may never end it). */
async function httpServer(handle: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((_req, res) => handle(res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  stops.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const load = (url: string) => catalog(project(), { ds: { type: "text", filepath: `${url}/x.txt` } }).load("ds");

describe("http(s) timeouts", () => {
  it("a server that accepts and never answers: MLC6001 after the idle limit", async () => {
    const silent = await startSilentServer();
    stops.push(silent.stop);
    process.env.MLC_STORAGE_TIMEOUT_MS = "500";
    const t0 = Date.now();
    const e = await rejection(load(silent.endpoint));
    expect(e.code).toBe("MLC6001");
    expect(e.message).toBe(`dataset "ds": cannot reach ${silent.endpoint}/x.txt (no answer within 0.5 s)`);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("a body that stops half-way: MLC6001 after the idle limit", async () => {
    const url = await httpServer((res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("x".repeat(50)); // and nothing more
    });
    process.env.MLC_STORAGE_TIMEOUT_MS = "500";
    const t0 = Date.now();
    const e = await rejection(load(url));
    expect(e.code).toBe("MLC6001");
    expect(e.message).toContain("(no answer within 0.5 s)");
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("a transfer slower than the limit in total but never idle that long loads whole", async () => {
    const url = await httpServer((res) => {
      res.writeHead(200, { "content-length": "8" });
      let n = 0;
      const tick = setInterval(() => {
        res.write(String(n));
        if (++n === 8) {
          clearInterval(tick);
          res.end();
        }
      }, 150);
    });
    process.env.MLC_STORAGE_TIMEOUT_MS = "500";
    expect(await load(url)).toBe("01234567"); // 1.2 s in all, never 0.5 s without a byte
  });
});
