// Output formats of `mlc validate`: exact JSON and GitHub shapes, text with code frames and a
// summary, no source lines of credentials files, and the CLI wiring (exit codes, stdout).
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../compiler/diagnostics.js";
import { codeFrame, formatDiagnostics, summary } from "../../cli/format.js";
import { mlcWith } from "../helpers/cli.js";

const ROOT = join(__dirname, "..", "..");
const text = "version: 1\nnodes:\n  - name: a\n    func: f\n    inptus: [x]\n    outputs: y\n  - name: b\n";
const docs = new Map([["pipeline.yml", { file: "pipeline.yml", absPath: "/p/pipeline.yml", text, data: null }]]);
const err: Diagnostic = {
  code: "MLC2001",
  severity: "error",
  message: 'unknown key "inptus" (did you mean "inputs"?)',
  file: "pipeline.yml",
  line: 5,
  column: 5,
  endLine: 5,
  endColumn: 11,
  path: "/nodes/0/inptus",
  hint: "allowed keys: inputs",
};
const warn: Diagnostic = {
  code: "MLC8001",
  severity: "warning",
  message: 'catalog entry "z" is never used',
  file: "conf/base/catalog.yml",
  line: 3,
  column: 1,
};

describe("json", () => {
  it("prints exactly {valid, diagnostics} with the SPEC fields", () => {
    const out = JSON.parse(formatDiagnostics([err, warn], "json", { docs, color: false }));
    expect(Object.keys(out)).toEqual(["valid", "diagnostics"]);
    expect(out.valid).toBe(false);
    expect(out.diagnostics[0]).toEqual({
      code: "MLC2001",
      severity: "error",
      message: err.message,
      file: "pipeline.yml",
      line: 5,
      column: 5,
      endLine: 5,
      endColumn: 11,
      path: "/nodes/0/inptus",
      hint: "allowed keys: inputs",
    });
    expect(out.diagnostics[1]).toEqual({
      code: "MLC8001",
      severity: "warning",
      message: warn.message,
      file: "conf/base/catalog.yml",
      line: 3,
      column: 1,
    });
    expect(JSON.parse(formatDiagnostics([warn], "json", { docs, color: false })).valid).toBe(true);
    expect(JSON.parse(formatDiagnostics([], "json", { docs, color: false }))).toEqual({ valid: true, diagnostics: [] });
  });
});

describe("github", () => {
  it("prints one workflow command per diagnostic, escaping % CR LF (and : , in properties)", () => {
    const d: Diagnostic = { ...err, hint: undefined, message: "100% bad\r\nsecond line", file: "dir,x/a:b.yml" };
    expect(formatDiagnostics([d, warn], "github", { docs, color: false })).toBe(
      "::error file=dir%2Cx/a%3Ab.yml,line=5,col=5,title=MLC2001::100%25 bad%0D%0Asecond line\n" +
        '::warning file=conf/base/catalog.yml,line=3,col=1,title=MLC8001::catalog entry "z" is never used\n',
    );
  });
});

describe("text", () => {
  it("prints location, severity, code, message, a code frame with carets, the hint and a summary", () => {
    const out = formatDiagnostics([err, warn], "text", { docs, color: false });
    expect(out).toBe(
      [
        'pipeline.yml:5:5 error MLC2001 unknown key "inptus" (did you mean "inputs"?)',
        "  3 |   - name: a",
        "  4 |     func: f",
        "> 5 |     inptus: [x]",
        "    |     ^^^^^^",
        "  6 |     outputs: y",
        "  7 |   - name: b",
        "  hint: allowed keys: inputs",
        "",
        'conf/base/catalog.yml:3:1 warning MLC8001 catalog entry "z" is never used',
        "",
        "1 error, 1 warning in 2 files",
        "",
      ].join("\n"),
    );
  });

  it("colours only when asked", () => {
    expect(formatDiagnostics([err], "text", { docs, color: false })).not.toMatch(/\x1b\[/);
    expect(formatDiagnostics([err], "text", { docs, color: true })).toMatch(/\x1b\[31m/);
  });

  it("shows control characters from user files escaped, never raw", () => {
    const d: Diagnostic = { ...err, message: 'unknown key "\x1b[31mred"', hint: undefined };
    const out = formatDiagnostics([d], "text", { docs: new Map(), color: false });
    expect(out).not.toContain("\x1b");
    expect(out).toContain("\\u001b[31mred");
  });

  it("never prints source lines of credentials files", () => {
    const secret = new Map([
      [
        "conf/local/credentials.yml",
        { file: "conf/local/credentials.yml", absPath: "/x", text: "db:\n  password: hunter2\n", data: null },
      ],
    ]);
    const d: Diagnostic = {
      code: "MLC3004",
      severity: "error",
      message: "undefined variable",
      file: "conf/local/credentials.yml",
      line: 2,
      column: 13,
    };
    expect(formatDiagnostics([d], "text", { docs: secret, color: false })).not.toContain("hunter2");
  });

  it("clips very long lines around the column and summarises", () => {
    const line = "x".repeat(1000) + "BAD" + "y".repeat(1000);
    const frame = codeFrame(line, { ...err, line: 1, column: 1001, endLine: 1, endColumn: 1004 });
    expect(frame[0].length).toBeLessThan(200);
    expect(frame[1].indexOf("^^^")).toBe(frame[0].indexOf("BAD"));
    expect(summary([])).toBe("no problems found");
    expect(summary([err, err])).toBe("2 errors in 1 file");
  });
});

describe("mlc validate (CLI, built dist)", () => {
  const mlc = (...args: string[]) => mlcWith({ timeout: 30_000 }, ROOT, "validate", ...args);
  const copy = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `mlc-cli-${name}-`));
    cpSync(join(ROOT, "test", "fixtures", "validate", name), dir, { recursive: true });
    return dir;
  };

  it("exits 0 with no errors on a valid project", () => {
    const dir = copy("valid");
    try {
      const r = mlc("--project", dir, "--format", "json");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).valid).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 1 and prints every diagnostic in json, github and text", () => {
    const dir = copy("missing-key");
    try {
      const json = mlc("--project", dir, "--format", "json");
      expect(json.code).toBe(1);
      const diags = JSON.parse(json.stdout).diagnostics.filter((d: Diagnostic) => d.code === "MLC2002");
      expect(diags).toHaveLength(5);
      const gh = mlc("--project", dir, "--format", "github");
      expect(gh.stdout.split("\n").filter((l) => l.startsWith("::error file=")).length).toBeGreaterThanOrEqual(5);
      const txt = mlc("--project", dir);
      expect(txt.stdout).toMatch(/^pipeline\.yml:3:5 error MLC2002 /m);
      expect(txt.stdout).toMatch(/\d+ errors in 2 files\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("validates a single pipeline file with --catalog, and layers --env", () => {
    const dir = copy("valid");
    try {
      const single = mlc(
        join(dir, "pipeline.yml"),
        "--catalog",
        join(dir, "conf", "base", "catalog.yml"),
        "--format",
        "json",
      );
      expect(JSON.parse(single.stdout)).toEqual({ valid: true, diagnostics: [] });
      const bad = mlc(join(dir, "pipeline.yml"), "--catalog", join(dir, "conf"), "--format", "json");
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout).diagnostics[0]).toMatchObject({
        code: "MLC1003",
        file: "conf",
        line: 1,
        column: 1,
      });
      // A missing --env folder is a usage error (SPEC 5: exit 2), reported before anything is read.
      const env = mlc("--project", dir, "--env", "nope", "--format", "json");
      expect(env.code).toBe(2);
      expect(env.stderr).toMatch(/MLC1003 --env "nope": config environment not found: no folder conf\/nope/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--help loads none of ajv, nunjucks, piscina, the YAML parsers or the MLflow client", async () => {
    // @ts-expect-error: plain .mjs bench module without type declarations
    const { loadedModules, FORBIDDEN } = await import("../../bench/w1-help.mjs");
    // `mlc --help` is served by bin/mlc.js from build-time text; a command's --help runs commander.
    for (const [args, entry] of [
      [["--help"], "/bin/mlc.js"],
      [["validate", "--help"], "/dist/cli-bundle/main.js"],
    ] as const) {
      const loaded = (loadedModules([...args]) as string[]).map((u) => u.replace(/\\/g, "/"));
      expect(loaded.some((u) => u.includes(entry))).toBe(true);
      expect(loaded.filter((u) => (FORBIDDEN as string[]).some((f) => u.includes(f)))).toEqual([]);
    }
  });

  it("exits 2 for a usage error", () => {
    expect(mlc("--format", "xml").code).toBe(2);
    expect(mlc("--project", join(ROOT, "no-such-folder")).code).toBe(2);
  });
});
