// `mlc viz` in real headless Chromium: the --out file (offline, no requests, no secrets) and the
// served page (live reload), on the demo fixture and the movie sample.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/compile.js";
import type { GraphIR } from "../../compiler/types.js";
import { launchBrowser, openPage, screenshot, SKIP_BROWSER, type OpenedPage } from "./browser.js";
import { DEMO, expectedCounts, REPO, runViz, SECRETS, serveViz, tempProject, writeFailedRun } from "./helpers.js";

/** Closes the details panel (it floats over the graph's right edge) before clicking elements. */
const closePanel = (page: Page) => page.keyboard.press("Escape");
const count = (page: Page, testid: string) => page.locator(`[data-testid="${testid}"]`).count();
const names = (page: Page, testid: string) =>
  page
    .locator(`#viewport [data-testid="${testid}"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-name")!).sort());

async function graphOf(root: string): Promise<GraphIR> {
  const { project, diagnostics } = await compileProject({ root, checkFuncs: false });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return project!.graph;
}

describe.skipIf(SKIP_BROWSER)("mlc viz in headless Chromium", () => {
  let browser: Browser;
  let root: string;
  let graph: GraphIR;
  let file: OpenedPage;

  beforeAll(async () => {
    expect(existsSync(join(REPO, "dist/cli/commands/viz.js")), "run `npm run build` first").toBe(true);
    browser = await launchBrowser();
    root = tempProject(DEMO);
    writeFailedRun(root);
    graph = await graphOf(root);
    const r = runViz(["--project", root, "--out", join(root, "out/viz.html")]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    file = await openPage(browser, pathToFileURL(join(root, "out/viz.html")).href);
  });
  afterAll(async () => {
    await file?.close();
    await browser?.close();
  });

  it("the --out file is self-contained: no network request, no secret, no console error", async () => {
    const html = readFileSync(join(root, "out/viz.html"), "utf8");
    for (const s of SECRETS) expect(html).not.toContain(s);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/i);
    expect(file.requests).toEqual([]);
    expect(file.errors).toEqual([]);
    await screenshot(file.page, "demo-offline");
  });

  it("draws every node, dataset, parameter and edge of the graph", async () => {
    const want = expectedCounts(graph);
    expect(await count(file.page, "node")).toBe(want.nodes);
    expect(await count(file.page, "dataset")).toBe(want.datasets);
    expect(await count(file.page, "param")).toBe(want.params);
    expect(await count(file.page, "edge")).toBe(want.edges);
    expect(await names(file.page, "node")).toEqual(graph.nodes.map((n) => n.name).sort());
    expect(await names(file.page, "layer-band")).toEqual([
      "feature",
      "intermediate",
      "models",
      "primary",
      "raw",
      "reporting",
    ]);
  });

  it("a tag filter shows exactly the nodes with any ticked tag", async () => {
    const { page } = file;
    await page.check('[data-testid="tag-filter"][data-name="reporting"]');
    const tagged = (t: string[]) =>
      graph.nodes
        .filter((n) => n.tags.some((x) => t.includes(x)))
        .map((n) => n.name)
        .sort();
    expect(await names(page, "node")).toEqual(tagged(["reporting"]));
    await page.check('[data-testid="tag-filter"][data-name="features"]');
    expect(await names(page, "node")).toEqual(tagged(["reporting", "features"]));
    await page.uncheck('[data-testid="tag-filter"][data-name="reporting"]');
    await page.uncheck('[data-testid="tag-filter"][data-name="features"]');
    expect(await count(page, "node")).toBe(graph.nodes.length);
  });

  it("a named pipeline and the element-type toggles filter the view", async () => {
    const { page } = file;
    await page.selectOption('[data-testid="pipeline-select"]', "training");
    expect(await names(page, "node")).toEqual([...graph.pipelines.training].sort());
    await page.selectOption('[data-testid="pipeline-select"]', "__default__");
    await page.uncheck('[data-testid="show-params"]');
    expect(await count(page, "param")).toBe(0);
    await page.uncheck('[data-testid="show-datasets"]');
    expect(await count(page, "dataset")).toBe(0);
    expect(await count(page, "edge")).toBe(new Set(graph.edges.map((e) => `${e.from}>${e.to}`)).size);
    await page.check('[data-testid="show-datasets"]');
    await page.check('[data-testid="show-params"]');
  });

  it("a namespace collapses into one box and expands again", async () => {
    const { page } = file;
    const inNs = graph.nodes.filter((n) => n.namespace === "features").length;
    expect(inNs).toBe(2);
    await page.check('[data-testid="ns-toggle"][data-name="features"]');
    expect(await names(page, "namespace")).toEqual(["features"]);
    expect(await count(page, "node")).toBe(graph.nodes.length - inNs);
    expect(await page.locator('[data-testid="node"][data-name^="features."]').count()).toBe(0);
    await screenshot(page, "demo-collapsed");
    // Clicking the box opens its details (with the command that runs it); the button there expands it.
    await page.click('[data-testid="namespace"][data-name="features"]');
    expect(await page.textContent('[data-testid="namespace-command"] code')).toBe("mlc run --namespaces features");
    await page.click('[data-testid="namespace-expand"]');
    expect(await count(page, "namespace")).toBe(0);
    expect(await count(page, "node")).toBe(graph.nodes.length);
    expect(await page.isChecked('[data-testid="ns-toggle"][data-name="features"]')).toBe(false);
  });

  it("the details panel lists a node's inputs, parameters and run command", async () => {
    const { page } = file;
    await closePanel(page);
    await page.click('[data-testid="node"][data-name="train"]');
    const train = graph.nodes.find((n) => n.name === "train")!;
    const li = (id: string) => page.locator(`[data-testid="${id}"] li`).allTextContents();
    expect(await li("node-inputs")).toEqual(train.inputs.filter((i) => !i.startsWith("params:")));
    expect((await li("node-params")).map((t) => t.split(" ")[0])).toEqual(["params:train.lr", "params:train.epochs"]);
    expect(await li("node-outputs")).toEqual([...train.outputs]);
    expect(await page.textContent('[data-testid="node-command"] code')).toBe("mlc run --nodes train");
  });

  it("shift-clicking two nodes gives the --from-nodes/--to-nodes command, upstream first", async () => {
    const { page } = file;
    await closePanel(page);
    await page.click('[data-testid="node"][data-name="evaluate"]');
    await page.click('[data-testid="node"][data-name="clean"]', { modifiers: ["Shift"] });
    expect(await page.textContent('[data-testid="pair-command"] code')).toBe(
      "mlc run --from-nodes clean --to-nodes evaluate",
    );
  });

  it("dataset details show type, path and layer, and the credentials only as a name", async () => {
    const { page } = file;
    await closePanel(page);
    await page.click('[data-testid="dataset"][data-name="db_table"]');
    const text = await page.textContent('[data-testid="details"]');
    expect(text).toContain("./src/datasets.ts#WarehouseTable");
    expect(text).toContain("warehouse");
    for (const s of SECRETS) expect(text).not.toContain(s);
    await closePanel(page);
    await page.click('[data-testid="dataset"][data-name="model"]');
    expect(await page.textContent('[data-testid="details"]')).toContain("data/06_models/model.bin");
  });

  it("the last run is overlaid: statuses, durations and the failed node's error", async () => {
    const { page } = file;
    expect(await page.getAttribute('[data-testid="node"][data-name="evaluate"]', "data-status")).toBe("failed");
    expect(await page.getAttribute('[data-testid="node"][data-name="train"]', "data-status")).toBe("completed");
    expect(await page.getAttribute('[data-testid="node"][data-name="export_db"]', "data-status")).toBe("not_run");
    expect(await page.textContent('[data-testid="node"][data-name="train"]')).toContain("2.3 s");
    expect(await page.textContent('[data-testid="run-badge"]')).toBe("failed");
    await closePanel(page);
    await page.click('[data-testid="run-failed-link"]'); // the header names the failed node
    const err = await page.textContent('[data-testid="run-error"]');
    expect(err).toContain("MLC5001");
    expect(err).toContain("rows is undefined");
    await screenshot(page, "demo-failed-run");
    expect(file.errors).toEqual([]);
  });

  it("search highlights matching elements", async () => {
    const { page } = file;
    await page.fill('[data-testid="search"]', "stats");
    expect(
      await page.locator("#viewport .v.match").evaluateAll((e) => e.map((x) => x.getAttribute("data-name")).sort()),
    ).toEqual(["features.item_stats", "features.user_stats", "item_stats", "user_stats"]);
    await page.fill('[data-testid="search"]', "");
  });

  it("the served page shows the graph, serves /api/graph and follows pipeline edits", async () => {
    const proj = tempProject(DEMO);
    const srv = await serveViz(["--project", proj]);
    let opened: OpenedPage | null = null;
    try {
      const api = (await (await fetch(srv.url + "api/graph")).json()) as { nodes: unknown[] };
      expect(api.nodes.length).toBe(graph.nodes.length);
      opened = await openPage(browser, srv.url);
      expect(await count(opened.page, "node")).toBe(graph.nodes.length);
      const yml = join(proj, "pipeline.yml");
      writeFileSync(
        yml,
        readFileSync(yml, "utf8").replace(
          "pipelines:",
          "  - name: summarize\n    func: ./src/nodes.ts#evaluate\n    inputs: [model, report]\n    outputs: summary\n    tags: [reporting]\npipelines:",
        ),
      );
      await opened.page.waitForSelector('[data-testid="node"][data-name="summarize"]', { timeout: 20_000 });
      expect(await count(opened.page, "node")).toBe(graph.nodes.length + 1);
      // A broken edit keeps the last good graph and says what is wrong.
      writeFileSync(yml, readFileSync(yml, "utf8").replace("inputs: [model, report]", "inputs: [model, reprot]"));
      await opened.page.waitForSelector('[data-testid="problems"]:not([hidden])', { timeout: 20_000 });
      expect(await opened.page.textContent('[data-testid="problems"]')).toContain("MLC3001");
      expect(await count(opened.page, "node")).toBe(graph.nodes.length + 1);
      await screenshot(opened.page, "demo-served");
      expect(opened.errors).toEqual([]);
    } finally {
      await opened?.close();
      expect(await srv.stop()).toBe(0);
    }
  });

  it("selection flags open the page on that selection", async () => {
    const out = join(root, "out/selected.html");
    expect(runViz(["--project", root, "--to-nodes", "train", "--out", out]).status).toBe(0);
    const p = await openPage(browser, pathToFileURL(out).href);
    try {
      expect(await p.page.inputValue('[data-testid="pipeline-select"]')).toBe("__selection__");
      expect(await names(p.page, "node")).toEqual([
        "clean",
        "features.item_stats",
        "features.user_stats",
        "ingest",
        "train",
      ]);
      await p.page.selectOption('[data-testid="pipeline-select"]', "__default__");
      expect(await count(p.page, "node")).toBe(graph.nodes.length);
    } finally {
      await p.close();
    }
  });

  it("the movie sample renders in full with no console error", async () => {
    expect(existsSync(join(REPO, "samples/movie-recommendation")), "samples/movie-recommendation is missing").toBe(
      true,
    );
    const sample = tempProject(join(REPO, "samples/movie-recommendation")); // viz caches the node modules in <project>/.mlc
    const movie = await graphOf(sample);
    const out = join(root, "out/movie.html");
    expect(runViz(["--project", sample, "--out", out]).status).toBe(0);
    expect(statSync(out).size).toBeLessThanOrEqual(250 * 1024); // one offline file, small
    const p = await openPage(browser, pathToFileURL(out).href);
    try {
      const want = expectedCounts(movie);
      expect(await count(p.page, "node")).toBe(want.nodes);
      expect(await count(p.page, "dataset")).toBe(want.datasets);
      expect(await count(p.page, "edge")).toBe(want.edges);
      expect(p.errors).toEqual([]);
      expect(p.requests).toEqual([]);
      await screenshot(p.page, "movie-recommendation");
    } finally {
      await p.close();
      rmSync(sample, { recursive: true, force: true });
    }
  });
});

describe("mlc viz without a browser", () => {
  it("a project that does not compile prints its diagnostics and exits 1", () => {
    const proj = tempProject(DEMO);
    const yml = join(proj, "pipeline.yml");
    writeFileSync(yml, readFileSync(yml, "utf8").replace("inputs: report", "inputs: reprot"));
    const r = runViz(["--project", proj, "--out", join(proj, "x.html")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("MLC3001");
    expect(existsSync(join(proj, "x.html"))).toBe(false);
  });

  it("a bad --port is a usage error (exit 2)", () => {
    const r = runViz(["--project", DEMO, "--port", "http"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--port");
  });
});

describe.skipIf(SKIP_BROWSER)("mlc viz on a 1,000-node pipeline", () => {
  it("renders every node with the fast layered layout and pans without re-layout", async () => {
    const { bigGraph } = (await import("./big-graph.mjs")) as { bigGraph: (n: number) => GraphIR };
    const { buildPageData } = await import("../../cli/viz/page-data.js");
    const { renderPage } = await import("../../cli/viz/render.js");
    const graph = bigGraph(1000);
    const dir = mkdtempSync(join(tmpdir(), "mlc-viz-big-"));
    const out = join(dir, "big.html");
    writeFileSync(out, await renderPage(buildPageData({ graph }), { mode: "file" }));
    const browser = await launchBrowser();
    try {
      const t0 = Date.now();
      const p = await openPage(browser, pathToFileURL(out).href);
      const ms = Date.now() - t0;
      const want = expectedCounts(graph);
      expect(await count(p.page, "node")).toBe(1000);
      expect(await count(p.page, "dataset")).toBe(want.datasets);
      expect(await count(p.page, "edge")).toBe(want.edges);
      const stats = await p.page.evaluate(
        () => (window as unknown as { mlcViz: { lastRender: Record<string, number> } }).mlcViz.lastRender,
      );
      console.log(
        `viz 1,000 nodes: page ready in ${ms} ms (layout ${Math.round(stats.layoutMs)} ms, draw ${Math.round(stats.drawMs)} ms, ${stats.engine})`,
      );
      expect(stats.engine).toBe("layered");
      await screenshot(p.page, "big-1000");
      // Collapsing a namespace works at this size too (timing is printed, not asserted).
      const t1 = Date.now();
      await p.page.check('[data-testid="ns-toggle"][data-name="stage_3"]');
      const collapseMs = Date.now() - t1;
      expect(await count(p.page, "namespace")).toBe(1);
      expect(await count(p.page, "node")).toBe(1000 - graph.nodes.filter((n) => n.namespace === "stage_3").length);
      await p.page.uncheck('[data-testid="ns-toggle"][data-name="stage_3"]');
      const stats2 = await p.page.evaluate(
        () => (window as unknown as { mlcViz: { lastRender: Record<string, number> } }).mlcViz.lastRender,
      );
      const before = await p.page.getAttribute("#viewport", "transform");
      await p.page.mouse.move(700, 400);
      await p.page.mouse.down();
      await p.page.mouse.move(500, 300, { steps: 5 });
      await p.page.mouse.up();
      await p.page.waitForFunction((b) => document.querySelector("#viewport")!.getAttribute("transform") !== b, before);
      const after = await p.page.evaluate(
        () => (window as unknown as { mlcViz: { lastRender: unknown } }).mlcViz.lastRender,
      );
      expect(after).toEqual(stats2); // panning changed the transform only
      console.log(`viz 1,000 nodes: collapsing a namespace took ${collapseMs} ms`);
      expect(p.errors).toEqual([]);
      await p.close();
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
