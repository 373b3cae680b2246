// Generates big mlc projects for the compiler benchmarks (and by hand:
// `node bench/gen-pipeline.mjs DIR --nodes 10000 --shape dag|chain`).
// dag: layered like a real pipeline (each node reads 1-3 datasets of earlier nodes, some params,
// persistent datasets through a factory and explicit entries, tags, namespaces); chain: n0 -> n1 -> ...
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const FUNCS = ["prepare", "join", "featurize", "train", "score"];

/** Writes the project into `dir`; returns {dir, nodes}. */
export function generateProject(dir, { nodes = 10_000, shape = "dag" } = {}) {
  mkdirSync(join(dir, "conf", "base"), { recursive: true });
  mkdirSync(join(dir, "src"), { recursive: true });
  const out = ["version: 1", `name: gen-${shape}-${nodes}`, "nodes:"];
  for (let i = 0; i < nodes; i++) out.push(...(shape === "chain" ? chainNode(i) : dagNode(i)));
  if (shape !== "chain")
    out.push("pipelines:", "  features: { tags: [features] }", "  models: { namespaces: [models] }");
  writeFileSync(join(dir, "pipeline.yml"), out.join("\n") + "\n");
  writeFileSync(join(dir, "conf", "base", "catalog.yml"), catalog(nodes, shape));
  writeFileSync(
    join(dir, "conf", "base", "parameters.yml"),
    shape === "chain" ? "{}\n" : "model:\n  lr: 0.01\n  depth: 6\nsplit:\n  ratio: 0.2\n",
  );
  writeFileSync(
    join(dir, "src", "nodes.ts"),
    FUNCS.map((f) => `export function ${f}(...xs: unknown[]): unknown {\n  return xs[0];\n}\n`).join(""),
  );
  return { dir, nodes };
}

function chainNode(i) {
  return [
    `  - name: n${i}`,
    `    func: ./src/nodes.ts#prepare`,
    ...(i ? [`    inputs: d${i - 1}`] : [`    inputs: source`]),
    `    outputs: d${i}`,
  ];
}

function dagNode(i) {
  // Up to 3 inputs from the previous ~50 nodes; 1 in 10 nodes reads a parameter.
  const ins =
    i === 0
      ? ["source"]
      : [...new Set([i - 1, i - 1 - ((i * 7) % 50), i - 1 - ((i * 13) % 40)].filter((j) => j >= 0))].map((j) => ds(j));
  if (i % 10 === 0) ins.push(i % 20 === 0 ? "params:model.lr" : "params:split.ratio");
  const lines = [
    `  - name: step_${i}`,
    `    func: ./src/nodes.ts#${FUNCS[i % FUNCS.length]}`,
    `    inputs: [${ins.join(", ")}]`,
    `    outputs: ${ds(i)}`,
  ];
  if (i % 4 === 0) lines.push(`    tags: [${i % 8 === 0 ? "features" : "reporting"}]`);
  if (i % 5 === 0) lines.push("    namespace: models");
  return lines;
}

const ds = (i) => (i % 3 === 0 ? `t${i}_features` : `ds_${i}`);

function catalog(nodes, shape) {
  const lines = [
    "source:",
    "  type: csv",
    "  filepath: data/01_raw/source.csv",
    "  layer: raw",
    '"{name}_features":',
    "  type: parquet",
    "  filepath: data/04_feature/{name}.parquet",
    "  layer: feature",
  ];
  if (shape === "dag")
    for (let i = 1; i < nodes; i += 97)
      if (i % 3 !== 0) lines.push(`ds_${i}:`, "  type: json", `  filepath: data/02_intermediate/ds_${i}.json`);
  return lines.join("\n") + "\n";
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, ...rest] = process.argv.slice(2);
  if (!dir) throw new Error("usage: node bench/gen-pipeline.mjs DIR [--nodes N] [--shape dag|chain]");
  const opt = (k, d) => (rest.includes(k) ? rest[rest.indexOf(k) + 1] : d);
  const r = generateProject(resolve(dir), { nodes: Number(opt("--nodes", 10_000)), shape: opt("--shape", "dag") });
  console.log(`wrote ${r.dir} (${r.nodes} nodes)`);
}
