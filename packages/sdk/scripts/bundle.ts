/**
 * Bundles a snippet that imports the SDK from this repository's sources, the way an app's bundler
 * would (esbuild, minified, ESM): `@ocsdk/sdk`, `@ocsdk/sdk/operations` and `@ocsdk/client` map to
 * their sources, and `#default-transport` is picked from packages/sdk/package.json `imports` by the
 * platform's conditions (dist paths mapped back to src). Used by the size bench and the browser test.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const SDK_PACKAGE = root("packages/sdk/package.json");
const ENTRIES: Record<string, string> = {
  "@ocsdk/sdk": root("packages/sdk/src/index.ts"),
  "@ocsdk/sdk/operations": root("packages/sdk/src/operations.ts"),
  "@ocsdk/sdk/node": root("packages/sdk/src/node.ts"),
  "@ocsdk/client": root("packages/client/src/index.ts"),
};

/** What a bundle came to. */
export interface BundleResult {
  code: string;
  minBytes: number;
  gzipBytes: number;
  /** Every module that went into the bundle (source paths, or `node:…` for builtins). */
  inputs: string[];
  /** Minified bytes each module contributes to the output, largest first. */
  modules: [path: string, bytes: number][];
}

function sources(platform: "browser" | "node"): Plugin {
  return {
    name: "ocsdk-sources",
    setup(b) {
      b.onResolve({ filter: /^@ocsdk\// }, (args) => (ENTRIES[args.path] ? { path: ENTRIES[args.path] } : undefined));
      b.onResolve({ filter: /^#default-transport$/ }, () => {
        const map = JSON.parse(readFileSync(SDK_PACKAGE, "utf8")).imports["#default-transport"] as Record<string, string>;
        const target = (platform === "node" ? map.node : undefined) ?? (map.default as string);
        return { path: root(`packages/sdk/${target.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts")}`) };
      });
    },
  };
}

/**
 * Bundles `code` (an ES module importing the SDK) for a platform.
 *
 * @example
 * ```ts
 * const { gzipBytes } = await bundle('import { createOpencodeClient } from "@ocsdk/sdk"; console.log(createOpencodeClient);');
 * ```
 */
export async function bundle(
  code: string,
  options: { platform?: "browser" | "node"; format?: "esm" | "iife"; minify?: boolean } = {},
): Promise<BundleResult> {
  const platform = options.platform ?? "browser";
  const result = await build({
    stdin: { contents: code, resolveDir: root("packages/sdk"), loader: "ts", sourcefile: "entry.ts" },
    bundle: true,
    write: false,
    metafile: true,
    minify: options.minify ?? true,
    format: options.format ?? "esm",
    platform,
    target: "es2022",
    logLevel: "silent",
    plugins: [sources(platform)],
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error("esbuild wrote nothing");
  return {
    code: out.text,
    minBytes: out.contents.byteLength,
    gzipBytes: gzipSync(out.contents, { level: 9 }).byteLength,
    inputs: Object.keys(result.metafile.inputs),
    modules: Object.entries(Object.values(result.metafile.outputs)[0]?.inputs ?? {})
      .map(([path, { bytesInOutput }]): [string, number] => [path, bytesInOutput])
      .sort((a, b) => b[1] - a[1]),
  };
}
