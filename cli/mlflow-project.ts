// The tracking settings of the project on disk (conf/base + conf/<env>), for the `mlc mlflow ...`
// commands, which do not compile the pipeline.
import { join } from "node:path";
import { loadConfig, projectName } from "../compiler/config.js";
import { CompileContext, type Diagnostic } from "../compiler/diagnostics.js";
import { loadYaml } from "../compiler/load.js";
import { locate } from "../compiler/locate.js";
import type { CompileOptions } from "../compiler/types.js";
import { resolveTrackingConfig, type TrackingConfig } from "../tracking/mlflow/config.js";

export interface ProjectTracking {
  readonly config: TrackingConfig;
  readonly diagnostics: Diagnostic[];
  readonly ctx: CompileContext;
  readonly hasErrors: boolean;
}

/** Loads conf/base + conf/<env> and resolves the tracking settings of the project at opts.root. */
export function loadProjectTracking(opts: CompileOptions): ProjectTracking {
  const ctx = new CompileContext(opts.root);
  const cfg = loadConfig(opts, ctx);
  // The experiment is named after the pipeline as the compiler names the graph.
  const name = projectName(loadYaml(join(opts.root, "pipeline.yml"), ctx, { optional: true }), opts.root);
  const diagnostics = ctx.finalize(locate);
  const mlflowErrors = diagnostics.filter(
    (d) => d.severity === "error" && /(^|\/)(mlflow|credentials)[^/]*\.ya?ml$/.test(d.file),
  );
  return {
    config: resolveTrackingConfig(cfg.mlflow, name, cfg.credentials),
    diagnostics: mlflowErrors,
    ctx,
    hasErrors: mlflowErrors.length > 0,
  };
}
