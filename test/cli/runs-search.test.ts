// `mlc runs ls --filter/--order-by/--limit` and `mlc runs compare` through the built CLI (build
// first) on records of real `mlc run`s: the better run first, metric and param columns, usage
// errors (exit 2, MLC2003, the filter with a caret under the column), compare's marks and JSON.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../runs/record.js";
import { readRun, writeRun } from "../../runs/store.js";
import { cleanupProjects, fixtureProject, REPO } from "../executors/project.js";
import { mlc } from "../helpers/cli.js";

afterAll(cleanupProjects);

let root = "";
let small = "";
let big = "";

beforeAll(() => {
  root = fixtureProject("basic");
  // factor 2 sums to 20 (the fixture's default), factor 5 to 50
  for (const factor of ["5", "2"]) expect(mlc(root, "run", "--params", `factor=${factor}`).code).toBe(0);
  const runs = (JSON.parse(mlc(root, "runs", "ls", "--json").stdout) as { runs: { run_id: string }[] }).runs.map((r) =>
    readRun(root, r.run_id)!,
  );
  small = runs.find((r) => r.metrics.sum === 20)!.run_id;
  big = runs.find((r) => r.metrics.sum === 50)!.run_id;
});

const ids = (stdout: string) => (JSON.parse(stdout) as { runs: { run_id: string }[] }).runs.map((r) => r.run_id);

describe("mlc runs ls --filter / --order-by / --limit", () => {
  it("filters and orders real runs; --json carries metrics and flattened params", () => {
    const asc = mlc(
      root,
      "runs",
      "ls",
      "--json",
      "--filter",
      "metrics.sum > 1 and params.label = 'basic run'",
      "--order-by",
      "metrics.sum ASC",
    );
    expect(asc.code).toBe(0);
    expect(ids(asc.stdout)).toEqual([small, big]);
    expect(ids(mlc(root, "runs", "ls", "--json", "--order-by", "metrics.sum DESC").stdout)).toEqual([big, small]);
    expect(ids(mlc(root, "runs", "ls", "--json", "--filter", "params.factor = '5'").stdout)).toEqual([big]);
    expect(
      ids(mlc(root, "runs", "ls", "--json", "--filter", "status = 'success' and status = 'FINISHED'").stdout),
    ).toHaveLength(2);
    const one = JSON.parse(mlc(root, "runs", "ls", "--json", "--filter", `run_id = '${big}'`).stdout).runs[0];
    expect(one).toMatchObject({
      run_id: big,
      status: "success",
      metrics: { sum: 50 },
      params: { factor: "5", label: "basic run" },
    });
  });

  it("--limit keeps the first N after ordering; several --order-by terms (or one with commas) apply in turn", () => {
    expect(ids(mlc(root, "runs", "ls", "--json", "--order-by", "metrics.sum", "--limit", "1").stdout)).toEqual([small]);
    const two = ["--order-by", "params.label", "--order-by", "metrics.sum DESC"];
    expect(ids(mlc(root, "runs", "ls", "--json", ...two).stdout)).toEqual([big, small]);
    expect(ids(mlc(root, "runs", "ls", "--json", "--order-by", "params.label, metrics.sum DESC").stdout)).toEqual([
      big,
      small,
    ]);
  });

  it("the table shows the filtered and ordered metrics and params as columns", () => {
    const r = mlc(root, "runs", "ls", "--filter", "metrics.sum >= 20", "--order-by", "params.factor DESC");
    expect(r.code).toBe(0);
    const [header, first, second] = r.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^RUN\s+STATUS\s+STARTED\s+DURATION\s+PIPELINE\s+NODES\s+sum\s+params\.factor$/);
    expect(first).toMatch(new RegExp(`^${big}\\s+success .*\\s50\\s+5$`));
    expect(second).toMatch(new RegExp(`^${small}\\s+success .*\\s20\\s+2$`));
  });

  it("no match prints a line and exits 0", () => {
    const r = mlc(root, "runs", "ls", "--filter", "metrics.sum > 1000");
    expect(r).toMatchObject({ code: 0, stdout: "No run matches.\n" });
    expect(ids(mlc(root, "runs", "ls", "--json", "--filter", "metrics.nothing < 1").stdout)).toEqual([]);
  });

  it.each([
    ["--filter", "metrics.sum > 1 or params.factor = '5'", 17, 'expected AND or the end of the filter, found "or"'],
    ["--filter", "metrics.sum > 'a'", 15, 'expected a number for metric "sum"'],
    ["--filter", "params.factor = 5", 17, "expected a quoted string for parameter"],
    ["--filter", "params.factor > '5'", 15, 'parameter "factor" cannot be compared with >'],
    ["--filter", "metric.sum > 1 and foo.x = 1", 20, 'unknown column type "foo"'],
    ["--filter", "tags.x = 'open", 10, "the quote ' is never closed"],
    ["--filter", "metrics.sum >", 14, "expected a number"],
    ["--order-by", "metrics.sum UP", 13, "expected ASC, DESC or the end"],
    ["--order-by", "attributes.bogus", 1, 'unknown attribute "bogus"'],
  ])("%s %j: exit 2, MLC2003 and a caret under column %i", (flag, expr, column, message) => {
    const r = mlc(root, "runs", "ls", flag, expr);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toContain(`mlc: MLC2003 ${flag}: ${message}`);
    expect(lines[0]).toMatch(new RegExp(`at column ${column}$`));
    expect(lines[1]).toBe(`  ${expr}`);
    expect(lines[2]).toBe(`  ${" ".repeat(column - 1)}^`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("--limit must be a positive integer (exit 2)", () => {
    for (const bad of ["0", "-1", "x", "1.5"]) {
      const r = mlc(root, "runs", "ls", "--limit", bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain("MLC2003 --limit must be a positive integer");
    }
  });
});

describe("mlc runs compare", () => {
  it("shows params, metrics and nodes side by side and marks what differs with *", () => {
    const r = mlc(root, "runs", "compare", small, big);
    expect(r.code).toBe(0);
    const line = (label: string) => r.stdout.split("\n").find((l) => new RegExp(`^[* ]\\s+${label}\\s`).test(l))!;
    expect(r.stdout.split("\n")[0]).toMatch(new RegExp(`^\\s+${small}\\s+${big}$`));
    expect(line("factor")).toMatch(/^\*\s+factor\s+2\s+5$/);
    expect(line("label")).toMatch(/^\s+label\s+basic run\s+basic run$/);
    expect(line("sum")).toMatch(/^\*\s+sum\s+20\s+50$/);
    expect(line("status")).toMatch(/^\s+status\s+success\s+success$/);
    expect(line("double")).toMatch(/^\s+double\s+completed \d+ ms\s+completed \d+ ms$/);
    expect(r.stdout).not.toContain("\x1b[");
  });

  it("takes unique id prefixes, and names close matches for an unknown id (exit 2)", () => {
    // the shortest prefix of big that small does not share (two runs may start in the same second)
    let n = 0;
    while (big[n] === small[n]) n++;
    const prefix = big.slice(0, n + 1);
    const r = mlc(root, "runs", "compare", prefix, small);
    expect(r.code).toBe(0);
    expect(
      JSON.parse(mlc(root, "runs", "compare", prefix, small, "--json").stdout).runs.map((x: RunRecord) => x.run_id),
    ).toEqual([big, small]);
    const bad = mlc(root, "runs", "compare", small, `${big.slice(0, -1)}z`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`mlc: no run "${big.slice(0, -1)}z" (did you mean "${big}"`);
    expect(mlc(root, "runs", "compare", small).code).toBe(2);
  });

  it("--json: a row per key, a value per run and whether they differ; a node a run lacks is null", async () => {
    const other = fixtureProject("basic");
    const base = { ...readRun(root, small)!, run_id: "20261201-000000-aaaaaa", metrics: { sum: 20 } };
    const cached: RunRecord = {
      ...base,
      run_id: "20261201-000001-bbbbbb",
      metrics: { sum: 20, extra: 1 },
      nodes: [{ ...base.nodes[0], status: "cached" as never }, base.nodes[1]],
      datasets: [{ name: "model", version: "2026-12-01T00.00.00.000Z" }],
    };
    await writeRun(other, base);
    await writeRun(other, cached);
    const cmp = JSON.parse(mlc(other, "runs", "compare", base.run_id, cached.run_id, "--json").stdout);
    expect(cmp.metrics).toEqual([
      { key: "extra", values: [null, 1], differs: true },
      { key: "sum", values: [20, 20], differs: false },
    ]);
    expect(cmp.datasets).toEqual([{ key: "model", values: [null, "2026-12-01T00.00.00.000Z"], differs: true }]);
    expect(cmp.nodes[0]).toMatchObject({
      key: "double",
      values: [{ status: "completed" }, { status: "cached" }],
      differs: true,
    });
    expect(cmp.nodes[2]).toMatchObject({ key: "report", values: [{ status: "completed" }, null], differs: true });
    expect(cmp.params.every((p: { differs: boolean }) => !p.differs)).toBe(true);
    const threeIds = [base.run_id, cached.run_id, "20261201-000000"];
    const three = JSON.parse(mlc(other, "runs", "compare", ...threeIds, "--json").stdout);
    expect(three.runs.map((r: RunRecord) => r.run_id)).toEqual([base.run_id, cached.run_id, base.run_id]);
    expect(three.metrics[0]).toEqual({ key: "extra", values: [null, 1, null], differs: true });
    const text = mlc(other, "runs", "compare", base.run_id, cached.run_id).stdout;
    expect(text).toMatch(/^\*\s+double\s+completed \d+ ms\s+cached \d+ ms$/m);
    expect(text).toMatch(/^\*\s+model\s+-\s+2026-12-01T00\.00\.00\.000Z$/m);
  });

  it("a partly cached rerun: shows which nodes each run cached, and the changed param", () => {
    const dir = fixtureProject("basic");
    // a new label changes only what `report` reads (all params): double and stats stay cached
    expect(mlc(dir, "run").code).toBe(0);
    expect(mlc(dir, "run", "--params", "label=second run").code).toBe(0);
    const [second, first] = ids(mlc(dir, "runs", "ls", "--json").stdout);
    const status = (id: string) => Object.fromEntries(readRun(dir, id)!.nodes.map((n) => [n.name, n.status]));
    expect(status(second)).toEqual({ double: "cached", stats: "cached", report: "completed" });
    const text = mlc(dir, "runs", "compare", first, second).stdout;
    expect(text).toMatch(/^\*\s+double\s+completed \d+ ms\s+cached \d+ ms$/m);
    expect(text).toMatch(/^\*\s+stats\s+completed \d+ ms\s+cached \d+ ms$/m);
    expect(text).toMatch(/^\s+report\s+completed \d+ ms\s+completed \d+ ms$/m);
    expect(text).toMatch(/^\*\s+label\s+basic run\s+second run$/m);
    expect(text).toMatch(/^\s+factor\s+2\s+2$/m);
    const cmp = JSON.parse(mlc(dir, "runs", "compare", first, second, "--json").stdout);
    const node = (name: string) => cmp.nodes.find((n: { key: string }) => n.key === name);
    expect(node("double")).toMatchObject({ values: [{ status: "completed" }, { status: "cached" }], differs: true });
    expect(node("report")).toMatchObject({ differs: false });
  });

  it("colours differing rows on a terminal, not with NO_COLOR (a real pty through script(1))", () => {
    const bin = JSON.stringify(join(REPO, "bin", "mlc.js"));
    const cmd = `${JSON.stringify(process.execPath)} ${bin} runs compare ${small} ${big}`;
    const tty = (noColor: boolean) =>
      spawnSync("script", ["-qec", cmd, "/dev/null"], {
        cwd: root,
        encoding: "utf8",
        env: ttyEnv(noColor),
        timeout: 60_000,
      });
    const coloured = tty(false);
    expect(coloured.status).toBe(0);
    expect(coloured.stdout).toMatch(/\x1b\[33m\*\s+sum\s+20\s+50\x1b\[0m/);
    expect(coloured.stdout).not.toMatch(/\x1b\[33m\s+label/);
    const plain = tty(true);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/\*\s+sum\s+20\s+50/);
    expect(plain.stdout).not.toContain("\x1b[");
  });
});

function ttyEnv(noColor: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NO_COLOR;
  delete env.CI;
  delete env.NODE_EXTRA_CA_CERTS;
  if (noColor) env.NO_COLOR = "1";
  return env;
}

describe("a project without runs", () => {
  it("runs ls --filter on an empty history prints that nothing matches", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlc-search-empty-"));
    writeFileSync(join(dir, "pipeline.yml"), "version: 1\nnodes: []\n");
    try {
      expect(mlc(dir, "runs", "ls", "--filter", "metrics.x < 1")).toMatchObject({
        code: 0,
        stdout: "No run matches.\n",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
