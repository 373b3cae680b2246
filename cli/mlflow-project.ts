// The tracking settings of the project on disk (conf/base + conf/<env>), for the `mlc mlflow ...`
// commands, which do not compile the pipeline.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { loadConfig } from "../compiler/config.js";
import { CompileContext, type Diagnostic } from "../compiler/diagnostics.js";
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
  const diagnostics = ctx.finalize(locate);
  const mlflowErrors = diagnostics.filter(
    (d) => d.severity === "error" && /(^|\/)(mlflow|credentials)[^/]*\.ya?ml$/.test(d.file),
  );
  return {
    config: resolveTrackingConfig(cfg.mlflow, projectName(opts.root), cfg.credentials),
    diagnostics: mlflowErrors,
    ctx,
    hasErrors: mlflowErrors.length > 0,
  };
}

/** pipeline.yml's `name:` when given, else the folder name (as the compiler names the graph). */
function projectName(root: string): string {
  const f = join(root, "pipeline.yml");
  if (existsSync(f)) {
    const m = /^name:\s*["']?([^"'#\n]+?)["']?\s*(#.*)?$/m.exec(readFileSync(f, "utf8"));
    if (m) return m[1].trim();
  }
  return basename(root);
}
