// Pipeline algebra fixture cases (Kedro's slicing and pipeline() remapping behaviour): each folder
// of test/fixtures/algebra holds a project and case.json with CLI selection args and either the
// expected node list (topological order, as `mlc ls --json` prints) or the expected errors.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { orderedNodes } from "../../cli/commands/ls.js";
import { selectionFromFlags } from "../../cli/project.js";
import { compileProject } from "../../compiler/compile.js";
import { mlc } from "../helpers/cli.js";

const REPO = resolve(import.meta.dirname, "../..");
const DIR = join(REPO, "test/fixtures/algebra");

interface ExpectedDiagnostic {
  code: string;
  file?: string;
  line: number;
  column: number;
  /** A substring of the message (the prose is not the contract; used for suggestions). */
  message?: string;
}
interface ExpectedIO {
  inputs?: string[];
  outputs?: string[];
  tags?: string[];
  namespace?: string | null;
  func?: string;
}
interface Case {
  about: string;
  args: string[];
  nodes?: string[];
  io?: Record<string, ExpectedIO>;
  diagnostics?: ExpectedDiagnostic[];
}

const cases = readdirSync(DIR)
  .filter((d) => existsSync(join(DIR, d, "case.json")))
  .sort()
  .map((name) => ({
    name,
    dir: join(DIR, name),
    spec: JSON.parse(readFileSync(join(DIR, name, "case.json"), "utf8")) as Case,
  }));

/** `--from-nodes a,b --tags x` -> the commander-style options selectionFromFlags reads. */
function flagsOf(args: string[]): Record<string, string> {
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i].replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    opts[key] = args[i + 1];
  }
  return opts;
}

async function compileCase(dir: string, args: string[]) {
  return compileProject({ root: dir, env: "local", checkFuncs: false, selection: selectionFromFlags(flagsOf(args)) });
}

describe("algebra fixtures (compileProject + selection)", () => {
  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.spec.about}`, async () => {
      const { project, diagnostics } = await compileCase(c.dir, c.spec.args);
      const errors = diagnostics.filter((d) => d.severity === "error");
      if (c.spec.diagnostics) {
        const got = errors.map((d) => ({
          code: d.code,
          file: d.file,
          line: d.line,
          column: d.column,
          message: d.message,
        }));
        expect(got, JSON.stringify(got, null, 1)).toHaveLength(c.spec.diagnostics.length);
        c.spec.diagnostics.forEach((want, i) => {
          const { message, ...pos } = want;
          expect(got[i]).toMatchObject(pos);
          if (message) expect(got[i].message).toContain(message);
        });
        expect(project).toBeNull();
        return;
      }
      expect(errors, JSON.stringify(errors, null, 1)).toEqual([]);
      const nodes = orderedNodes(project!.selected);
      expect(nodes.map((n) => n.name)).toEqual(c.spec.nodes);
      for (const [name, want] of Object.entries(c.spec.io ?? {})) {
        const n = nodes.find((x) => x.name === name);
        expect(n, `node ${name}`).toBeDefined();
        expect(n).toMatchObject(want);
      }
    });
  }
});

// A handful through the real CLI: `mlc ls --json` must print exactly the same node lists.
const CLI_CASES = [
  "complex-two-filters",
  "ns-katie",
  "complex-from-nodes-unknown",
  "complex-filter-no-nodes",
  "include-namespace-remap",
  "matrix-nodes-base",
  "named-within-pipeline",
  "named-default-defined",
  "include-error-cycle",
  "named-def-unknown-node",
];

function build(): void {
  const r = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: REPO, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
}

function mlcLs(c: (typeof cases)[number]) {
  const run = () => mlc(REPO, "ls", "--json", "--project", c.dir, ...c.spec.args);
  const r = run();
  // The work tree is shared: another build may be replacing dist/ right now. Rebuild once.
  if (r.code === 3 && /Cannot find module/.test(r.stderr)) {
    build();
    return run();
  }
  return r;
}

describe("algebra fixtures through `mlc ls --json`", () => {
  // Under CI `npm test` has just built dist/, and rebuilding it here would rewrite files that the
  // other test files' CLI processes are loading at the same moment: only build when run locally.
  beforeAll(() =>
    process.env.CI === "true"
      ? expect(existsSync(join(REPO, "dist/cli/main.js")), "dist/ is missing: run `npm run build` first").toBe(true)
      : build(),
  );

  for (const name of CLI_CASES) {
    it(name, () => {
      const c = cases.find((x) => x.name === name)!;
      const r = mlcLs(c);
      if (c.spec.diagnostics) {
        expect(r.code, r.all).toBe(1);
        for (const d of c.spec.diagnostics) expect(r.stderr).toContain(d.code);
        return;
      }
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { nodes: { name: string }[] };
      expect(out.nodes.map((n) => n.name)).toEqual(c.spec.nodes);
      for (const [node, want] of Object.entries(c.spec.io ?? {}))
        expect(out.nodes.find((n) => n.name === node)).toMatchObject(want);
    });
  }
});
