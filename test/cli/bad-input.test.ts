// A hostile user through the real CLI (spawned `node bin/mlc.js`; run `npm run build` first): every
// case ends in a stable MLC code with its location and the SPEC exit code, never a stack trace of
// mlc's own code, a hang, a partial file or a leaked secret. Projects are written into temp folders.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mlc } from "../helpers/cli.js";
import { badNode, diagnostics, EXECUTORS, expectNoTrace, lastRun, project } from "./hostile.js";

describe("hostile YAML", () => {
  it("50,000 unused parameters: every warning, positioned, in linear time (was quadratic: 10k took 10 s)", () => {
    const n = 50_000;
    const params = Array.from({ length: n }, (_, i) => `p${i}: ${i}`).join("\n") + "\nk: 2\n";
    const root = project({ "conf/base/parameters.yml": params });
    const { code, diags } = diagnostics(root);
    expect(code).toBe(0);
    const unused = diags.filter((d) => d.code === "MLC8002");
    expect(unused).toHaveLength(n);
    expect(unused[n - 1]).toMatchObject({ file: "conf/base/parameters.yml", line: n, column: 1 });
    const text = mlc(root, "validate");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`conf/base/parameters.yml:${n}:1 warning MLC8002`);
  }, 60_000);
});

describe("hostile flags", () => {
  it("--params with an empty name between dots is a usage error (exit 2); __proto__ is a plain name, never a prototype", () => {
    const root = project();
    for (const bad of ["a..b=1", ".a=1", "a.=1", "a", "=1"]) {
      const r = mlc(root, "run", "--params", bad);
      expect(r.code, bad).toBe(2);
      expectNoTrace(r.all);
    }
    // Setting Object.prototype.x made every later `{}` look like a catalog entry "x" (MLC2003 at catalog.yml:1:1).
    for (const p of ["__proto__.x=1", "x.__proto__.y=1", "constructor.prototype.x=1"]) {
      const r = mlc(root, "run", "--params", p);
      expect(r.code, p).toBe(0);
      expect(r.all).not.toContain("MLC2003");
    }
  });

  it("--max-workers beyond the nodes that can run starts no more workers than nodes (99999 ran out of memory)", () => {
    const root = project();
    const r = mlc(root, "run", "--executor", "parallel", "--max-workers", "99999");
    expect(r.code).toBe(0);
    for (const bad of ["0", "-1", "abc", "1.5"])
      expect(mlc(root, "run", "--executor", "parallel", "--max-workers", bad).code).toBe(2);
  });

  it("--env / MLC_ENV naming no folder, or a path, is a usage error (exit 2) with MLC1003 before anything runs", () => {
    const root = project({ "conf/prod/parameters.yml": "k: 3\n" });
    const r = mlc(root, "run", "--env", "nosuch");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /MLC1003 --env "nosuch": config environment not found: no folder conf\/nosuch \(environments: base, prod\)/,
    );
    expect(existsSync(join(root, ".mlc"))).toBe(false);
    for (const env of ["../../etc", "", "..", "a/b"]) {
      for (const cmd of ["validate", "compile", "ls", "run"])
        expect(mlc(root, cmd, "--env", env).code, `${cmd} --env ${env}`).toBe(2);
    }
    expect(mlc(root, "run", "--env", "prod").code).toBe(0);
    expect(mlc(root, "run", "--env", "local").code).toBe(0); // the default may be absent
  });
});

describe("hostile node code (both executors)", () => {
  for (const executor of EXECUTORS) {
    it(`${executor}: a throw inside a setTimeout callback fails the node with MLC5001 and the user's frame (sequential crashed mlc)`, () => {
      const root = badNode(
        "timer",
        `export const timer = () => new Promise(() => { setTimeout(() => { throw new Error("boom in timer"); }, 10); });\n`,
      );
      const r = mlc(root, "run", "--executor", executor);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error MLC5001 node "bad_node": uncaught exception: boom in timer');
      expect(r.stderr).toMatch(/at .*src\/bad\.mjs:1:\d+/);
      expectNoTrace(r.all);
      expect(lastRun(root)).toMatchObject({
        status: "failed",
        nodes: [{ name: "bad_node", status: "failed", error: { code: "MLC5001" } }],
      });
    });

    it(`${executor}: a thrown non-Error object is shown by content, not as [object Object]`, () => {
      const root = badNode("obj", `export const obj = () => { throw { code: 42, reason: "nope" }; };\n`);
      const r = mlc(root, "run", "--executor", executor);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `error MLC5001 node "bad_node" failed: threw a non-Error value: { code: 42, reason: 'nope' }`,
      );
      expectNoTrace(r.all);
    });
  }

  it("sequential: a dropped rejected promise fails the running node instead of killing mlc with its own stack", () => {
    const root = project({
      "src/n.mjs": `export const double = (xs, k) => { Promise.reject(new Error("dropped")); return xs.map((x) => x * k); };
export const sum = async (xs) => { await new Promise((r) => setTimeout(r, 200)); return xs.reduce((a, b) => a + b, 0); };\n`,
    });
    const r = mlc(root, "run");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error MLC5001 node "(a|b)": unhandled promise rejection: dropped/);
    expect(r.stderr).toMatch(/at double \(src\/n\.mjs:1:\d+\)/);
    expectNoTrace(r.all);
    expect(lastRun(root).status).toBe("failed");
  });
});

describe("secrets from credentials.yml never leave the process", () => {
  const SECRETS = ["admin_SECRETUSER", "pw_SUPERSECRET_123", "KEY_TOPSECRET_XYZ"];
  const DS = `export class Leaky {
  constructor(config, ctx) { this.mode = config.mode; this.cred = ctx.credentials; if (this.mode === "ctor") throw new Error("ctor " + JSON.stringify(this.cred)); }
  async load() {
    if (this.mode === "timer") { setTimeout(() => { throw new Error("timer " + JSON.stringify(this.cred)); }, 5); return new Promise(() => {}); }
    if (this.mode === "object") throw this.cred;
    throw new Error("load " + JSON.stringify(this.cred));
  }
  async save() { throw new Error("save " + JSON.stringify(this.cred)); }
  async exists() { return true; }
  describe() { return { mode: this.mode }; }
}
export const leakNode = (xs) => { throw new Error("node saw " + xs.join(",")); };
`;
  const project2 = (mode: string) =>
    project({
      "conf/local/credentials.yml": `warehouse:\n  user: ${SECRETS[0]}\n  password: ${SECRETS[1]}\napi:\n  key: ${SECRETS[2]}\n`,
      "conf/base/catalog.yml": `raw:\n  type: ./src/ds.mjs#Leaky\n  credentials: warehouse\n  mode: ${mode}\nout:\n  type: json\n  filepath: data/out.json\n  credentials: api\n`,
      "src/ds.mjs": DS,
    });

  it("errors of a custom dataset holding credentials (constructor, load, non-Error, a stray timer throw): scrubbed in output, run records, build, catalog ls, viz", () => {
    for (const mode of ["ctor", "load", "object", "timer"]) {
      const root = project2(mode);
      let out = "";
      for (const executor of EXECUTORS) {
        const r = mlc(root, "run", "--executor", executor);
        expect(r.code, `${mode} ${executor}`).toBe(1);
        expect(r.stderr, `${mode} ${executor}`).toMatch(/error MLC(6001|5001) node "a".*\*\*\*/);
        out += r.all;
      }
      for (const args of [
        ["compile"],
        ["catalog", "ls", "--json"],
        ["catalog", "ls"],
        ["ls", "--json"],
        ["validate", "--format", "json"],
        ["viz", "--out", "v.html"],
        ["runs", "ls", "--json"],
      ])
        out += mlc(root, ...args).all;
      for (const id of readdirSync(join(root, ".mlc", "runs"))) {
        out += mlc(root, "runs", "show", id, "--json").all + mlc(root, "runs", "show", id).all;
        out += readFileSync(join(root, ".mlc", "runs", id, "run.json"), "utf8");
      }
      out += ["build/graph.json", "build/pipeline.mmd", "v.html"]
        .map((f) => readFileSync(join(root, f), "utf8"))
        .join("");
      for (const s of SECRETS) expect(out, `${mode}: ${s}`).not.toContain(s);
    }
  }, 120_000);
});

describe("hostile hooks (mlc.yml)", () => {
  const withHooks = (body: string) => project({ "mlc.yml": "hooks:\n  - ./src/hooks.mjs\n", "src/hooks.mjs": body });

  for (const executor of EXECUTORS) {
    it(`${executor}: a hooks class or factory that throws is MLC3006 naming the hooks, exit 1 (was "internal error", exit 3)`, () => {
      const cases: [string, RegExp][] = [
        [
          `export default class H { constructor() { throw new Error("ctor boom"); } beforeNodeRun() {} }\n`,
          /error MLC3006 hooks \.\/src\/hooks\.mjs \(mlc\.yml\): the constructor threw: ctor boom\n\s+at new H \(src\/hooks\.mjs:1:\d+\)/,
        ],
        [
          `export default () => { throw { a: 1 }; };\n`,
          /error MLC3006 hooks \.\/src\/hooks\.mjs \(mlc\.yml\): the factory threw: \{ a: 1 \}/,
        ],
        [`throw new Error("top-level boom");\n`, /error MLC3006 .*src\/hooks\.mjs.*top-level boom/],
      ];
      for (const [body, expected] of cases) {
        const r = mlc(withHooks(body), "run", "--executor", executor);
        expect(r.code, body).toBe(1);
        expect(r.stderr, body).toMatch(expected);
        expectNoTrace(r.all);
      }
    });

    it(`${executor}: a hook's stray throw in a timer never kills mlc with a raw trace`, () => {
      const root = withHooks(
        `export default { beforePipelineRun() { setTimeout(() => { throw new Error("hook timer"); }, 1); } };\n`,
      );
      const r = mlc(root, "run", "--executor", executor);
      expect([0, 1]).toContain(r.code);
      expect(r.stderr).toMatch(/uncaught exception.*hook timer/);
      expectNoTrace(r.all);
      expect(lastRun(root).status).not.toBe("running");
    });
  }
});
