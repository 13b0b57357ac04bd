/**
 * A plain consumer project made from the packed tarballs, as a user gets it: build, `pnpm pack`
 * each published package, `npm install` the tarballs into a temp dir with no registry access.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** Root of the repository. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The published packages, by workspace dir. */
export const PUBLISHED = { "@ocsdk/client": "packages/client", "@ocsdk/sdk": "packages/sdk" } as const;

/** A consumer project ready to run the scripts of `runtimes/consumer` and the browser page. */
export interface Consumer {
  readonly dir: string;
  /** Package name → absolute tarball path. */
  readonly tarballs: Record<string, string>;
  /** Milliseconds spent building, packing and installing. */
  readonly timings: { build: number; pack: number; install: number };
}

async function run(command: string, args: string[], cwd: string, what: string): Promise<string> {
  try {
    const { stdout } = await exec(command, args, {
      cwd,
      maxBuffer: 32 * 1024 * 1024,
      timeout: 5 * 60_000,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", npm_config_update_notifier: "false" },
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${what} failed (${command} ${args.join(" ")} in ${cwd}):\n${e.stderr || e.stdout || e.message}`);
  }
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
  const pnpm = join(REPO_ROOT, "node_modules", ".bin", "pnpm");
  let t = Date.now();
  await run(pnpm, ["run", "build"], REPO_ROOT, "build");
  const build = Date.now() - t;

  const dir = await mkdtemp(join(tmpdir(), "ocsdk-consumer-"));
  const packDir = join(dir, "tarballs");
  await mkdir(packDir);
  t = Date.now();
  const tarballs: Record<string, string> = {};
  for (const [name, workspaceDir] of Object.entries(PUBLISHED)) {
    const before = new Set(await readdir(packDir));
    await run(pnpm, ["pack", "--pack-destination", packDir], join(REPO_ROOT, workspaceDir), `pnpm pack of ${name}`);
    const made = (await readdir(packDir)).filter((f) => f.endsWith(".tgz") && !before.has(f));
    if (made.length !== 1) throw new Error(`pnpm pack of ${name} made ${made.length} tarballs: ${made.join(", ")}`);
    tarballs[name] = join(packDir, made[0] as string);
  }
  const pack = Date.now() - t;

  const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
  await writeFile(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "ocsdk-consumer", private: true, type: "module", dependencies }, null, 2)}\n`,
  );
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  for (const file of ["checks.mjs", "quickstart.mjs", "node-entry.mjs"])
    await copyFile(here(`../consumer/${file}`), join(dir, file));
  for (const file of ["page.mjs", "index.html"]) await copyFile(here(`../browser/${file}`), join(dir, file));
  t = Date.now();
  await run(
    "npm",
    ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-update-notifier"],
    dir,
    "npm install of the tarballs",
  );
  const install = Date.now() - t;
  return { dir, tarballs, timings: { build, pack, install } };
}
