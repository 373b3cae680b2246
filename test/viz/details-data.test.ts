// What the details panel shows of a dataset (sizes, first rows, plotly figures, images) and how a
// large namespaced pipeline opens (collapsed, with a minimap): the data read from real files in a
// temp folder, the page in real headless Chromium.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetMedia, datasetPreviews, datasetStats } from "../../cli/viz/dataset-files.js";
import { buildPageData } from "../../cli/viz/page-data.js";
import { renderPage } from "../../cli/viz/render.js";
import type { GraphIR, IRDataset, IRNode } from "../../compiler/types.js";
import type { RunRecord } from "../../runs/record.js";
import { launchBrowser, openPage, SKIP_BROWSER } from "./browser.js";
import { DEMO, runViz, SECRETS, tempProject } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mlc-viz-details-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A 1x1 PNG (the smallest valid one) and a small SVG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
const FIGURE = {
  data: [{ type: "bar", x: ["Type V5", "Type V2", "Type F5"], y: [2, 4, 6] }],
  layout: { title: { text: "capacity" } },
};

const ds = (name: string, type: string, filepath: string | null, persistent = true): IRDataset => ({
  name,
  type,
  persistent,
  layer: null,
  filepath,
  config: { type, ...(filepath ? { filepath } : {}) },
});
const nd = (name: string, inputs: string[], outputs: string[], namespace: string | null = null): IRNode => ({
  name,
  baseName: name.split(".").pop()!,
  func: "src/n.ts#f",
  inputs,
  inputMode: "list",
  outputs,
  outputMode: "single",
  tags: [],
  namespace,
  retries: 0,
  timeoutMs: null,
  source: { file: "pipeline.yml", line: 1 },
});
function graphOf(nodes: IRNode[], datasets: IRDataset[]): GraphIR {
  return {
    irVersion: 1,
    name: "details",
    nodes,
    datasets,
    params: [],
    edges: [],
    layers: [nodes.map((n) => n.name)],
    pipelines: { __default__: nodes.map((n) => n.name) },
  };
}

mkdirSync(join(dir, "data"), { recursive: true });
writeFileSync(join(dir, "data/chart.json"), JSON.stringify(FIGURE));
writeFileSync(join(dir, "data/logo.png"), PNG);
writeFileSync(join(dir, "data/icon.svg"), '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
writeFileSync(
  join(dir, "data/rows.csv"),
  "a;b\n" + Array.from({ length: 30 }, (_, i) => `${i};x${i}`).join("\n") + "\n",
);
const graph = graphOf(
  [nd("report", ["rows"], ["chart", "logo", "icon", "later", "table"])],
  [
    ds("chart", "plotly", "data/chart.json"),
    ds("logo", "image", "data/logo.png"),
    ds("icon", "image", "data/icon.svg"),
    ds("later", "plotly", "data/not-yet.json"),
    { ...ds("rows", "csv", "data/rows.csv"), config: { type: "csv", load_args: { delimiter: ";" } } },
    ds("table", "memory", null, false),
  ],
);

describe("dataset files for the details panel", () => {
  it("sizes and row counts of persisted datasets; not-yet-written ones say so", async () => {
    const stats = await datasetStats(graph, dir);
    expect(stats.rows).toEqual({ bytes: readFileSync(join(dir, "data/rows.csv")).length, rows: 30 });
    expect(stats.later).toEqual({ missing: true });
    expect(stats.table).toBeUndefined();
  });

  it("the first 10 rows of a CSV, read with its delimiter", async () => {
    const { rows } = await datasetPreviews(graph, dir);
    expect(rows.columns).toEqual(["a", "b"]);
    expect(rows.rows).toHaveLength(10);
    expect(rows.rows[9]).toEqual(["9", "x9"]);
  });

  it("plotly figures and images, embedded; a missing file says so instead of failing", async () => {
    const media = await datasetMedia(graph, dir);
    expect(media.chart).toEqual({ kind: "plotly", figure: FIGURE });
    expect(media.logo).toEqual({ kind: "image", src: `data:image/png;base64,${PNG.toString("base64")}`, alt: "logo" });
    expect((media.icon as { src: string }).src).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(media.later).toMatchObject({ kind: "plotly", missing: expect.stringContaining("No file yet") });
  });
});

describe.skipIf(SKIP_BROWSER)("the details panel and big pipelines in headless Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("draws a plotly figure as SVG bars and shows images, offline", async () => {
    const data = buildPageData({
      graph,
      stats: await datasetStats(graph, dir),
      media: await datasetMedia(graph, dir),
      previews: await datasetPreviews(graph, dir),
    });
    const out = join(dir, "details.html");
    writeFileSync(out, await renderPage(data, { mode: "file" }));
    const p = await openPage(browser, pathToFileURL(out).href);
    try {
      await p.page.click('#viewport [data-name="chart"]');
      expect(await p.page.locator('[data-testid="plotly-figure"] rect').count()).toBe(3);
      expect(await p.page.getAttribute('[data-testid="plotly-figure"]', "aria-label")).toContain("capacity");
      await p.page.click('#viewport [data-name="logo"]');
      const img = p.page.locator('[data-testid="image-preview"]');
      expect(await img.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
      expect(await img.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBe(1);
      await p.page.click('#viewport [data-name="later"]');
      expect(await p.page.textContent('[data-testid="dataset-media-missing"]')).toContain("No file yet");
      await p.page.click('#viewport [data-name="rows"]');
      expect(await p.page.locator('[data-testid="dataset-preview"] tbody tr').count()).toBe(10);
      expect(p.errors).toEqual([]);
      expect(p.requests).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it("shows a cached node (up to date, not re-run) like a completed one, but distinct", async () => {
    const chain = graphOf([nd("a", ["rows"], ["mid"]), nd("b", ["mid"], ["end"])], [ds("mid", "memory", null, false)]);
    const node = (name: string, status: string) => ({ name, status, attempts: 1, duration_ms: 5 });
    const run = {
      ...{ run_id: "20261203-120000-abcdef", status: "success", started_at: "2026-12-03T12:00:00.000Z" },
      ...{ finished_at: "2026-12-03T12:00:01.000Z", pipeline: "__default__", command: "mlc run", params: {} },
      nodes: [node("a", "cached"), node("b", "completed")],
    } as unknown as RunRecord;
    const out = join(dir, "cached.html");
    writeFileSync(out, await renderPage(buildPageData({ graph: chain, run }), { mode: "file" }));
    const p = await openPage(browser, pathToFileURL(out).href);
    try {
      const a = p.page.locator('#viewport [data-testid="node"][data-name="a"]');
      const b = p.page.locator('#viewport [data-testid="node"][data-name="b"]');
      expect(await a.getAttribute("data-status")).toBe("cached");
      expect(await a.getAttribute("aria-label")).toBe("a ≡ cached, node, cached");
      const stroke = (l: typeof a) => l.locator(".shape").evaluate((e) => getComputedStyle(e).stroke);
      expect(await stroke(a)).not.toBe(await stroke(b));
      expect(await p.page.textContent('[data-testid="run-counts"]')).toBe("1 completed 1 cached");
    } finally {
      await p.close();
    }
  });

  it("never draws two nodes alike: long names wrap or are cut in the middle, and clashing cuts are drawn in full", async () => {
    const long = "x".repeat(60);
    const names = [`${long}_alpha`, `${long}_beta`, `a${long}z`, `b${long}z`, `${long}1${long}`, `${long}2${long}`];
    const g = graphOf(
      names.map((n, i) => nd(n, [], [`out${i}`])),
      [],
    );
    const out = join(dir, "names.html");
    writeFileSync(out, await renderPage(buildPageData({ graph: g }), { mode: "file" }));
    const p = await openPage(browser, pathToFileURL(out).href);
    try {
      const drawn = await p.page
        .locator('#viewport [data-testid="node"]')
        .evaluateAll((els) =>
          els.map((e) => [
            e.getAttribute("aria-label"),
            [...e.querySelectorAll(".label")].map((t) => t.textContent).join("\n"),
          ]),
        );
      expect(new Set(drawn.map(([, text]) => text)).size).toBe(names.length);
      expect(drawn.map(([aria]) => aria!.split(",")[0]).sort()).toEqual([...names].sort());
      expect(drawn.some(([, text]) => text!.includes("…"))).toBe(true); // some were cut, none alike
    } finally {
      await p.close();
    }
  });

  it("a large namespaced pipeline opens collapsed, with a minimap that pans the view", async () => {
    const nodes: IRNode[] = [];
    const datasets: IRDataset[] = [ds("raw", "csv", "data/raw.csv")];
    for (let n = 0; n < 8; n++)
      for (let i = 0; i < 12; i++) {
        const ns = `ns${n}`;
        const input = i === 0 ? "raw" : `${ns}.d${i - 1}`;
        nodes.push(nd(`${ns}.step${i}`, [input], [`${ns}.d${i}`], ns));
        datasets.push(ds(`${ns}.d${i}`, "memory", null, false));
      }
    const big = graphOf(nodes, datasets);
    const out = join(dir, "big.html");
    writeFileSync(out, await renderPage(buildPageData({ graph: big }), { mode: "file" }));
    const p = await openPage(browser, pathToFileURL(out).href);
    try {
      expect(await p.page.locator('#viewport [data-testid="namespace"]').count()).toBe(8);
      expect(await p.page.isHidden('[data-testid="minimap"]')).toBe(true); // 8 groups fit the screen
      await p.page.uncheck('[data-testid="ns-toggle"][data-name="ns0"]');
      await p.page.uncheck('[data-testid="ns-toggle"][data-name="ns1"]');
      expect(await p.page.isVisible('[data-testid="minimap"]')).toBe(true);
      const before = await p.page.getAttribute("#viewport", "transform");
      const box = (await p.page.locator('[data-testid="minimap"]').boundingBox())!;
      await p.page.mouse.click(box.x + box.width - 5, box.y + 5);
      await p.page.waitForFunction((b) => document.querySelector("#viewport")!.getAttribute("transform") !== b, before);
      expect(p.errors).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it("--include-previews embeds the first rows, never a credential", async () => {
    const root = tempProject(DEMO);
    const csv = join(root, "data/01_raw/events.csv");
    writeFileSync(csv, readFileSync(csv, "utf8").replace("1,10,4", `1,10,${SECRETS[0]}`));
    const out = join(root, "viz.html");
    expect(runViz(["--project", root, "--include-previews", "--out", out]).status).toBe(0);
    const html = readFileSync(out, "utf8");
    for (const s of SECRETS) expect(html).not.toContain(s);
    const p = await openPage(browser, pathToFileURL(out).href);
    try {
      await p.page.click('#viewport [data-name="raw_events"]');
      expect(await p.page.textContent('[data-testid="dataset-preview"] tbody tr')).toContain("***");
    } finally {
      await p.close();
    }
  });
});
