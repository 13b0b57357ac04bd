/**
 * Published opencode-ai versions that can run here: opencode-ai ships its binaries in per-platform
 * packages (opencode-linux-x64, …), and some versions were published without them (1.17.20).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The platform package holding the binary for this OS and CPU, as opencode-ai names it.
 *
 * @example
 * ```ts
 * platformPackage("linux", "x64"); // "opencode-linux-x64"
 * ```
 */
export function platformPackage(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  return `opencode-${os}-${arch}`;
}

/**
 * Orders semver strings (prereleases before their release), ascending. Returns <0, 0 or >0.
 *
 * @example
 * ```ts
 * ["1.18.3", "1.18.33", "1.17.19"].sort(compareVersions); // ["1.17.19", "1.18.3", "1.18.33"]
 * ```
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = "", pre] = v.split("-", 2);
    return { nums: core.split(".").map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/**
 * Versions of `published` that also have a platform binary, newest first (prereleases and
 * dev builds left out).
 *
 * @example
 * ```ts
 * installable(["1.17.19", "1.17.20", "1.18.33"], ["1.17.19", "1.18.33"]); // ["1.18.33", "1.17.19"]
 * ```
 */
export function installable(published: string[], withBinary: string[]): string[] {
  const binaries = new Set(withBinary);
  return published
    .filter((v) => binaries.has(v) && /^\d+\.\d+\.\d+$/.test(v))
    .sort(compareVersions)
    .reverse();
}

async function npmVersions(pkg: string): Promise<string[]> {
  try {
    const { stdout } = await run("npm", ["view", pkg, "versions", "--json", "--loglevel=error"], {
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const parsed = JSON.parse(stdout) as string[] | string;
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`npm view ${pkg} versions failed: ${(e.stderr ?? e.message).trim().split("\n").slice(-3).join(" ")}`);
  }
}

/**
 * Published opencode-ai versions installable on this machine, newest first: two registry
 * look-ups (opencode-ai and this platform's binary package).
 *
 * @example
 * ```ts
 * const [latest] = await installableVersions();
 * ```
 */
export async function installableVersions(): Promise<string[]> {
  return (await lookUpVersions()).installable;
}

/**
 * Both lists: every published opencode-ai version, and those installable here (newest first).
 *
 * @example
 * ```ts
 * const { published, installable } = await lookUpVersions();
 * ```
 */
export async function lookUpVersions(): Promise<{ published: string[]; installable: string[] }> {
  const [published, withBinary] = await Promise.all([npmVersions("opencode-ai"), npmVersions(platformPackage())]);
  return { published, installable: installable(published, withBinary) };
}
