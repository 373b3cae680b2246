// A hostile user through the real CLI (spawned `node bin/mlc.js`; run `npm run build` first): every
// case ends in a stable MLC code with its location and the SPEC exit code, never a stack trace of
// mlc's own code, a hang, a partial file or a leaked secret. Projects are written into temp folders.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../executors/project.js";
import { mlc, mlcWith } from "../helpers/cli.js";

const made: string[] = [];
afterAll(() => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const PIPELINE = `version: 1
nodes:
  - name: a
    func: ./src/n.mjs#double
    inputs: [raw, params:k]
    outputs: mid
  - name: b
    func: ./src/n.mjs#sum
    inputs: mid
    outputs: out
`;
const CATALOG = `raw:
  type: json
  filepath: data/raw.json
out:
  type: json
  filepath: data/out.json
`;
const NODES = `export const double = (xs, k) => xs.map((x) => x * k);
export const sum = (xs) => xs.reduce((a, b) => a + b, 0);
`;

/** A small valid project (two nodes, JSON in and out) with `files` written over it. */
export function project(files: Record<string, string | Buffer> = {}): string {
  if (!existsSync(join(REPO, "dist", "cli-bundle", "main.js")))
    throw new Error("dist is missing: run `npm run build` before these tests");
  const root = mkdtempSync(join(tmpdir(), "mlc-hostile-"));
  made.push(root);
  const all: Record<string, string | Buffer> = {
    "pipeline.yml": PIPELINE,
    "conf/base/catalog.yml": CATALOG,
    "conf/base/parameters.yml": "k: 2\n",
    "src/n.mjs": NODES,
    "data/raw.json": "[1, 2, 3]\n",
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  mkdirSync(join(root, "node_modules"), { recursive: true });
  symlinkSync(REPO, join(root, "node_modules", "mlc-pipelines"), "dir");
  return root;
}

/** No stack frame of mlc's own code and no "internal error" in the output. */
export function expectNoTrace(out: string): void {
  expect(out).not.toMatch(/internal error/);
  expect(out).not.toMatch(/^\s+at .*(dist\/|node:internal|node_modules\/(?!mlc-pipelines\/src))/m);
}

interface JsonDiag {
  code: string;
  file: string;
  line: number;
  column: number;
  severity: string;
}

/** `mlc validate --format json` diagnostics. */
export function diagnostics(root: string): { code: number | null; diags: JsonDiag[] } {
  const r = mlc(root, "validate", "--format", "json");
  expectNoTrace(r.all);
  return { code: r.code, diags: (JSON.parse(r.stdout) as { diagnostics: JsonDiag[] }).diagnostics };
}

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

const EXECUTORS = ["sequential", "parallel"] as const;

/** A one-node project whose node is `export` of src/bad.mjs. */
function badNode(exportName: string, body: string, outputs = "out"): string {
  return project({
    "pipeline.yml": `version: 1\nnodes:\n  - name: bad_node\n    func: ./src/bad.mjs#${exportName}\n    inputs: raw\n    outputs: ${outputs}\n`,
    "conf/base/catalog.yml": "raw:\n  type: json\n  filepath: data/raw.json\n",
    "conf/base/parameters.yml": "{}\n",
    "src/bad.mjs": body,
  });
}

/** The newest run record of `root`. */
function lastRun(root: string): {
  status: string;
  nodes: { name: string; status: string; error?: { code: string; message: string } }[];
} {
  const dir = join(root, ".mlc", "runs");
  const ids = readdirSync(dir).sort();
  return JSON.parse(readFileSync(join(dir, ids[ids.length - 1], "run.json"), "utf8"));
}

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

describe("hostile output paths", () => {
  it("compile --out / viz --out that cannot be written: exit 2 naming the flag and why (was internal error, exit 3, or a hang under /proc)", () => {
    const root = project({ afile: "x\n" });
    const cases: [string[], RegExp][] = [
      [["compile", "--out", "afile"], /--out afile: cannot write there: .*\(ENOTDIR\)/],
      [
        ["compile", "--out", "afile/sub"],
        /--out afile\/sub: cannot write there: a parent of it is a file, not a folder \(ENOTDIR\)/,
      ],
      [["viz", "--out", "afile/v.html"], /--out afile\/v\.html: cannot write there: .*\((ENOTDIR|EEXIST)\)/],
      [["viz", "--out", "."], /--out \.: .*is a folder, not a regular file; refusing to replace it/],
      [["viz", "--out", "/proc/mlc-nope/v.html"], /--out \/proc\/mlc-nope\/v\.html: cannot write there: .*\(ENOENT\)/],
      [["compile", "--out", "/proc/mlc-nope"], /--out \/proc\/mlc-nope: cannot write there: .*\(ENOENT\)/],
    ];
    for (const [args, expected] of cases) {
      const r = mlc(root, ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(expected);
      expectNoTrace(r.all);
    }
    expect(readdirSync(root).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("a dataset saved under /proc fails MLC6002 instead of hanging in Node's recursive mkdir", () => {
    const root = project({ "conf/base/catalog.yml": CATALOG.replace("data/out.json", "/proc/mlc-nope/out.json") });
    for (const executor of EXECUTORS) {
      const r = mlc(root, "run", "--executor", executor);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error MLC6002 node "b": dataset "out": cannot save \/proc\/mlc-nope\/out\.json/);
    }
  });
});

describe("hostile run history (.mlc/runs)", () => {
  it("a run.json that is not a run record (torn, wrong types, a folder) is skipped by runs ls and named as damaged by runs show / --resume: exit 2, never an internal error", () => {
    const root = project();
    expect(mlc(root, "run").code).toBe(0);
    const runs = join(root, ".mlc", "runs");
    const damaged: Record<string, string | null> = {
      "20260101-000000-aaaaaa": '{"run_id": "x", bad',
      "20260101-000000-bbbbbb":
        '{"run_id":"20260101-000000-bbbbbb","status":"failed","started_at":"2026-01-01T00:00:00Z","nodes":"notalist"}',
      "20260101-000000-cccccc": '{"run_id":"20260101-000000-cccccc","status":"failed","nodes":[]}',
      "20260101-000000-dddddd":
        '{"run_id":"20260101-000000-dddddd","status":"failed","started_at":"2026-01-01T00:00:00Z","nodes":[{"name":"a","status":"failed"}],"datasets":"x"}',
      "20260101-000000-eeeeee": null, // run.json is a folder
    };
    for (const [id, text] of Object.entries(damaged)) {
      mkdirSync(join(runs, id, text === null ? "run.json" : ""), { recursive: true });
      if (text !== null) writeFileSync(join(runs, id, "run.json"), text);
    }
    for (const args of [
      ["runs", "ls"],
      ["runs", "ls", "--json"],
    ]) {
      const r = mlc(root, ...args);
      expect(r.code).toBe(0);
      expectNoTrace(r.all);
      expect(r.stdout).not.toContain("20260101");
    }
    for (const id of Object.keys(damaged)) {
      for (const args of [
        ["runs", "show", id],
        ["runs", "show", id, "--json"],
        ["run", "--resume", id],
      ]) {
        const r = mlc(root, ...args);
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr, args.join(" ")).toContain(`run "${id}": its run.json is damaged`);
        expectNoTrace(r.all);
      }
    }
    const resume = mlc(root, "run", "--resume");
    expect(resume.code).toBe(2);
    expectNoTrace(resume.all);
  });
});

describe("hostile modules", () => {
  it("a node module whose top-level await never settles is MLC3006, exit 1 (mlc ended silently with exit 0 having run nothing)", () => {
    const root = project({
      "src/n.mjs": "await new Promise(() => {});\nexport const double = (x) => x;\nexport const sum = (x) => x;\n",
    });
    for (const args of [["validate"], ["compile"], ["run"], ["run", "--executor", "parallel"]]) {
      const r = mlc(root, ...args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toContain(
        "error MLC3006 module src/n.mjs never finished loading: its top-level await never settles",
      );
    }
  });

  it("one whose top-level await never settles while its own timer keeps Node busy is MLC3006 past the load timeout, not a hang", () => {
    const root = project({
      "src/n.mjs":
        "setInterval(() => {}, 1000);\nawait new Promise(() => {});\nexport const double = (x) => x;\nexport const sum = (x) => x;\n",
    });
    for (const args of [["validate"], ["run"]]) {
      const t0 = Date.now();
      const r = mlcWith({ env: { MLC_MODULE_LOAD_TIMEOUT_MS: "1500" }, timeout: 30_000 }, root, ...args);
      expect(r.signal, `${args.join(" ")} hung`).toBeNull();
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.all, args.join(" ")).toMatch(/MLC3006 .*module src\/n\.mjs did not finish loading within 1\.5 s/);
      expectNoTrace(r.all);
    }
  });
});

describe("hostile files in place of the project's files", () => {
  it("a pipeline.yml symlink loop is this project's MLC1003 (it made mlc look for a project further up), and says why", () => {
    const outer = project(); // a valid project above: must not be picked up
    const inner = join(outer, "sub");
    mkdirSync(inner);
    symlinkSync(join(inner, "pipeline.yml"), join(inner, "pipeline.yml"));
    for (const cmd of ["validate", "run", "ls"]) {
      const r = mlc(inner, cmd);
      expect(r.code, cmd).toBe(1);
      expect(r.all, cmd).toMatch(
        /pipeline\.yml:1:1 error MLC1003 cannot read "pipeline\.yml": a symbolic link loop \(ELOOP\)/,
      );
    }
    const cat = mlc(outer, "validate", "--format", "json");
    expect(cat.code).toBe(0);
  });
});

describe("hostile --load-versions", () => {
  it("malformed pairs, unknown or unversioned datasets, and versions that are paths: exit 2 before anything runs", () => {
    const root = project({ "conf/base/catalog.yml": CATALOG + "  versioned: true\n" });
    for (const v of ["x", ":1", "out:", "raw:1", "nosuch:1", "out:../../x", "out:..", "out:a/b"]) {
      const r = mlc(root, "run", "--load-versions", v);
      expect(r.code, v).toBe(2);
      expectNoTrace(r.all);
    }
    expect(existsSync(join(root, ".mlc", "runs"))).toBe(false);
  });
});

describe("node code calling process.exit()", () => {
  for (const executor of EXECUTORS) {
    it(`${executor}: the run ends recorded as failed with MLC5003 naming the node, exit 1 (sequential exited 7 leaving the record "running")`, () => {
      const root = badNode("bye", "export const bye = () => { process.exit(7); };\n");
      const r = mlc(root, "run", "--executor", executor);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error MLC5003 node "bad_node": .*exited.*7.*process\.exit\(\)/);
      expect(lastRun(root)).toMatchObject({
        status: "failed",
        nodes: [{ name: "bad_node", status: "failed", error: { code: "MLC5003" } }],
      });
    });
  }
});

describe("FIFOs where files belong (the atomic write renames over its target)", () => {
  it("viz/compile --out and a dataset never replace a FIFO (as root --out /dev/full replaced the device); reading one never blocks", () => {
    const root = project();
    const fifo = (rel: string) => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      expect(spawnSync("mkfifo", [join(root, rel)]).status).toBe(0);
    };
    fifo("v.html");
    fifo("build/graph.json");
    const viz = mlc(root, "viz", "--out", "v.html");
    expect(viz.code).toBe(2);
    expect(viz.stderr).toMatch(
      /--out v\.html: .*v\.html is a device, FIFO or socket, not a regular file; refusing to replace it/,
    );
    const compile = mlc(root, "compile");
    expect(compile.code).toBe(2);
    expect(compile.stderr).toMatch(/--out build: .*graph\.json is a device, FIFO or socket/);
    fifo("data/out.json");
    for (const executor of EXECUTORS) {
      const r = mlc(root, "run", "--executor", executor);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'error MLC6002 node "b": dataset "out": cannot save data/out.json: it is a device, FIFO or socket, not a regular file',
      );
    }
    rmSync(join(root, "data/raw.json"));
    fifo("data/raw.json");
    for (const executor of EXECUTORS) {
      const r = mlc(root, "run", "--executor", executor);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'error MLC6001 node "a": dataset "raw": data/raw.json is a device, FIFO or socket, not a regular file',
      );
    }
    for (const f of ["v.html", "build/graph.json", "data/out.json", "data/raw.json"])
      expect(lstatSync(join(root, f)).isFIFO(), f).toBe(true);
  });
});
