// Every golden pipeline.mmd (and a diagram of deliberately hostile names) must parse AND render
// with the real Mermaid 11 library in headless Chromium, and the labels must come out as the
// literal names (no HTML injected). Chromium missing: loud failure under CI=true.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitMermaid } from "../../compiler/emit/mermaid.js";
import type { GraphIR, IRNode } from "../../compiler/types.js";
import { FIXTURES } from "./fixtures.js";

const CHROMIUM = process.env.MLC_CHROMIUM || "/usr/bin/chromium";
const HAVE = existsSync(CHROMIUM);
const SKIP = !HAVE && process.env.CI !== "true" && process.env.MLC_SKIP_BROWSER === "1";
if (!HAVE)
  console.error(
    `\n*** mermaid render test: Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or MLC_CHROMIUM=/path)${SKIP ? "; SKIPPING because MLC_SKIP_BROWSER=1" : ""}\n`,
  );
const MERMAID_JS = join(createRequire(import.meta.url).resolve("mermaid/package.json"), "../dist/mermaid.min.js");

const HOSTILE = [
  'a "quoted" name',
  "[brackets] {braces} (parens)",
  "end",
  "graph",
  "click",
  "<b>bold</b>",
  "<script>alert(1)</script>",
  "ünïcødé 数据 🚀",
  "#quot; & %% ;",
  "`tick`",
  "subgraph",
  "style x fill:red",
  "a|b",
  "-->",
];

function hostileGraph(): GraphIR {
  const nodes: IRNode[] = HOSTILE.map((name, i) => ({
    name,
    baseName: name,
    func: "x.ts#f",
    inputs: [`in ${name}`, "params:" + name],
    inputMode: "list",
    outputs: [`out ${name}`],
    outputMode: "list",
    tags: [],
    namespace: i % 3 === 0 ? "end.graph" : i % 3 === 1 ? '"ns" <i>' : null,
    retries: 0,
    timeoutMs: null,
    source: { file: "p.yml", line: 1 },
  }));
  const names = HOSTILE.flatMap((n) => [`in ${n}`, `out ${n}`]).sort();
  return {
    irVersion: 1,
    name: "hostile",
    nodes: [...nodes].sort((a, b) => (a.name < b.name ? -1 : 1)),
    datasets: names.map((name, i) => ({
      name,
      type: i % 2 ? "json" : "memory",
      persistent: i % 2 === 1,
      layer: null,
      filepath: null,
      config: { type: "json" },
    })),
    params: HOSTILE.map((n) => "params:" + n).sort(),
    edges: [],
    layers: [],
    pipelines: { __default__: [] },
  };
}

let browser: Browser | null = null;
let page: Page;

beforeAll(async () => {
  if (SKIP) return;
  if (!HAVE) throw new Error(`Chromium not found at ${CHROMIUM}: the Mermaid render test needs a real browser`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  page = await browser.newPage();
  await page.setContent("<!doctype html><html><body><div id=out></div></body></html>");
  await page.addScriptTag({ path: MERMAID_JS });
  await page.evaluate(() =>
    (window as unknown as { mermaid: { initialize(o: object): void } }).mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      maxEdges: 100000,
    }),
  );
}, 60_000);
afterAll(async () => browser?.close());

/** Parses and renders `text`; returns the diagram's visible text and whether raw HTML tags survived. */
async function render(text: string, id: string): Promise<{ text: string; tags: string[] }> {
  return page.evaluate(
    async ([src, id]) => {
      const m = (
        window as unknown as {
          mermaid: { parse(t: string): Promise<unknown>; render(id: string, t: string): Promise<{ svg: string }> };
        }
      ).mermaid;
      await m.parse(src);
      const { svg } = await m.render(id, src);
      const out = document.getElementById("out")!;
      out.innerHTML = svg;
      const tags = [...out.querySelectorAll("script, b, i")].map((e) => e.tagName);
      return { text: out.textContent ?? "", tags };
    },
    [text, id] as const,
  );
}

const goldens = readdirSync(FIXTURES)
  .filter((c) => existsSync(join(FIXTURES, c, "pipeline.mmd")))
  .sort();

describe.skipIf(SKIP)("Mermaid renders every golden pipeline.mmd", () => {
  it("there are goldens, including hostile-names", () => {
    expect(goldens).toContain("hostile-names");
  });
  goldens.forEach((c, i) => {
    it(
      c,
      async () => {
        const text = readFileSync(join(FIXTURES, c, "pipeline.mmd"), "utf8");
        const graph = JSON.parse(readFileSync(join(FIXTURES, c, "graph.json"), "utf8")) as GraphIR;
        const out = await render(text, `g${i}`);
        expect(out.tags).toEqual([]);
        for (const n of graph.nodes) expect(out.text).toContain(n.name);
        for (const d of graph.datasets) expect(out.text).toContain(d.name);
      },
      30_000,
    );
  });
  it("a graph of hostile names (node names included) renders literally", async () => {
    const graph = hostileGraph();
    const out = await render(emitMermaid(graph), "hostile");
    expect(out.tags).toEqual([]);
    for (const n of HOSTILE) expect(out.text).toContain(n);
  }, 30_000);
  it("a broken diagram is rejected (the check can fail)", async () => {
    await expect(render('flowchart LR\n  n0["a" b"]\n', "broken")).rejects.toThrow();
  });
});
