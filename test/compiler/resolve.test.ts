import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CompileContext } from "../../compiler/diagnostics.js";
import { matchFactory, rankFactories } from "../../compiler/factories.js";
import { resolve } from "../../compiler/resolve.js";
import { config, node } from "./helpers.js";

const root = mkdtempSync(join(tmpdir(), "mlc-resolve-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "src"));
writeFileSync(join(root, "src/nodes.js"), "export function f() {}\nexport const x = 1;\n");

async function run(nodes: ReturnType<typeof node>[], cfg = config(), checkFuncs = false) {
  const ctx = new CompileContext(root);
  const out = await resolve(nodes, {}, cfg, { root, checkFuncs }, ctx);
  return { out, reports: ctx.reports };
}

describe("dataset factories", () => {
  it("ranks as Kedro: most literal characters, then fewest placeholders, then alphabetical", () => {
    const ranked = rankFactories(["{a}", "{a}_{b}", "x_{a}", "{a}_features", "{b}_features", "plain"]).map(
      (f) => f.pattern,
    );
    expect(ranked).toEqual(["{a}_features", "{b}_features", "x_{a}", "{a}_{b}", "{a}"]);
  });
  it("fills every string of the entry and flags values leaving the project", () => {
    const cat = {
      "{name}_features": { type: "parquet", filepath: "data/{name}.parquet", load_args: { columns: ["{name}_id"] } },
    };
    const m = matchFactory("users_features", rankFactories(Object.keys(cat)), cat)!;
    expect(m.config).toEqual({ type: "parquet", filepath: "data/users.parquet", load_args: { columns: ["users_id"] } });
    expect(matchFactory("../../x_features", rankFactories(Object.keys(cat)), cat)!.escaping).toEqual([
      "data/../../x.parquet",
    ]);
  });
  it("a repeated placeholder must match the same text", () => {
    const cat = { "{a}_to_{a}": { type: "json" } };
    expect(matchFactory("x_to_x", rankFactories(Object.keys(cat)), cat)).not.toBeNull();
    expect(matchFactory("x_to_y", rankFactories(Object.keys(cat)), cat)).toBeNull();
  });
});

describe("resolve", () => {
  it("explicit entry, factory, implicit memory", async () => {
    const cfg = config({
      raw: { type: "csv", filepath: "data/raw.csv" },
      "{n}_features": { type: "parquet", filepath: "data/{n}.pq" },
    });
    const { out, reports } = await run(
      [node("a", ["raw"], ["u_features"]), node("b", ["u_features"], ["tmp"], 1)],
      cfg,
    );
    expect(reports).toEqual([]);
    expect(out.datasets.raw).toMatchObject({ entry: "raw", config: { type: "csv" } });
    expect(out.datasets.u_features).toMatchObject({ entry: "{n}_features", config: { filepath: "data/u.pq" } });
    expect(out.datasets.tmp).toMatchObject({ entry: null, config: { type: "memory" } });
  });
  it("MLC3001 free input with a suggestion; MLC3002 unknown param with a suggestion", async () => {
    const cfg = config({ raw_kafka_stream: { type: "csv" } }, { model: { factors: 1 } });
    const { reports } = await run(
      [node("a", ["raw_stream", "params:model.factor", "params:model.factors"], ["o"])],
      cfg,
    );
    const errors = reports.filter((r) => r.severity !== "warning");
    expect(errors.map((r) => [r.code, r.at?.path])).toEqual([
      ["MLC3001", ["nodes", 0, "inputs", 0]],
      ["MLC3002", ["nodes", 0, "inputs", 1]],
    ]);
    expect(errors[0].message).toContain('did you mean "raw_kafka_stream"');
    expect(errors[1].message).toContain('did you mean "model.factors"');
  });
  it("MLC3003 at the type value, MLC3005 at the credentials value without the secret", async () => {
    const cfg = {
      ...config({ a: { type: "csvv" }, b: { type: "json", credentials: "db" } }),
      credentials: { dbx: { password: "hunter2" } },
    };
    const { reports } = await run([node("n", ["a", "b"], ["o"])], cfg);
    expect(reports.map((r) => [r.code, r.at?.path])).toEqual([
      ["MLC3003", ["a", "type"]],
      ["MLC3005", ["b", "credentials"]],
    ]);
    expect(JSON.stringify(reports)).not.toContain("hunter2");
  });
  it("MLC3006 for a missing module, a missing export and a non-function export", async () => {
    const nodes = [
      node("a", [], ["x"], 0, { func: "src/none.js#f" }),
      node("b", [], ["y"], 1, { func: "src/nodes.js#g" }),
      node("c", [], ["z"], 2, { func: "src/nodes.js#x" }),
      node("d", [], ["w"], 3, { func: "src/nodes.js#f" }),
    ];
    const { reports } = await run(nodes, config(), true);
    expect(reports.map((r) => [r.code, r.at?.path])).toEqual([
      ["MLC3006", ["nodes", 0, "func"]],
      ["MLC3006", ["nodes", 1, "func"]],
      ["MLC3006", ["nodes", 2, "func"]],
    ]);
  });
  it("warns about unused catalog entries and parameters", async () => {
    const { reports } = await run(
      [node("a", ["params:used"], ["o"])],
      config({ spare: { type: "json" } }, { used: 1, unused: 2 }),
    );
    expect(reports.map((r) => [r.code, r.severity])).toEqual([
      ["MLC8001", "warning"],
      ["MLC8002", "warning"],
    ]);
  });
});

describe("names that are Object.prototype keys", () => {
  it("a dataset called __proto__ or constructor is an ordinary dataset", async () => {
    const { out, reports } = await run([
      node("a", [], ["__proto__", "constructor"]),
      node("b", ["__proto__", "constructor"], ["toString"], 1),
    ]);
    expect(reports).toEqual([]);
    expect(Object.keys(out.datasets).sort()).toEqual(["__proto__", "constructor", "toString"]);
    expect(Object.getPrototypeOf(out.datasets)).toBe(Object.prototype);
  });
});

describe("URL filepaths", () => {
  it("a factory cannot climb out of its S3 prefix; bad schemes and dot segments are MLC2003", async () => {
    const cat = { "{name}_x": { type: "json", filepath: "s3://bucket/data/{name}.json" } };
    expect(matchFactory("../../etc_x", rankFactories(Object.keys(cat)), cat)!.escaping).toEqual([
      "s3://bucket/data/../../etc.json",
    ]);
    expect(matchFactory("ok_x", rankFactories(Object.keys(cat)), cat)!.escaping).toEqual([]);
    const { reports } = await run(
      [node("n", [], ["a", "b", "c", "d"])],
      config({
        a: { type: "json", filepath: "ftp://host/a.json" },
        b: { type: "json", filepath: "s3://bucket" },
        c: { type: "json", filepath: "s3://bucket/x/../c.json" },
        d: { type: "json", filepath: "https://me:hunter2@host/d.json" },
      }),
    );
    expect(reports.map((r) => [r.code, r.message])).toEqual([
      ["MLC2003", 'dataset "a": filepath "ftp://host/a.json" uses the unsupported URL scheme "ftp://"'],
      ["MLC2003", 'dataset "b": filepath "s3://bucket" names no key inside the bucket'],
      ["MLC2003", 'dataset "c": filepath "s3://bucket/x/../c.json" has a "." or ".." segment'],
      ["MLC2003", 'dataset "d": filepath holds a user name or password in its URL'],
    ]);
  });
});
