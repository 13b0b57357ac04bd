/**
 * The browser check: bundle the page from the consumer's root entry with esbuild for the browser,
 * open it in Debian's headless Chromium (driven by playwright-core, no browser download), read the
 * page's result from the DOM and take a screenshot.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import type { StepRecord } from "./steps.ts";

/** Debian's chromium package puts it here (.ci/run installs it when missing). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags that work on this machine's closed network (see the environment notes). */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Bundles `<dir>/page.mjs` to `<dir>/page.js` for the browser; a failure lists esbuild's errors,
 * e.g. each Node builtin the root entry reaches.
 *
 * @example
 * ```ts
 * const { bytes } = await bundlePage(consumer.dir);
 * ```
 */
export async function bundlePage(dir: string): Promise<{ bytes: number; inputs: string[] }> {
  try {
    const result = await build({
      entryPoints: [join(dir, "page.mjs")],
      outfile: join(dir, "page.js"),
      absWorkingDir: dir,
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      sourcemap: true,
      metafile: true,
      logLevel: "silent",
    });
    const output = result.metafile.outputs["page.js"];
    return { bytes: output?.bytes ?? 0, inputs: Object.keys(result.metafile.inputs) };
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    if (!errors) throw error;
    const lines = errors.map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`);
    throw new Error(`esbuild --platform=browser failed with ${errors.length} errors:\n${lines.join("\n")}`);
  }
}

/** What the page showed. */
export interface PageResult {
  readonly version: string;
  /** The page's own step records, parsed from #result. */
  readonly steps: StepRecord[];
  /** Console errors and uncaught page errors, for the failure report. */
  readonly console: string[];
  readonly screenshot: Buffer;
}

/**
 * Opens `url` in headless Chromium, waits (generously) until the page says it is done, then reads
 * its result and screenshots it.
 *
 * @example
 * ```ts
 * const result = await runPage(`${origin}/index.html#baseUrl=…`, ".tmp/runtimes/chromium.png");
 * ```
 */
export async function runPage(url: string, screenshotPath: string, timeoutMs = 90_000): Promise<PageResult> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get update && apt-get install -y chromium (.ci/run does this)`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const messages: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 640 } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") messages.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => messages.push(`pageerror: ${e.stack ?? e.message}`));
    page.on("requestfailed", (r) => messages.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
    await page.goto(url);
    try {
      await page.waitForFunction(() => document.body.dataset.state === "done", null, { timeout: timeoutMs });
    } catch {
      const shown = await page.textContent("body").catch(() => "");
      throw new Error(`the page did not finish within ${timeoutMs} ms; it shows: ${shown}\n${messages.join("\n")}`);
    }
    const text = (await page.textContent("#result")) ?? "";
    const screenshot = await page.screenshot({ path: screenshotPath, fullPage: false });
    let steps: StepRecord[];
    try {
      steps = JSON.parse(text) as StepRecord[];
    } catch {
      steps = [{ step: "(page result)", ok: false, ms: 0, error: `#result is not JSON: ${text.slice(0, 500)}` }];
    }
    return { version: browser.version(), steps, console: messages, screenshot };
  } finally {
    await browser.close();
  }
}
