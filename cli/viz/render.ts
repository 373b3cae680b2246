// Renders the viz page: the Nunjucks template in templates/viz with the layout library, the app
// scripts, the CSS and the data all inlined, so one HTML file works offline (no CDN, no fetch).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { VizData } from "./page-data.js";

/** Style sheets, in cascade order. */
const CSS_FILES = ["theme.css", "viz.css", "panel.css", "explore.css"];

/** Client scripts, in load order (each adds to `window.mlcViz`). */
const APP_SCRIPTS = [
  "model.js",
  "labels.js",
  "layout.js",
  "layout-fast.js",
  "draw.js",
  "preview.js",
  "panel.js",
  "pan-zoom.js",
  "sidebar.js",
  "keys.js",
  "minimap.js",
  "export.js",
  "live.js",
  "app.js",
];

/** The package root (holds package.json and templates/), from source or from dist/. */
export function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "templates"))) return dir;
    if (dirname(dir) === dir) throw new Error("mlc: cannot find the package's templates/ folder");
  }
}

/** JSON safe inside a <script> element: `<` escaped so no `</script>` or `<!--` can end it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

// Inline script text must not contain "</script"; the libraries we inline do not, but be sure.
function inlineScript(src: string): string {
  return src.replace(/<\/(script)/gi, "<\\/$1");
}

let assets: { css: string; lib: string; app: string } | null = null;

function loadAssets(root: string): { css: string; lib: string; app: string } {
  if (assets) return assets;
  const dir = join(root, "templates", "viz");
  const lib = dagreSource(root);
  const app = APP_SCRIPTS.map((f) => `// ${f}\n` + readFileSync(join(dir, f), "utf8")).join("\n;\n");
  const css = CSS_FILES.map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
  assets = { css, lib: inlineScript(lib), app: inlineScript(app) };
  return assets;
}

// dagre is a dependency; should it be missing anyway, the page still works with its own fast
// layered layout (used for big graphs regardless), so that is a fallback, not an error.
function dagreSource(root: string): string {
  try {
    const main = createRequire(join(root, "package.json")).resolve("@dagrejs/dagre");
    return readFileSync(join(dirname(main), "dagre.min.js"), "utf8");
  } catch {
    return "/* @dagrejs/dagre not installed: the page uses its built-in layered layout */";
  }
}

export interface RenderOptions {
  /** "served" pages may poll the server for changes; "file" pages are fully static. */
  readonly mode: "served" | "file";
  /** Served pages: the data version embedded, so the page reloads on any later change. */
  readonly version?: number;
}

/** The complete, self-contained HTML page for `data`. Nunjucks is loaded here, lazily. */
export async function renderPage(data: VizData, opts: RenderOptions): Promise<string> {
  const root = packageRoot();
  const { css, lib, app } = loadAssets(root);
  const nunjucks = (await import("nunjucks")).default;
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(join(root, "templates", "viz")), {
    autoescape: true,
  });
  return env.render("page.njk", {
    title: data.name,
    css,
    lib,
    app,
    dataJson: scriptJson(data),
    mode: opts.mode,
    version: opts.version ?? 0,
  });
}
