// Exploring a spaceflights-like namespaced pipeline in real headless Chromium, as kedro-viz users
// do: readable names in namespace frames, namespaces that open and refit, the element tree,
// chain and path highlighting, `#node=` links, downloads, the keyboard, and axe-core's audit.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlc } from "../helpers/cli.js";
import { launchBrowser, openPage, screenshot, SKIP_BROWSER, type OpenedPage } from "./browser.js";
import { REPO, runViz, tempProject } from "./helpers.js";

const SPACEFLIGHTS = join(REPO, "test/fixtures/viz/spaceflights");
const AXE = join(dirname(createRequire(join(REPO, "package.json")).resolve("axe-core")), "axe.min.js");
function dirname(p: string): string {
  return p.slice(0, p.lastIndexOf("/"));
}
const attr = (page: Page, sel: string, name: string) =>
  page.locator(sel).evaluateAll((els, n) => els.map((e) => e.getAttribute(n)!), name);
const node = (name: string) => `#viewport [data-testid="node"][data-name="${name}"]`;

describe.skipIf(SKIP_BROWSER)("exploring a namespaced pipeline in headless Chromium", () => {
  let browser: Browser;
  let root: string;
  let file: OpenedPage;
  let url: string;

  beforeAll(async () => {
    root = tempProject(SPACEFLIGHTS);
    const run = mlc(REPO, "run", "--project", root);
    expect(run.code, run.all).toBe(0);
    const r = runViz(["--project", root, "--include-previews", "--out", join(root, "viz.html")]);
    expect(r.status, r.stderr).toBe(0);
    browser = await launchBrowser();
    url = pathToFileURL(join(root, "viz.html")).href;
    file = await openPage(browser, url);
    await screenshot(file.page, "spaceflights-after");
  }, 60_000);
  afterAll(async () => {
    await file?.close();
    await browser?.close();
  });
  /** Closes the details panel and fits the graph, so every element is on screen to click. */
  const closePanel = async () => {
    await file.page.keyboard.press("Escape");
    await file.page.click('[data-testid="zoom-fit"]');
  };

  it("draws each node so no two in one frame read alike, without the frame's prefix; the full name is the accessible name", async () => {
    const { page } = file;
    const drawn = await page.locator('#viewport [data-testid="node"]').evaluateAll((els) =>
      els.map((g) => ({
        name: g.getAttribute("data-name")!,
        text: [...g.querySelectorAll(".label")].map((t) => t.textContent).join(""),
        aria: g.getAttribute("aria-label")!,
        role: g.getAttribute("role"),
        tab: g.getAttribute("tabindex"),
      })),
    );
    expect(drawn).toHaveLength(12);
    const frameOf = (name: string) => name.slice(0, name.lastIndexOf("."));
    const seen = new Set<string>();
    for (const d of drawn) {
      const key = `${frameOf(d.name)}|${d.text}`;
      expect(seen.has(key), `${d.name} reads like another node`).toBe(false);
      seen.add(key);
      expect(d.text.startsWith(frameOf(d.name) + ".")).toBe(false);
      expect(d.aria).toContain(d.name);
      expect(d.aria).toMatch(/^\S+ ✓ \d+ ms, node, completed$/);
      expect([d.role, d.tab]).toEqual(["button", "0"]);
    }
    const capacity = drawn.filter((d) => d.name.includes("compare_passenger_capacity")).map((d) => d.text);
    expect(new Set(capacity).size).toBe(2);
    expect((await attr(page, '[data-testid="namespace-frame"]', "data-name")).sort()).toEqual([
      "active_modelling_pipeline",
      "candidate_modelling_pipeline",
      "data_processing",
      "reporting",
    ]);
  });

  it("orders the layer bands as Kedro does", async () => {
    const bands = await file.page.locator('[data-testid="layer-band"]').evaluateAll((els) =>
      els
        .map((g) => ({ n: g.getAttribute("data-name")!, x: Number(g.querySelector("rect")!.getAttribute("x")) }))
        .sort((a, b) => a.x - b.x)
        .map((b) => b.n),
    );
    expect(bands).toEqual(["raw", "intermediate", "primary", "models", "reporting"]);
  });

  it("a collapsed namespace opens its details on click, and collapsing or expanding refits the view", async () => {
    const { page } = file;
    const transform = () => page.getAttribute("#viewport", "transform");
    const before = await transform();
    await page.check('[data-testid="ns-toggle"][data-name="data_processing"]');
    await page.waitForFunction((b) => document.querySelector("#viewport")!.getAttribute("transform") !== b, before);
    await closePanel();
    await page.click('#viewport [data-testid="namespace"][data-name="data_processing"]');
    expect(await page.isVisible('[data-testid="details"]')).toBe(true);
    expect(await page.textContent('[data-testid="namespace-command"] code')).toBe(
      "mlc run --namespaces data_processing",
    );
    const collapsed = await transform();
    await page.click('[data-testid="namespace-expand"]');
    await page.waitForFunction((b) => document.querySelector("#viewport")!.getAttribute("transform") !== b, collapsed);
    expect(await page.locator('#viewport [data-testid="namespace"]').count()).toBe(0);
  });

  it("the sidebar tree lists the elements by namespace and opens one on click", async () => {
    const { page } = file;
    await closePanel();
    const inNs = await page.locator('details[data-ns="data_processing"] [data-testid="tree-node"]').allTextContents();
    expect(inNs.sort()).toEqual([
      "create_model_input_table_node",
      "preprocess_companies_node",
      "preprocess_shuttles_node",
    ]);
    await page.click('details[data-ns="reporting"] > summary');
    await page.click('details[data-ns="reporting"] [data-testid="tree-node"]:text-is("create_confusion_matrix")');
    expect(await page.textContent("#details h2")).toBe("reporting.create_confusion_matrix");
  });

  it("a selection lights up its whole upstream and downstream chain; two shift-clicked nodes, the path between", async () => {
    const { page } = file;
    await closePanel();
    await page.click(node("active_modelling_pipeline.train_model_node"));
    const near = async () => (await attr(page, "#viewport .v.near", "data-name")).sort();
    const chain = await near();
    expect(chain).toEqual(
      expect.arrayContaining([
        "active_modelling_pipeline.evaluate_model_node",
        "active_modelling_pipeline.metrics",
        "model_input_table",
        "data_processing.preprocess_shuttles_node",
        "shuttles",
      ]),
    );
    expect(chain.filter((n) => n.startsWith("candidate_") || n.startsWith("reporting."))).toEqual([]);
    await closePanel();
    await page.click(node("data_processing.preprocess_companies_node"));
    await page.click(node("active_modelling_pipeline.train_model_node"), { modifiers: ["Shift"] });
    expect(await page.textContent('[data-testid="pair-command"] code')).toBe(
      "mlc run --from-nodes data_processing.preprocess_companies_node --to-nodes active_modelling_pipeline.train_model_node",
    );
    const path = await near();
    expect(path).toContain("model_input_table");
    expect(path).not.toContain("shuttles"); // upstream of the path's start: not on it
    expect(path).not.toContain("active_modelling_pipeline.evaluate_model_node"); // past its end
  });

  it("#node= deep links open a node, and selecting one updates the link", async () => {
    const p = await openPage(
      browser,
      url + "#node=" + encodeURIComponent("candidate_modelling_pipeline.split_data_node"),
    );
    try {
      expect(await p.page.textContent("#details h2")).toBe("candidate_modelling_pipeline.split_data_node");
      await p.page.keyboard.press("Escape");
      await p.page.click(node("reporting.compare_passenger_capacity_go"));
      expect(await p.page.evaluate(() => location.hash)).toBe("#node=reporting.compare_passenger_capacity_go");
    } finally {
      await p.close();
    }
  });

  it("downloads the graph as PNG, SVG and Mermaid", async () => {
    const { page } = file;
    await closePanel();
    const get = async (testid: string) => {
      const [dl] = await Promise.all([page.waitForEvent("download"), page.click(`[data-testid="${testid}"]`)]);
      return { name: dl.suggestedFilename(), bytes: readFileSync((await dl.path())!) };
    };
    const png = await get("download-png");
    expect(png.name).toBe("spaceflights.png");
    expect(png.bytes.subarray(1, 4).toString()).toBe("PNG");
    expect(png.bytes.length).toBeGreaterThan(10_000);
    const svg = await get("download-svg");
    expect(svg.bytes.toString()).toMatch(/^<svg[^>]+viewBox=/);
    expect(svg.bytes.toString()).toContain('data-name="data_processing.preprocess_shuttles_node"');
    const mmd = await get("download-mermaid");
    expect(mmd.name).toBe("spaceflights.mmd");
    expect(mmd.bytes.toString()).toBe(mlc(REPO, "compile", "--project", root, "--stdout", "mermaid").stdout);
  });

  it("the details panel shows the function's code, sizes, row counts and the first rows", async () => {
    const { page } = file;
    await closePanel();
    await page.click(node("data_processing.preprocess_companies_node"));
    expect(await page.textContent('[data-testid="node-code"]')).toMatch(/function preprocessCompanies\(companies\)/);
    expect(await page.$eval('[data-testid="node-code"]', (e) => getComputedStyle(e).overflow)).toBe("auto");
    await closePanel();
    await page.click('#viewport [data-testid="dataset"][data-name="companies"]');
    expect(await page.textContent('[data-testid="dataset-size"]')).toMatch(/^\d+ B · 5 rows$/);
    const cells = await page.locator('[data-testid="dataset-preview"] tbody tr').count();
    expect(cells).toBe(5);
    expect(await page.textContent('[data-testid="dataset-preview"] thead')).toContain("company_rating");
    await page.click('#viewport [data-testid="dataset"][data-name="model_input_table"]');
    expect(await page.textContent('[data-testid="dataset-size"]')).toMatch(/ · 5 rows$/);
    expect(await page.locator('[data-testid="dataset-preview"] tbody tr').count()).toBe(5);
    // The panel widens when its edge is dragged.
    const w0 = await page.$eval('[data-testid="details"]', (e) => e.getBoundingClientRect().width);
    const grip = (await page.locator("#details .grip").boundingBox())!;
    await page.mouse.move(grip.x + 2, grip.y + 40);
    await page.mouse.down();
    await page.mouse.move(grip.x - 150, grip.y + 40, { steps: 4 });
    await page.mouse.up();
    const w1 = await page.$eval('[data-testid="details"]', (e) => e.getBoundingClientRect().width);
    expect(w1).toBeGreaterThan(w0 + 100);
  });

  it("works from the keyboard: Tab stops, Enter opens, arrows follow edges, Esc closes", async () => {
    const { page } = file;
    await closePanel();
    expect(await page.getByLabel("Search", { exact: true }).getAttribute("data-testid")).toBe("search");
    expect(await page.getByLabel("Pipeline", { exact: true }).getAttribute("data-testid")).toBe("pipeline-select");
    await page.focus(node("data_processing.preprocess_shuttles_node"));
    await page.keyboard.press("ArrowRight");
    const focused = () => page.evaluate(() => document.activeElement!.getAttribute("data-name"));
    expect(await focused()).toBe("preprocessed_shuttles");
    await page.keyboard.press("ArrowLeft");
    expect(await focused()).toBe("data_processing.preprocess_shuttles_node");
    await page.keyboard.press("Enter");
    expect(await page.textContent("#details h2")).toBe("data_processing.preprocess_shuttles_node");
    await page.keyboard.press("Escape");
    expect(await page.isHidden('[data-testid="details"]')).toBe(true);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement!.getAttribute("role"))).toBe("button");
  });

  for (const scheme of ["light", "dark"] as const)
    it(`passes axe-core with no serious or critical violation (${scheme} theme)`, async () => {
      const { page } = file;
      await page.emulateMedia({ colorScheme: scheme });
      await closePanel();
      await page.click(node("active_modelling_pipeline.evaluate_model_node"));
      await page.keyboard.press("Escape");
      if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
      const result = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (o: object) => Promise<{ violations: unknown[] }> } }).axe;
        return axe.run({ resultTypes: ["violations"] });
      });
      const bad = (result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[])
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      expect(bad).toEqual([]);
      // axe leaves SVG text out of its contrast check: measure the graph's own text on its shapes.
      expect(await page.evaluate(svgContrast)).toEqual([]);
      await screenshot(page, `spaceflights-${scheme}`);
      expect(file.errors).toEqual([]);
    });
});

/** Graph texts (labels, durations, band and frame names) under 4.5:1 against what they sit on. */
function svgContrast(): string[] {
  const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const lum = (c: string) => {
    const [r, g, b] = rgb(c).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a: string, b: string) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const bad: string[] = [];
  const check = (text: Element, under: Element | null) => {
    if (!under) return;
    const fg = getComputedStyle(text).fill;
    const bg = getComputedStyle(under).fill;
    const r = ratio(fg, bg);
    if (r < 4.5) bad.push(`${text.textContent} ${fg} on ${bg}: ${r.toFixed(2)}`);
  };
  document
    .querySelectorAll("#viewport .v text")
    .forEach((t) => check(t, t.parentElement!.querySelector(".shape:not(.back)")));
  document
    .querySelectorAll("#viewport .band text, #viewport .frame text")
    .forEach((t) => check(t, t.parentElement!.querySelector("rect")));
  return bad;
}
