// Bundles page.js for browsers into dist/page.js.
import { build } from "esbuild";

/**
 * @param {{ outfile?: string, external?: string[], alias?: Record<string, string> }} [options]
 */
export async function buildPage({ outfile = new URL("dist/page.js", import.meta.url).pathname, external = [], alias = {} } = {}) {
  return build({
    entryPoints: [new URL("page.js", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile,
    external,
    alias,
    metafile: true,
    logLevel: "warning",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildPage();
