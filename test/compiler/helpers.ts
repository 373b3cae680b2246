// Hand-built compiler inputs for unit tests of resolve/buildGraph/emit.
import type { ProjectConfig, ResolvedNode } from "../../compiler/types.js";

/** A ResolvedNode with list inputs/outputs, defined at pipeline.yml nodes[i]. */
export function node(
  name: string,
  inputs: string[],
  outputs: string[],
  i = 0,
  extra: Partial<ResolvedNode> = {},
): ResolvedNode {
  return {
    name,
    baseName: name,
    func: "src/nodes.ts#f",
    inputs,
    inputMode: "list",
    outputs,
    outputMode: "list",
    tags: [],
    namespace: null,
    retries: 0,
    timeoutMs: null,
    source: { file: "pipeline.yml", path: ["nodes", i] },
    ...extra,
  };
}

/** A ProjectConfig with the given catalog (sources at catalog.yml [key]) and parameters. */
export function config(
  catalog: Record<string, Record<string, unknown>> = {},
  parameters: Record<string, unknown> = {},
): ProjectConfig {
  return {
    catalog: catalog as ProjectConfig["catalog"],
    catalogSources: Object.fromEntries(
      Object.keys(catalog).map((k) => [k, { file: "conf/base/catalog.yml", path: [k] }]),
    ),
    parameters,
    globals: {},
    credentials: {},
    mlflow: null,
    files: [],
  };
}

/** A chain n0 -> n1 -> ... of `n` nodes through datasets d0, d1, ... */
export function chain(n: number): ResolvedNode[] {
  const out: ResolvedNode[] = [];
  for (let i = 0; i < n; i++) out.push(node(`n${i}`, i === 0 ? [] : [`d${i - 1}`], [`d${i}`], i));
  return out;
}
