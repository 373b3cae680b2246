// A hostile user through the real CLI, part two: output paths, run history, modules, files in place
// of the project's files, --load-versions, process.exit and FIFOs (see bad-input.test.ts).
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { mlc, mlcWith } from "../helpers/cli.js";
import { badNode, CATALOG, EXECUTORS, expectNoTrace, lastRun, project } from "./hostile.js";

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
