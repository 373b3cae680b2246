// `mlc viz` answers only requests that name it in `Host:` (DNS rebinding defence): real HTTP
// requests with forged Host headers against the real served CLI.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, serveViz, tempProject } from "./helpers.js";

interface Reply {
  status: number;
  body: string;
}

/** GET `path` from 127.0.0.1:port with `host` as the Host header (undefined: no Host header at all). */
function get(port: number, path: string, host: string | undefined): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, path, setHost: false, headers: host === undefined ? {} : { host } });
    req.on("error", fail);
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => done({ status: res.statusCode!, body }));
    });
    req.end();
  });
}

describe("mlc viz Host check", () => {
  let viz: Awaited<ReturnType<typeof serveViz>>;
  let port = 0;

  beforeAll(async () => {
    viz = await serveViz(["--project", tempProject(DEMO)]);
    port = Number(new URL(viz.url).port);
  });
  afterAll(async () => {
    expect(await viz?.stop()).toBe(0);
  });

  it.each(["localhost", "127.0.0.1", "[::1]", "LocalHost"])("answers Host %s with the right port", async (name) => {
    const r = await get(port, "/api/graph", `${name}:${port}`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).nodes.length).toBeGreaterThan(0);
  });

  it.each([
    "evil.example:PORT",
    "localhost.evil.example:PORT",
    "127.0.0.1.nip.io:PORT",
    "localhost:1",
    "localhost",
    "",
    undefined,
  ])("refuses Host %s with 403 and no data", async (host) => {
    for (const path of ["/api/graph", "/", "/api/version"]) {
      const r = await get(port, path, host?.replace("PORT", String(port)));
      // Node itself rejects an HTTP/1.1 request without any Host with 400.
      expect(r.status).toBe(host === undefined ? 400 : 403);
      expect(r.body).not.toMatch(/nodes|datasets|"version"|<html/i);
    }
  });
});
