/**
 * Packing the published packages, as a release does: one place for the runtime matrix and the
 * testing package's own tarball acceptance (packages/testing/test/e2e/packed-user-app.test.ts).
 */
import { execFile } from "node:child_process";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** Root of the repository. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The published packages, by workspace dir. */
export const PUBLISHED = {
  "@ocsdk/client": "packages/client",
  "@ocsdk/sdk": "packages/sdk",
  "@ocsdk/testing": "packages/testing",
} as const;

/** A published package's name. */
export type PublishedName = keyof typeof PUBLISHED;

/**
 * Runs a command in `cwd`; a failure throws naming the step, the command and its output.
 *
 * @example
 * ```ts
 * await runStep("npm", ["install"], dir, "npm install of the tarballs");
 * ```
 */
export async function runStep(command: string, args: string[], cwd: string, what: string, env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout } = await exec(command, args, {
      cwd,
      maxBuffer: 32 * 1024 * 1024,
      timeout: 5 * 60_000,
      killSignal: "SIGKILL",
      env: { ...env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", npm_config_update_notifier: "false" },
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${what} failed (${command} ${args.join(" ")} in ${cwd}):\n${e.stderr || e.stdout || e.message}`);
  }
}

/**
 * Builds every package (turbo: a cache hit when nothing changed).
 *
 * @example
 * ```ts
 * await buildPackages();
 * ```
 */
export async function buildPackages(): Promise<void> {
  await runStep(join(REPO_ROOT, "node_modules", ".bin", "pnpm"), ["run", "build"], REPO_ROOT, "build");
}

/**
 * `pnpm pack`s each published package into `packDir` (made if missing), as a release would: pnpm
 * turns `workspace:` ranges into versions. Build first ({@link buildPackages}).
 *
 * @example
 * ```ts
 * const tarballs = await packPublished(dir); // { "@ocsdk/sdk": "<dir>/ocsdk-sdk-0.1.0.tgz", … }
 * ```
 */
export async function packPublished(packDir: string): Promise<Record<PublishedName, string>> {
  const pnpm = join(REPO_ROOT, "node_modules", ".bin", "pnpm");
  await mkdir(packDir, { recursive: true });
  const tarballs: Partial<Record<PublishedName, string>> = {};
  for (const [name, workspaceDir] of Object.entries(PUBLISHED) as [PublishedName, string][]) {
    const before = new Set(await readdir(packDir));
    await runStep(pnpm, ["pack", "--pack-destination", packDir], join(REPO_ROOT, workspaceDir), `pnpm pack of ${name}`);
    const made = (await readdir(packDir)).filter((f) => f.endsWith(".tgz") && !before.has(f));
    if (made.length !== 1) throw new Error(`pnpm pack of ${name} made ${made.length} tarballs: ${made.join(", ")}`);
    tarballs[name] = join(packDir, made[0] as string);
  }
  return tarballs as Record<PublishedName, string>;
}
