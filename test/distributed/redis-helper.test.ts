import { connect } from "node:net";
import { expect, it } from "vitest";
import { startRedis } from "../helpers/redis.js";

function ping(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const s = connect(Number(u.port), u.hostname, () => s.write("PING\r\n"));
    s.once("data", (b) => (ok(b.toString()), s.end()));
    s.once("error", fail);
  });
}

it("starts a real redis-server on a free port and stops it", async () => {
  const r = await startRedis();
  expect(await ping(r.url)).toBe("+PONG\r\n");
  await r.stop();
  await expect(ping(r.url)).rejects.toThrow(/ECONNREFUSED/);
});
