// `mlc mlflow init`: writes a commented conf/<env>/mlflow.yml (default conf/local), refusing to
// overwrite an existing file unless --force.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { findProjectRoot, type CommonFlags } from "../project.js";
import { EXIT } from "../exit.js";

/** The commented template (every key of schema/mlflow.schema.json that mlc acts on). */
export function mlflowTemplate(experiment: string): string {
  return `# MLflow tracking for mlc (kedro-mlflow compatible keys). Tracking is on when
# server.mlflow_tracking_uri or the MLFLOW_TRACKING_URI environment variable is set.
# {{ env.VAR }} works in this file. Docs: schema/mlflow.schema.json.

server:
  # http(s) URL of the MLflow tracking server, e.g. http://127.0.0.1:5000
  # null: use MLFLOW_TRACKING_URI. Auth and TLS come from the standard variables:
  # MLFLOW_TRACKING_USERNAME/PASSWORD (basic), MLFLOW_TRACKING_TOKEN (bearer),
  # MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_TRACKING_SERVER_CERT_PATH.
  mlflow_tracking_uri: null
  # Name of a credentials.yml entry holding those variables (never printed or logged).
  credentials: null

tracking:
  # Named pipelines whose runs are not mirrored (mlc run --pipeline NAME).
  disable_tracking:
    pipelines: []

  experiment:
    name: ${JSON.stringify(experiment)}
    restore_if_deleted: true   # restore the experiment if it was deleted

  run:
    name: null   # null: the pipeline name and the start time

  params:
    dict_params:
      flatten: true     # {model: {lr: 0.1}} is logged as model.lr
      recursive: true
      sep: "."
    # A value over MLflow's 6000-character limit: fail (before sending), truncate, or tag.
    long_params_strategy: fail

  # Server down or refusing a request: warn and keep the mirror in .mlc/outbox/ for
  # \`mlc mlflow sync\` (warn), or fail the run with MLC7001/MLC7002 (fail).
  on_error: warn

  # none: one MLflow run per mlc run; nodes: plus a child run per node.
  nested_runs: none

  # When the mirror reaches the server. wait (and auto): streamed as the run goes, the rest
  # before \`mlc run\` exits. background: the run writes .mlc/outbox/ and exits; a detached
  # one-shot \`mlc mlflow sync\` delivers it (log: .mlc/outbox/deliver.log). on_error: fail
  # always waits. MLC_MLFLOW_DELIVERY overrides this.
  delivery: auto

# \`mlc mlflow ui\` starts a local \`mlflow ui\` here when no server is configured.
ui:
  host: 127.0.0.1
  port: 5000
`;
}

/** `mlc mlflow init` flags (see cli/main.ts). */
export type MlflowInitFlags = CommonFlags & { force?: boolean };

/** Runs `mlc mlflow init`. */
export default async function mlflowInit(opts: MlflowInitFlags): Promise<number> {
  const root = findProjectRoot(opts.project);
  const env = typeof opts.env === "string" ? opts.env : "local";
  const file = join(root, "conf", env, "mlflow.yml");
  const rel = `conf/${env}/mlflow.yml`;
  if (existsSync(file) && !opts.force) {
    process.stderr.write(`mlc: ${rel} already exists (use --force to overwrite it)\n`);
    return EXIT.usage;
  }
  mkdirSync(join(root, "conf", env), { recursive: true });
  writeFileSync(file, mlflowTemplate(basename(root)));
  if (!opts.quiet)
    process.stdout.write(`wrote ${rel}: set server.mlflow_tracking_uri (or MLFLOW_TRACKING_URI) to turn tracking on\n`);
  return EXIT.ok;
}
