// The served page follows a real `mlc run` to its end: it picks the run up part-way (the project
// had no run folder when `mlc viz` started), and ends on the truth, the failure included, with the
// parameter values that run used and the dataset sizes it left.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnMlc } from "../helpers/cli.js";
import { launchBrowser, openPage, screenshot, SKIP_BROWSER } from "./browser.js";
import { REPO, serveViz, tempProject } from "./helpers.js";

// evaluateModel waits for a gate file (so the test sees the run mid-way), then fails on the
// namespace whose test split holds more than two rows (the candidate, with the run's --params).
const GATED_SCIENCE = `
import { existsSync } from "node:fs";
type Row = Record<string, unknown>;
type Options = { test_size: number; features: string[] };
export function splitData(rows: Row[], o: Options): [Row[], Row[], number[], number[]] {
  const cut = Math.max(1, Math.round(rows.length * (1 - o.test_size)));
  const y = rows.map((r) => Number(String(r.price).replace(/[$,]/g, "")));
  return [rows.slice(0, cut), rows.slice(cut), y.slice(0, cut), y.slice(cut)];
}
export function trainModel(_x: Row[], y: number[]): { mean: number } {
  return { mean: y.reduce((a, b) => a + b, 0) / y.length };
}
export async function evaluateModel(m: { mean: number }, _x: Row[], y: number[]): Promise<{ mae: number }> {
  while (!existsSync(process.env.MLC_TEST_GATE!)) await new Promise((r) => setTimeout(r, 20));
  if (y.length > 2) throw new Error("evaluation needs at most two rows");
  return { mae: y.reduce((a, v) => a + Math.abs(v - m.mean), 0) / y.length };
}
`;

describe.skipIf(SKIP_BROWSER)("the served page's live run overlay", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("follows a run from part-way to its failed end, with the run's parameters and sizes", async () => {
    const root = tempProject(join(REPO, "test/fixtures/viz/spaceflights"));
    writeFileSync(join(root, "src/science.ts"), GATED_SCIENCE);
    const gate = join(root, "gate");
    expect(existsSync(join(root, ".mlc", "runs"))).toBe(false);
    const srv = await serveViz(["--project", root]);
    const opened = await openPage(browser, srv.url);
    const { page } = opened;
    const badge = (text: string) =>
      page.waitForFunction((t) => document.querySelector('[data-testid="run-badge"]')?.textContent === t, text, {
        timeout: 20_000,
      });
    const status = (name: string) => page.getAttribute(`#viewport [data-name="${name}"]`, "data-status");
    const run = spawnMlc(
      REPO,
      ["run", "--project", root, "--params", "candidate_modelling_pipeline.model_options.test_size=0.6"],
      { env: { MLC_TEST_GATE: gate } },
    );
    const exited = new Promise<number | null>((done) => run.once("exit", done));
    try {
      await badge("running");
      await page.waitForFunction(
        () => /\d+ completed/.test(document.querySelector('[data-testid="run-counts"]')?.textContent ?? ""),
        null,
        { timeout: 20_000 },
      );
      await screenshot(page, "live-run-running");
      writeFileSync(gate, "go");
      expect(await exited).toBe(1);
      await badge("failed"); // the overlay ends on the truth, not on "running"
      expect(await status("candidate_modelling_pipeline.evaluate_model_node")).toBe("failed");
      expect(await status("active_modelling_pipeline.evaluate_model_node")).toBe("completed");
      const [id] = readdirSync(join(root, ".mlc", "runs"));
      const record = JSON.parse(readFileSync(join(root, ".mlc", "runs", id, "run.json"), "utf8"));
      const counts: Record<string, number> = {};
      for (const n of record.nodes as { status: string }[]) counts[n.status] = (counts[n.status] ?? 0) + 1;
      const want = ["completed", "failed", "not_run"]
        .filter((s) => counts[s])
        .map((s) => `${counts[s]} ${s.replace("_", " ")}`);
      expect(await page.textContent('[data-testid="run-counts"]')).toBe(want.join(" "));
      expect(await page.textContent('[data-testid="run-summary"]')).toContain(id);
      await openDetails(page, "candidate_modelling_pipeline.split_data_node");
      expect(await page.textContent('[data-testid="node-params"]')).toContain('"test_size":0.6'); // not today's 0.3
      await openDetails(page, "model_input_table");
      expect(await page.textContent('[data-testid="dataset-size"]')).toMatch(/ · 5 rows$/);
      await screenshot(page, "live-run-failed");
      expect(opened.errors).toEqual([]);
    } finally {
      if (run.exitCode === null) run.kill("SIGTERM");
      await opened.close();
      expect(await srv.stop()).toBe(0);
    }
  }, 90_000);
});

async function openDetails(page: Page, name: string): Promise<void> {
  await page.keyboard.press("Escape");
  await page.click('[data-testid="zoom-fit"]');
  await page.click(`#viewport [data-name="${name}"]`);
}
