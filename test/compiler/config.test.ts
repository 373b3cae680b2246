// Config layering (conf/base + conf/<env>), interpolation scopes per file kind, single-file mode,
// secrets kept out of diagnostics, mlc.yml hooks. Real files in temp folders.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, loadMlcConfig } from "../../compiler/config.js";
import { CompileContext } from "../../compiler/diagnostics.js";
import { locate } from "../../compiler/locate.js";

let root: string;
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "mlc-config-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("loadConfig", () => {
  it("layers conf/base then conf/<env>: catalog per top-level key, parameters deep-merged, --params on top", () => {
    write(
      "conf/base/catalog.yml",
      "a: { type: csv, filepath: a.csv, layer: raw }\nb: { type: memory }\n_anchors: { x: 1 }\n",
    );
    write("conf/local/catalog.yml", "a: { type: json, filepath: a.json }\n");
    write("conf/base/parameters.yml", "model: { lr: 0.1, layers: [1, 2], opt: { name: adam, beta: 0.9 } }\nseed: 1\n");
    write("conf/local/parameters.yml", "model: { opt: { beta: 0.5 } }\n");
    const ctx = new CompileContext(root);
    const cfg = loadConfig({ root, runtimeParams: { model: { lr: 0.2 }, extra: "x" } }, ctx);
    expect(ctx.reports).toEqual([]);
    expect(cfg.catalog).toEqual({ a: { type: "json", filepath: "a.json" }, b: { type: "memory" } });
    expect(cfg.catalogSources.a).toEqual({ file: "conf/local/catalog.yml", path: ["a"] });
    expect(cfg.catalogSources.b).toEqual({ file: "conf/base/catalog.yml", path: ["b"] });
    expect(cfg.parameters).toEqual({
      model: { lr: 0.2, layers: [1, 2], opt: { name: "adam", beta: 0.5 } },
      seed: 1,
      extra: "x",
    });
    expect(cfg.files).toEqual([
      "conf/base/catalog.yml",
      "conf/local/catalog.yml",
      "conf/base/parameters.yml",
      "conf/local/parameters.yml",
    ]);
    expect(cfg.mlflow).toBeNull();
  });

  it("picks the environment from opts.env, then MLC_ENV, and reports a missing non-default environment", () => {
    write("conf/base/parameters.yml", "p: base\n");
    write("conf/prod/parameters.yml", "p: prod\n");
    write("conf/staging/parameters.yml", "p: staging\n");
    expect(loadConfig({ root, env: "prod" }, new CompileContext(root)).parameters.p).toBe("prod");
    const saved = process.env.MLC_ENV;
    process.env.MLC_ENV = "staging";
    try {
      expect(loadConfig({ root }, new CompileContext(root)).parameters.p).toBe("staging");
    } finally {
      if (saved === undefined) delete process.env.MLC_ENV;
      else process.env.MLC_ENV = saved;
    }
    const ctx = new CompileContext(root);
    loadConfig({ root, env: "nope" }, ctx);
    expect(ctx.reports.map((r) => r.code)).toEqual(["MLC1003"]);
    const ok = new CompileContext(root);
    expect(loadConfig({ root, env: "local" }, ok).parameters.p).toBe("base");
    expect(ok.reports).toEqual([]);
  });

  it("reads catalog*.yml and parameters*.yml (Kedro patterns) and reports a name defined twice in one environment", () => {
    write("conf/base/catalog.yml", "a: { type: memory }\n");
    write("conf/base/catalog_models.yml", "m: { type: memory }\na: { type: memory }\n");
    write("conf/base/parameters_training.yml", "t: 1\n");
    const ctx = new CompileContext(root);
    const cfg = loadConfig({ root }, ctx);
    expect(Object.keys(cfg.catalog).sort()).toEqual(["a", "m"]);
    expect(cfg.parameters).toEqual({ t: 1 });
    const [d] = ctx.finalize(locate);
    expect(d).toMatchObject({ code: "MLC1002", file: "conf/base/catalog_models.yml", line: 2, column: 1 });
  });

  it("interpolates globals everywhere, runtime everywhere but globals, env only in credentials and mlflow", () => {
    process.env.MLC_TEST_TOKEN = "s3cr3t-value";
    write("conf/base/globals.yml", 'root: data\nbad: "{{ runtime.x }}"\n');
    write(
      "conf/base/catalog.yml",
      'a: { type: csv, filepath: "{{ globals.root }}/{{ runtime.sub }}/a.csv" }\nb: { type: csv, filepath: "{{ env.HOME }}" }\n',
    );
    write("conf/base/parameters.yml", 'epochs: "{{ runtime.epochs }}"\n');
    write("conf/local/credentials.yml", 'db: { token: "{{ env.MLC_TEST_TOKEN }}", user: "{{ globals.root }}" }\n');
    write("conf/base/mlflow.yml", 'server: { mlflow_tracking_uri: "{{ env.MLC_TEST_TOKEN }}" }\n');
    const ctx = new CompileContext(root);
    const cfg = loadConfig({ root, runtimeParams: { sub: "raw", epochs: 5 } }, ctx);
    expect(cfg.catalog.a.filepath).toBe("data/raw/a.csv");
    expect(cfg.parameters.epochs).toBe(5);
    expect(cfg.credentials).toEqual({ db: { token: "s3cr3t-value", user: "data" } });
    expect((cfg.mlflow as { server: { mlflow_tracking_uri: string } }).server.mlflow_tracking_uri).toBe("s3cr3t-value");
    const diags = ctx.finalize(locate);
    expect(diags.map((d) => [d.code, d.file, d.line])).toEqual([
      ["MLC3004", "conf/base/catalog.yml", 2],
      ["MLC3004", "conf/base/globals.yml", 2],
    ]);
    expect(diags[0].hint).toMatch(/credentials\.yml and mlflow\.yml/);
    delete process.env.MLC_TEST_TOKEN;
  });

  it("never puts credential values into diagnostics", () => {
    write(
      "conf/local/credentials.yml",
      'db:\n  password: hunter2-very-secret\n  password: hunter3-very-secret\n  host: "{{ env.MLC_SURELY_UNSET }}-hunter4"\n',
    );
    write("conf/local/credentials_extra.yml", "oops: [hunter5-very-secret\n");
    const ctx = new CompileContext(root);
    loadConfig({ root }, ctx);
    const diags = ctx.finalize(locate);
    expect(diags.map((d) => d.code).sort()).toEqual(["MLC1001", "MLC1002", "MLC3004"]);
    expect(JSON.stringify(diags)).not.toMatch(/hunter/);
  });

  it("uses opts.catalogFile instead of conf/ catalogs in single-file mode", () => {
    write("elsewhere/my-catalog.yml", "x: { type: json, filepath: x.json }\n");
    write("conf/base/catalog.yml", "y: { type: memory }\n");
    const ctx = new CompileContext(root);
    const cfg = loadConfig({ root, catalogFile: join(root, "elsewhere/my-catalog.yml") }, ctx);
    expect(Object.keys(cfg.catalog)).toEqual(["x"]);
    expect(cfg.catalogSources.x.file).toBe("elsewhere/my-catalog.yml");
  });

  it("layers mlflow.yml and validates it against schema/mlflow.schema.json", () => {
    write(
      "conf/base/mlflow.yml",
      "server: { mlflow_tracking_uri: http://localhost:5000 }\ntracking: { experiment: { name: base } }\n",
    );
    write("conf/local/mlflow.yml", "tracking: { experiment: { name: local } }\nsrever: {}\n");
    const ctx = new CompileContext(root);
    const cfg = loadConfig({ root }, ctx);
    expect(cfg.mlflow).toMatchObject({
      server: { mlflow_tracking_uri: "http://localhost:5000" },
      tracking: { experiment: { name: "local" } },
    });
    expect(ctx.finalize(locate)).toMatchObject([
      { code: "MLC2001", file: "conf/local/mlflow.yml", line: 2, column: 1 },
    ]);
  });

  it("keeps a __proto__ key as plain data when merging", () => {
    write("conf/base/parameters.yml", "a: { b: 1 }\n");
    write("conf/local/parameters.yml", "__proto__: { polluted: true }\na: { __proto__: { x: 1 } }\n");
    const cfg = loadConfig({ root }, new CompileContext(root));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(cfg.parameters)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(cfg.parameters, "__proto__")?.value).toEqual({ polluted: true });
  });

  it("returns an empty config for a project without conf/", () => {
    const ctx = new CompileContext(root);
    const cfg = loadConfig({ root }, ctx);
    expect(cfg).toMatchObject({ catalog: {}, parameters: {}, globals: {}, credentials: {}, mlflow: null, files: [] });
    expect(ctx.reports).toEqual([]);
  });

  it("validates catalog entries against the catalog schema", () => {
    write("conf/base/catalog.yml", "a:\n  type: csv\n  filepath: a.csv\n  layr: raw\n");
    const ctx = new CompileContext(root);
    loadConfig({ root }, ctx);
    expect(ctx.finalize(locate)).toMatchObject([
      { code: "MLC2001", file: "conf/base/catalog.yml", line: 4, column: 3 },
    ]);
  });
});

describe("loadMlcConfig", () => {
  it("reads hooks from mlc.yml, or nothing when it is absent", () => {
    expect(loadMlcConfig(root, new CompileContext(root)).hooks).toEqual([]);
    write("mlc.yml", "hooks: [./hooks.ts, some-package]\n");
    expect(loadMlcConfig(root, new CompileContext(root)).hooks).toEqual(["./hooks.ts", "some-package"]);
  });

  it("reports a bad mlc.yml", () => {
    write("mlc.yml", "hook: [./hooks.ts]\n");
    const ctx = new CompileContext(root);
    expect(loadMlcConfig(root, ctx).hooks).toEqual([]);
    expect(ctx.finalize(locate)).toMatchObject([{ code: "MLC2001", file: "mlc.yml", line: 1, column: 1 }]);
  });
});
