// A synthetic compiled graph (GraphIR) of N nodes, each writing one dataset and reading one to
// three earlier ones, with tags, namespaces, layers and parameters: for the 1,000-node viz test
// and bench/w-viz.mjs. Deterministic (seeded).

/** @param {number} n @returns {import("../../compiler/types.js").GraphIR} */
export function bigGraph(n) {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const layers = ["raw", "intermediate", "primary", "feature", "model_input", "models", "reporting"];
  const nodes = [];
  const datasets = [];
  const pad = (i) => String(i).padStart(4, "0");
  const params = new Set();
  for (let i = 0; i < n; i++) {
    const ns = i % 5 === 0 ? null : `stage_${Math.floor((i / n) * 8)}`;
    const base = `step_${pad(i)}`;
    const inputs = [];
    if (i < 20) inputs.push(`source_${pad(i)}`);
    for (let k = 0; k < 1 + Math.floor(rnd() * 3) && i >= 20; k++) {
      const j = Math.max(0, i - 1 - Math.floor(rnd() * 40));
      if (!inputs.includes(`out_${pad(j)}`)) inputs.push(`out_${pad(j)}`);
    }
    if (i % 10 === 0) {
      inputs.push(`params:p${i % 50}`);
      params.add(`params:p${i % 50}`);
    }
    nodes.push({
      name: ns ? `${ns}.${base}` : base,
      baseName: base,
      func: `src/steps.ts#step${i % 7}`,
      inputs,
      inputMode: "list",
      outputs: [`out_${pad(i)}`],
      outputMode: "single",
      tags: [`t${i % 4}`],
      namespace: ns,
      retries: 0,
      timeoutMs: null,
      source: { file: "pipeline.yml", line: 3 + i * 5 },
    });
    const layer = layers[Math.min(layers.length - 1, 1 + Math.floor((i / n) * (layers.length - 1)))];
    datasets.push({
      name: `out_${pad(i)}`,
      type: i % 3 ? "memory" : "parquet",
      persistent: i % 3 !== 0,
      layer: i % 3 ? null : layer,
      filepath: i % 3 ? null : `data/${pad(i)}.parquet`,
      config: { type: i % 3 ? "memory" : "parquet" },
    });
  }
  for (let i = 0; i < Math.min(20, n); i++) {
    datasets.push({
      name: `source_${pad(i)}`,
      type: "csv",
      persistent: true,
      layer: "raw",
      filepath: `data/raw/${i}.csv`,
      config: { type: "csv" },
    });
  }
  datasets.sort((a, b) => (a.name < b.name ? -1 : 1));
  nodes.sort((a, b) => (a.name < b.name ? -1 : 1));
  const producer = new Map(nodes.map((nd) => [nd.outputs[0], nd.name]));
  const edges = [];
  for (const nd of nodes)
    for (const d of nd.inputs) if (producer.has(d)) edges.push({ from: producer.get(d), to: nd.name, dataset: d });
  edges.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : 1));
  const gen = new Map();
  const byName = new Map(nodes.map((nd) => [nd.name, nd]));
  const generation = (name) => {
    if (!gen.has(name))
      gen.set(
        name,
        Math.max(
          -1,
          ...byName
            .get(name)
            .inputs.filter((d) => producer.has(d))
            .map((d) => gen.get(producer.get(d))),
        ) + 1,
      );
    return gen.get(name);
  };
  // Producers always come earlier in step order, so visiting in step order is topological.
  [...nodes].sort((a, b) => (a.baseName < b.baseName ? -1 : 1)).forEach((nd) => generation(nd.name));
  const gens = [];
  for (const [name, g] of gen) (gens[g] = gens[g] || []).push(name);
  gens.forEach((g) => g.sort());
  return {
    irVersion: 1,
    name: `synthetic-${n}`,
    nodes,
    datasets,
    params: [...params].sort(),
    edges,
    layers: gens,
    pipelines: { __default__: nodes.map((nd) => nd.name) },
  };
}
