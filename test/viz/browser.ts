// Real headless Chromium for the viz tests (Debian's `chromium` + playwright-core). When it is
// missing the suite says so loudly and fails, unless MLC_SKIP_BROWSER=1 outside CI.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.MLC_CHROMIUM || "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Skip (loudly) only when asked to and not under CI. */
export const SKIP_BROWSER = !HAVE_CHROMIUM && process.env.MLC_SKIP_BROWSER === "1" && process.env.CI !== "true";
export const WHY_NO_BROWSER =
  `Chromium not found at ${CHROMIUM}: the viz tests need a real browser. Install it with ` +
  "`apt-get install -y chromium` (scripts/setup-test-env.sh does), or set MLC_CHROMIUM=/path; " +
  "MLC_SKIP_BROWSER=1 skips these tests outside CI.";

if (!HAVE_CHROMIUM)
  console.error(`\n*** viz tests: ${WHY_NO_BROWSER}${SKIP_BROWSER ? " SKIPPING (MLC_SKIP_BROWSER=1)." : ""}\n`);

/** Launches headless Chromium, or throws why it cannot. */
export async function launchBrowser(): Promise<Browser> {
  if (!HAVE_CHROMIUM) throw new Error(WHY_NO_BROWSER);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export interface OpenedPage {
  readonly page: Page;
  /** Console errors and uncaught page errors. */
  readonly errors: string[];
  /** Requests to anything but the page itself (file:// pages must make none). */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Opens `url` in a fresh context; for file:// pages every non-file request is aborted and recorded. */
export async function openPage(
  browser: Browser,
  url: string,
  opts: { width?: number; height?: number } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1400, height: opts.height ?? 820 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const offline = url.startsWith("file:");
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (offline && !u.startsWith("file:")) {
      requests.push(u);
      return route.abort();
    }
    return route.continue();
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector("body[data-ready='1']", { timeout: 60_000 });
  return { page, errors, requests, close: () => context.close() };
}

/** Saves a screenshot under test-results/viz/ (git-ignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(process.cwd(), "test-results", "viz");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
