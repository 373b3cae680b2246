// The W4 chain as a Kedro project: n nodes n0000 -> n0001 -> ..., each adding 1 to the value the
// previous one returned, over Kedro's default memory datasets, no parameters (like the W4 project).
// kedro-mlflow is on unless BENCH_KEDRO_MLFLOW=off, which disables its hooks the way Kedro documents
// for any plugin (settings.DISABLE_HOOKS_FOR_PLUGINS; its wheel spells its name kedro_mlflow): the off
// arm loads the same project.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PKG = "w7chain";

const files = (n, uri, experiment) => ({
  "pyproject.toml":
    `[tool.kedro]\npackage_name = "${PKG}"\nproject_name = "${PKG}"\nkedro_init_version = "1.7.0"\n` +
    `source_dir = "src"\n`,
  ".telemetry": "consent: false\n",
  "conf/base/catalog.yml": "{}\n",
  "conf/base/parameters.yml": "{}\n",
  "conf/local/.gitkeep": "",
  "conf/base/mlflow.yml": `server:\n  mlflow_tracking_uri: ${uri}\ntracking:\n  experiment:\n    name: ${experiment}\n`,
  [`src/${PKG}/__init__.py`]: "",
  [`src/${PKG}/settings.py`]: [
    "import os",
    "",
    "_OFF = ('kedro-mlflow', 'kedro_mlflow') if os.environ.get('BENCH_KEDRO_MLFLOW') == 'off' else ()",
    "DISABLE_HOOKS_FOR_PLUGINS = _OFF + ('kedro-telemetry',)",
    "",
  ].join("\n"),
  [`src/${PKG}/nodes.py`]: "def step(x=0):\n    return x + 1\n",
  [`src/${PKG}/pipeline_registry.py`]: [
    "from kedro.pipeline import Pipeline, node",
    "",
    `from ${PKG}.nodes import step`,
    "",
    "",
    "def register_pipelines():",
    "    nodes = [",
    `        node(step, None if i == 0 else f"d{i - 1}", f"d{i}", name=f"n{i:04d}")`,
    `        for i in range(${n})`,
    "    ]",
    '    return {"__default__": Pipeline(nodes)}',
    "",
  ].join("\n"),
});

/** Writes the Kedro project of an n-node chain tracked to `uri`; returns its root and a cleanup function. */
export function makeKedroProject(n, uri, experiment) {
  const dir = mkdtempSync(join(tmpdir(), "mlc-bench-kedro-"));
  for (const [file, text] of Object.entries(files(n, uri, experiment))) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
