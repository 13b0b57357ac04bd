/**
 * A plain consumer project made from the packed tarballs, as a user gets it: build, `pnpm pack`
 * each published package, `npm install` the tarballs into a temp dir with no registry access.
 */
import { copyFile, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPackages, type PublishedName, packPublished, runStep } from "./pack.ts";
import { readmeQuickstart } from "./readme.ts";

export { PUBLISHED, REPO_ROOT } from "./pack.ts";

/** Installed into the consumer offline; @ocsdk/testing (Prism inside) is installed by its own acceptance test. */
const INSTALLED: readonly PublishedName[] = ["@ocsdk/client", "@ocsdk/sdk"];

/** A consumer project ready to run the scripts of `runtimes/consumer` and the browser page. */
export interface Consumer {
  readonly dir: string;
  /** Package name → absolute tarball path. */
  readonly tarballs: Record<string, string>;
  /** Milliseconds spent building, packing and installing. */
  readonly timings: { build: number; pack: number; install: number };
}

/**
 * Builds and packs the published packages into `<dir>/tarballs` and installs them into `dir`
 * with `npm install --offline`: a dependency that would need the registry fails the install.
 *
 * @example
 * ```ts
 * const consumer = await prepareConsumer(); // consumer.dir/node_modules/@ocsdk/sdk from the tarball
 * ```
 */
export async function prepareConsumer(): Promise<Consumer> {
  let t = Date.now();
  await buildPackages();
  const build = Date.now() - t;

  const dir = await mkdtemp(join(tmpdir(), "ocsdk-consumer-"));
  t = Date.now();
  const tarballs: Record<string, string> = await packPublished(join(dir, "tarballs"));
  const pack = Date.now() - t;

  const dependencies = Object.fromEntries(INSTALLED.map((name) => [name, `file:${tarballs[name]}`]));
  await writeFile(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "ocsdk-consumer", private: true, type: "module", dependencies }, null, 2)}\n`,
  );
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  for (const file of ["checks.mjs", "quickstart.mjs", "node-entry.mjs"])
    await copyFile(here(`../consumer/${file}`), join(dir, file));
  for (const file of ["page.mjs", "index.html"]) await copyFile(here(`../browser/${file}`), join(dir, file));
  // The SDK README's first block, pasted as a user would: byte for byte into an .mjs file.
  await writeFile(join(dir, "readme-quickstart.mjs"), await readmeQuickstart());
  t = Date.now();
  await runStep(
    "npm",
    ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-update-notifier"],
    dir,
    "npm install of the tarballs",
  );
  const install = Date.now() - t;
  return { dir, tarballs, timings: { build, pack, install } };
}
