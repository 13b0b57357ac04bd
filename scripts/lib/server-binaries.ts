/**
 * opencode server binaries of any published version, for the compatibility runs: the pinned one from
 * node_modules, any other from this platform's package (`npm pack opencode-linux-x64@<v>`: it exists
 * for versions whose opencode-ai wrapper is not published here), kept in a cache dir under the OS
 * temp dir and reused by later runs.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { resolveOpencodeBinary } from "../../packages/sdk/src/server/spawn.ts";
import { pinnedServerVersion, ROOT } from "./paths.ts";
import { platformPackage } from "./versions.ts";

const run = promisify(execFile);

/** Where downloaded binaries are kept (`OCSDK_SERVER_CACHE` overrides). */
export function serverCacheDir(): string {
  return process.env.OCSDK_SERVER_CACHE ?? join(tmpdir(), "ocsdk-opencode-servers");
}

/**
 * The path of an opencode binary reporting `version`: the pinned one, or one unpacked from the
 * platform package into the cache (downloaded once; concurrent callers each unpack into their own
 * temp dir and the first rename wins).
 *
 * @example
 * ```ts
 * const binary = await opencodeBinary("1.17.19");
 * await using server = await spawnServer({ binary });
 * ```
 */
export async function opencodeBinary(version: string): Promise<string> {
  if (version === pinnedServerVersion()) return resolveOpencodeBinary("pinned", ROOT);
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`not a server version: ${JSON.stringify(version)}`);
  const cache = serverCacheDir();
  const dir = join(cache, `${platformPackage()}-${version}`);
  const binary = join(dir, "package", "bin", process.platform === "win32" ? "opencode.exe" : "opencode");
  if (!existsSync(binary)) {
    await mkdir(cache, { recursive: true });
    const work = await mkdtemp(join(cache, ".unpack-"));
    try {
      const spec = `${platformPackage()}@${version}`;
      const { stdout } = await run("npm", ["pack", spec, "--pack-destination", work, "--loglevel=error"], {
        timeout: 600_000,
        maxBuffer: 16 * 1024 * 1024,
      }).catch((error: { stderr?: string; message: string }) => {
        throw new Error(`npm pack ${spec} failed: ${(error.stderr ?? error.message).trim().split("\n").slice(-3).join(" ")}`);
      });
      const tarball = stdout.trim().split("\n").pop() as string;
      await run("tar", ["xzf", join(work, tarball), "-C", work]);
      await rm(join(work, tarball));
      await rename(work, dir).catch((error: NodeJS.ErrnoException) => {
        // Another run unpacked the same version first: use its copy.
        if (!existsSync(binary)) throw error;
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const { stdout } = await run(binary, ["--version"], { timeout: 60_000 });
  if (stdout.trim() !== version) throw new Error(`${binary} reports ${stdout.trim()}, not ${version}`);
  return binary;
}
