// S3 and http(s) against real servers (moto_server, a node:http server): coded errors naming the
// dataset and URL without credentials, listings past 1,000 keys, a server dying mid multipart
// upload, read-only http, stat() without download, the SDK's bounded retries.
import { createServer } from "node:http";
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storageFor } from "../../catalog/storage/storage.js";
import { freePort } from "../tracking/mlflow/server.js";
import { startMoto, TEST_SECRET, type MotoServer } from "../helpers/moto.js";
import { startSilentServer, startTcpCut } from "../helpers/tcp-cut.js";
import { catalog, project, rejection } from "./helpers.js";

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket("bkt");
}, 90_000);
afterAll(() => moto?.stop());

const creds = () => ({ s3: moto.credentials });
const on = (filepath: string, type = "json") => ({ ds: { type, filepath, credentials: "s3" } });

function expectNoSecret(text: string): void {
  expect(text).not.toContain(TEST_SECRET);
  expect(text).not.toContain(moto.credentials.aws_access_key_id);
}

describe("errors users can act on", () => {
  it("a 404 on load is MLC6001 naming the dataset and the URL", async () => {
    const e = await rejection(catalog(project(), on("s3://bkt/none.json"), { credentials: creds() }).load("ds"));
    expect(e.code).toBe("MLC6001");
    expect(e.message).toBe('dataset "ds": object not found: s3://bkt/none.json');
  });

  it("a missing bucket is MLC6001 (load) and MLC6002 (save), saying so", async () => {
    const cat = catalog(project(), on("s3://no-such-bucket/x.json"), { credentials: creds() });
    const load = await rejection(cat.load("ds"));
    expect(load.code).toBe("MLC6001");
    expect(load.message).toContain("bucket of s3://no-such-bucket/x.json does not exist");
    const save = await rejection(cat.save("ds", { a: 1 }));
    expect(save.code).toBe("MLC6002");
    expect(save.message).toContain("s3://no-such-bucket/x.json");
    expectNoSecret(load.message + save.message);
  });

  it("a wrong endpoint fails after bounded retries with MLC6001, within seconds", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const t0 = Date.now();
    const cat = catalog(project(), on("s3://bkt/x.json"), {
      credentials: { s3: { ...moto.credentials, endpoint_url: dead } },
    });
    const e = await rejection(cat.load("ds"));
    expect(e.code).toBe("MLC6001");
    expect(e.message).toMatch(/cannot reach the S3 endpoint for s3:\/\/bkt\/x\.json \(ECONNREFUSED\) after 3 attempts/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expectNoSecret(e.message);
  });

  it("a server that accepts and never answers: MLC6001/MLC6002 after bounded attempts, never a hang", async () => {
    const silent = await startSilentServer();
    const warned: unknown[] = [];
    const warn = console.warn;
    console.warn = (...a: unknown[]) => void warned.push(a); // the SDK's own console chatter must stay off
    process.env.MLC_STORAGE_TIMEOUT_MS = "1000";
    try {
      const cat = catalog(project(), on("s3://bkt/x.json"), {
        credentials: { s3: { ...moto.credentials, endpoint_url: silent.endpoint } },
      });
      const t0 = Date.now();
      const load = await rejection(cat.load("ds"));
      expect(load.code).toBe("MLC6001");
      expect(load.message).toBe(
        'dataset "ds": cannot reach the S3 endpoint for s3://bkt/x.json (no answer within 1 s) after 3 attempts',
      );
      const save = await rejection(cat.save("ds", { a: 1 }));
      expect(save.code).toBe("MLC6002");
      expect(save.message).toContain("(no answer within 1 s) after 3 attempts");
      // Three attempts of 1 s each plus backoff, twice: well under the time a hang would take.
      expect(Date.now() - t0).toBeLessThan(15_000);
      expectNoSecret(load.message + save.message);
      expect(warned).toEqual([]);
    } finally {
      console.warn = warn;
      delete process.env.MLC_STORAGE_TIMEOUT_MS;
      await silent.stop();
    }
  }, 30_000);

  it("access denied (a server that checks keys) is MLC6001 saying to check the credentials", async () => {
    const strict = await startMoto({ INITIAL_NO_AUTH_ACTION_COUNT: "0" });
    try {
      const cat = catalog(project(), on("s3://bkt/x.json"), {
        credentials: { s3: { ...moto.credentials, endpoint_url: strict.endpoint } },
      });
      const e = await rejection(cat.load("ds"));
      expect(e.code).toBe("MLC6001");
      expect(e.message).toMatch(
        /access denied to s3:\/\/bkt\/x\.json \(InvalidAccessKeyId\): check the credentials entry/,
      );
      expectNoSecret(e.message);
    } finally {
      await strict.stop();
    }
  }, 90_000);

  it("an object key with a '..' segment is refused before any request", async () => {
    const e = await rejection(catalog(project(), on("s3://bkt/a/../x.json"), { credentials: creds() }).save("ds", 1));
    expect(e.code).toBe("MLC6002");
    expect(e.message).toContain('has a "." or ".." segment');
  });
});

describe("listings and stat", () => {
  it("partitioned lists past 1,000 keys (every page)", async () => {
    const ids = Array.from({ length: 1005 }, (_, i) => `p${String(i).padStart(4, "0")}`);
    for (let i = 0; i < ids.length; i += 50)
      await Promise.all(
        ids
          .slice(i, i + 50)
          .map((id) => moto.client.send(new PutObjectCommand({ Bucket: "bkt", Key: `many/${id}.txt`, Body: id }))),
      );
    const ds = {
      p: { type: "partitioned", path: "s3://bkt/many", dataset: "text", filename_suffix: ".txt", credentials: "s3" },
    };
    const parts = (await catalog(project(), ds as never, { credentials: creds() }).load("p")) as Record<
      string,
      () => Promise<unknown>
    >;
    expect(Object.keys(parts)).toEqual(ids);
    expect(await parts.p1004()).toBe("p1004");
  }, 60_000);

  it("stat() gives size, mtime and the ETag without reading the object", async () => {
    await moto.client.send(new PutObjectCommand({ Bucket: "bkt", Key: "st/x.txt", Body: "hello" }));
    const s3 = await storageFor("s3://bkt/st/x.txt", moto.credentials);
    const st = await s3.stat("s3://bkt/st/x.txt");
    expect(st).toMatchObject({ size: 5, etag: "5d41402abc4b2a76b9719d911017c592" });
    expect(st!.mtimeMs).toBeGreaterThan(Date.now() - 120_000);
    expect(await s3.stat("s3://bkt/st/none.txt")).toBeNull();
  });
});

describe("atomic saves", () => {
  it("a server dying mid multipart upload: MLC6002, the previous object intact, the cut upload invisible", async () => {
    const key = "mp/big.txt";
    await moto.client.send(new PutObjectCommand({ Bucket: "bkt", Key: key, Body: "previous" }));
    const relay = await startTcpCut(moto.port, 20 * 1024 * 1024);
    const big = "x".repeat(40 * 1024 * 1024);
    const cat = catalog(
      project(),
      { ds: { type: "text", filepath: `s3://bkt/${key}`, credentials: "s3" } },
      {
        credentials: { s3: { ...moto.credentials, endpoint_url: relay.endpoint } },
      },
    );
    // Objects above MLC_S3_MULTIPART_MB go up in parts.
    process.env.MLC_S3_MULTIPART_MB = "8";
    const e = await rejection(cat.save("ds", big)).finally(() => delete process.env.MLC_S3_MULTIPART_MB);
    await relay.cut;
    expect(e.code).toBe("MLC6002");
    expect(e.message).toContain(`dataset "ds"`);
    expect(e.message).toContain(`s3://bkt/${key}`);
    expectNoSecret(e.message);
    const body = await (
      await moto.client.send(new GetObjectCommand({ Bucket: "bkt", Key: key }))
    ).Body!.transformToString();
    expect(body).toBe("previous");
    // The upload was a multipart one, cut before completion (its abort could not reach the server).
    const open = await moto.client.send(new ListMultipartUploadsCommand({ Bucket: "bkt", Prefix: key }));
    expect(open.Uploads?.length).toBe(1);
  }, 60_000);
});

describe("partitioned overwrite on S3", () => {
  const parts = (path: string) => ({
    p: { type: "partitioned", path, dataset: "text", filename_suffix: ".txt", overwrite: true, credentials: "s3" },
  });
  const loadAll = async (path: string) => {
    const loaded = (await catalog(project(), parts(path) as never, { credentials: creds() }).load("p")) as Record<
      string,
      () => Promise<unknown>
    >;
    return Object.fromEntries(await Promise.all(Object.entries(loaded).map(async ([k, f]) => [k, await f()])));
  };
  const keysUnder = async (prefix: string) =>
    (await moto.client.send(new ListObjectsV2Command({ Bucket: "bkt", Prefix: prefix }))).Contents?.map((o) => o.Key);

  it("a save that fails half-way leaves the old set whole and readable, and no staging behind", async () => {
    const path = "s3://bkt/ow1/parts";
    const cat = catalog(project(), parts(path) as never, { credentials: creds() });
    await cat.save("p", { a: "old a", b: "old b", c: "old c" });
    const e = await rejection(
      cat.save("p", {
        a: "new a",
        b: "new b",
        c: () => {
          throw new Error("the third partition cannot be made");
        },
      }),
    );
    expect(e.code).toBe("MLC6002");
    expect(await loadAll(path)).toEqual({ a: "old a", b: "old b", c: "old c" });
    expect(await keysUnder("ow1/")).toEqual(["ow1/parts/a.txt", "ow1/parts/b.txt", "ow1/parts/c.txt"]);
    await cat.save("p", { a: "new a", d: "new d" });
    expect(await loadAll(path)).toEqual({ a: "new a", d: "new d" });
    expect(await keysUnder("ow1/")).toEqual(["ow1/parts/a.txt", "ow1/parts/d.txt"]);
  });

  it("a server that dies during the new set's upload: MLC6002, the old set stays whole", async () => {
    const path = "s3://bkt/ow3/parts";
    await catalog(project(), parts(path) as never, { credentials: creds() }).save("p", { a: "old a", b: "old b" });
    const relay = await startTcpCut(moto.port, 3 * 1024 * 1024);
    const cut = catalog(project(), parts(path) as never, {
      credentials: { s3: { ...moto.credentials, endpoint_url: relay.endpoint } },
    });
    const big = (c: string) => c.repeat(2 * 1024 * 1024);
    const e = await rejection(cut.save("p", { a: big("a"), b: big("b"), c: big("c") }));
    await relay.cut;
    expect(e.code).toBe("MLC6002");
    expect(await loadAll(path)).toEqual({ a: "old a", b: "old b" });
  }, 60_000);

  it("a swap cut after its commit (a writer killed while copying) is completed by the next load", async () => {
    const put = (Key: string, Body: string) => moto.client.send(new PutObjectCommand({ Bucket: "bkt", Key, Body }));
    // What a writer killed mid-copy leaves: the old set partly replaced, the staged new set, its marker.
    const staging = ".parts.tmp-999999-0-0badc0de";
    await Promise.all([
      put("ow2/parts/a.txt", "new a"),
      put("ow2/parts/b.txt", "old b"),
      put("ow2/parts/c.txt", "old c"),
      put(`ow2/${staging}/a.txt`, "new a"),
      put(`ow2/${staging}/b.txt`, "new b"),
      put("ow2/.parts.swap.json", JSON.stringify({ staging, keys: ["a.txt", "b.txt"] })),
    ]);
    expect(await loadAll("s3://bkt/ow2/parts")).toEqual({ a: "new a", b: "new b" });
    expect(await keysUnder("ow2/")).toEqual(["ow2/parts/a.txt", "ow2/parts/b.txt"]);
  });
});

describe("http(s)", () => {
  let url = "";
  let close = () => {};
  beforeAll(async () => {
    const server = createServer((req, res) => {
      if (req.url === "/data.json") {
        res.writeHead(200, { "content-type": "application/json", etag: '"abc"' });
        res.end(req.method === "HEAD" ? undefined : '{"a": [1, 2]}');
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it("loads over http; exists() and stat() use HEAD", async () => {
    const cat = catalog(project(), { ds: { type: "json", filepath: `${url}/data.json` } });
    expect(await cat.exists("ds")).toBe(true);
    expect(await cat.load("ds")).toEqual({ a: [1, 2] });
    expect(await (await storageFor(`${url}/data.json`, undefined)).stat(`${url}/data.json`)).toMatchObject({
      etag: "abc",
    });
  });

  it("a 404 is MLC6001 and a save is MLC6002: http(s) is read-only", async () => {
    const miss = await rejection(catalog(project(), { ds: { type: "json", filepath: `${url}/none.json` } }).load("ds"));
    expect(miss.code).toBe("MLC6001");
    expect(miss.message).toBe(`dataset "ds": not found (HTTP 404): ${url}/none.json`);
    const save = await rejection(
      catalog(project(), { ds: { type: "json", filepath: `${url}/data.json` } }).save("ds", 1),
    );
    expect(save.code).toBe("MLC6002");
    expect(save.message).toContain("is read-only: http(s) datasets can be loaded, not saved");
  });
});
