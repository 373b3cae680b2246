// Faults and data hand-off specific to the parallel executor, in real worker threads. The
// behaviour shared with the sequential executor lives in conformance.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runProject } from "../../executors/run-project.js";
import { workerFile } from "../../executors/parallel/runner.js";

const NODES = `
export const produce = (n) => { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = i; return a; };
export const sum = (a) => a.reduce((s, x) => s + x, 0);
export const sum2 = (a) => 2 * a.reduce((s, x) => s + x, 0);
export const isShared = (a) => a.buffer instanceof SharedArrayBuffer;
export const exits = () => { process.exit(7); };
export const rejects = async () => { Promise.reject(new Error("forgotten promise")); await new Promise((r) => setTimeout(r, 2000)); return 1; };
export const spins = () => { for (;;) {} };
export const hogs = () => { const keep = []; for (;;) keep.push(new Array(1e6).fill(Math.random())); };
class Model { predict() { return 1; } }
export const makesModel = () => new Model();
export const makesFn = () => ({ f: () => 1 });
export const logs = async () => { const m = await import("mlc-pipelines"); m.logMetric("from_worker", 42, 3); return "ok"; };
export const slow = async () => { const start = Date.now(); await new Promise((r) => setTimeout(r, 300)); return { start, end: Date.now() }; };
`;

const REPO = resolve(import.meta.dirname, "..", "..");
let root: string;
beforeAll(() => {
  expect(existsSync(workerFile()), "dist/ must be built (npm run build) before these tests").toBe(true);
  root = mkdtempSync(join(tmpdir(), "mlc-par-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A one-off project: `nodes` as pipeline.yml node entries (YAML), NODES as src/nodes.mjs. */
function project(name: string, nodes: string, catalog = "{}\n"): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "src"), { recursive: true });
  mkdirSync(join(dir, "conf", "base"), { recursive: true });
  writeFileSync(join(dir, "src", "nodes.mjs"), NODES);
  writeFileSync(join(dir, "pipeline.yml"), `version: 1\nnodes:\n${nodes}`);
  writeFileSync(join(dir, "conf", "base", "catalog.yml"), catalog);
  writeFileSync(join(dir, "conf", "base", "parameters.yml"), "n: 1000\n");
  // The package must resolve `mlc-pipelines` from the project (the logging API).
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(REPO, join(dir, "node_modules", "mlc-pipelines"), "dir");
  return dir;
}

async function run(dir: string, maxWorkers = 2) {
  const out = await runProject({ root: dir, executor: "parallel", maxWorkers });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out;
}

function node(out: Awaited<ReturnType<typeof run>>, name: string) {
  return out.record!.nodes.find((n) => n.name === name)!;
}

describe("parallel executor faults", () => {
  it("process.exit in a node is MLC5003, promptly, and stops the run", async () => {
    const dir = project(
      "exit",
      `  - { name: a, func: ./src/nodes.mjs#exits, outputs: x }\n  - { name: b, func: ./src/nodes.mjs#sum, inputs: x, outputs: y }\n`,
    );
    const t0 = performance.now();
    const out = await run(dir);
    expect(out.record!.status).toBe("failed");
    expect(node(out, "a")).toMatchObject({ status: "failed", error: { code: "MLC5003" } });
    expect(node(out, "b").status).toBe("not_run");
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it("an unhandled rejection fails that node with MLC5001 instead of vanishing", async () => {
    const dir = project("reject", `  - { name: a, func: ./src/nodes.mjs#rejects, outputs: x }\n`);
    const out = await run(dir);
    expect(node(out, "a")).toMatchObject({ status: "failed", error: { code: "MLC5001" } });
    expect(node(out, "a").error!.message).toMatch(/forgotten promise/);
    expect(node(out, "a").duration_ms).toBeLessThan(1000);
  });

  it("a synchronous infinite loop over its timeout is stopped as MLC5002", async () => {
    const dir = project("spin", `  - { name: a, func: ./src/nodes.mjs#spins, outputs: x, timeout: 300ms }\n`);
    const t0 = performance.now();
    const out = await run(dir);
    expect(node(out, "a")).toMatchObject({ status: "failed", error: { code: "MLC5002" } });
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it("a node over the worker heap limit is MLC5003", async () => {
    process.env.MLC_WORKER_MAX_HEAP_MB = "64";
    try {
      const dir = project("oom", `  - { name: a, func: ./src/nodes.mjs#hogs, outputs: x }\n`);
      const out = await run(dir, 1);
      expect(node(out, "a")).toMatchObject({ status: "failed", error: { code: "MLC5003" } });
      expect(node(out, "a").error!.message).toMatch(/memory/);
    } finally {
      delete process.env.MLC_WORKER_MAX_HEAP_MB;
    }
  });

  it("a class instance or function crossing threads is MLC5005 naming the dataset", async () => {
    const dir = project(
      "clone",
      `  - { name: a, func: ./src/nodes.mjs#makesModel, outputs: model }\n  - { name: b, func: ./src/nodes.mjs#makesFn, outputs: fnbox }\n  - { name: c, func: ./src/nodes.mjs#sum, inputs: [model, fnbox], outputs: y }\n`,
    );
    const out = await run(dir);
    const errors = out.record!.nodes.filter((n) => n.status === "failed").map((n) => n.error!);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.code).toBe("MLC5005");
    expect(errors.map((e) => e.message).join("\n")).toMatch(/"model"|"fnbox"/);
  });
});

describe("parallel executor data and logging", () => {
  it("moves a typed array to its only consumer and shares one read by two", async () => {
    const dir = project(
      "typed",
      `  - { name: p, func: ./src/nodes.mjs#produce, inputs: "params:n", outputs: arr }\n` +
        `  - { name: s1, func: ./src/nodes.mjs#sum, inputs: arr, outputs: s1 }\n` +
        `  - { name: s2, func: ./src/nodes.mjs#sum2, inputs: arr, outputs: s2 }\n` +
        `  - { name: q, func: ./src/nodes.mjs#produce, inputs: "params:n", outputs: arr2 }\n` +
        `  - { name: sh, func: ./src/nodes.mjs#isShared, inputs: arr2, outputs: shared_flag }\n`,
      `s1: { type: json, filepath: data/s1.json }\ns2: { type: json, filepath: data/s2.json }\nshared_flag: { type: json, filepath: data/flag.json }\n`,
    );
    const out = await run(dir);
    expect(out.record!.status).toBe("success");
    expect(JSON.parse(readFileSync(join(dir, "data/s1.json"), "utf8"))).toBe(499500);
    expect(JSON.parse(readFileSync(join(dir, "data/s2.json"), "utf8"))).toBe(999000);
    // arr2 has one reader: moved, not shared.
    expect(JSON.parse(readFileSync(join(dir, "data/flag.json"), "utf8"))).toBe(false);
  });

  it("logMetric inside a worker reaches the run record", async () => {
    const dir = project("log", `  - { name: a, func: ./src/nodes.mjs#logs, outputs: x }\n`);
    const out = await run(dir);
    expect(out.record!.status).toBe("success");
    expect(out.record!.metrics.from_worker).toBe(42);
  });

  it("runs independent nodes at the same time", async () => {
    const nodes = [0, 1].map((i) => `  - { name: n${i}, func: ./src/nodes.mjs#slow, outputs: o${i} }\n`).join("");
    const catalog = [0, 1].map((i) => `o${i}: { type: json, filepath: data/o${i}.json }\n`).join("");
    const dir = project("concurrent", nodes, catalog);
    const out = await run(dir);
    expect(out.record!.status).toBe("success");
    const [a, b] = [0, 1].map((i) => JSON.parse(readFileSync(join(dir, `data/o${i}.json`), "utf8")));
    // Two 300 ms nodes on two workers: their intervals overlap.
    expect(a.start < b.end && b.start < a.end).toBe(true);
  });
});
