/**
 * pnpm compat [--versions A,B,…] [--no-write] [--timeout SECONDS]
 * Runs the SDK's journeys against several published opencode servers (each downloaded once into a
 * cache under the OS temp dir) and prints the matrix server version × feature. Without --versions it
 * measures the README's columns — outside the range, the oldest supported, the pin, the newest
 * published binary — and writes the table into packages/sdk/README.md. Exit code 1 if a cell fails.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SUPPORTED_SERVERS, satisfiesServerRange } from "../packages/sdk/src/server/support.ts";
import { runJourneys } from "./lib/compat/journeys.ts";
import { formatMatrix, replaceMatrix, type VersionRun } from "./lib/compat/matrix.ts";
import { pinnedServerVersion, ROOT } from "./lib/paths.ts";
import { fail, isMain, step } from "./lib/progress.ts";
import { opencodeBinary } from "./lib/server-binaries.ts";
import { compareVersions, platformPackage } from "./lib/versions.ts";

export const README = join(ROOT, "packages", "sdk", "README.md");

/** The oldest version outside the range that the matrix shows (what a user on an old server sees). */
const OUTSIDE = "1.15.13";
/** The newest published binary when the registry cannot be asked. */
const NEWEST_KNOWN = "1.19.5";

/** The newest release of this platform's server package (newer servers ship only as that package). */
async function newestBinary(): Promise<string> {
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile("npm", ["view", platformPackage(), "versions", "--json", "--loglevel=error"], { timeout: 120_000 }, (e, out) =>
      e ? reject(e) : resolve(out),
    ),
  );
  const releases = (JSON.parse(stdout) as string[]).filter((v) => /^\d+\.\d+\.\d+$/.test(v)).sort(compareVersions);
  const newest = releases[releases.length - 1];
  if (!newest) throw new Error(`no release of ${platformPackage()}`);
  return newest;
}

/**
 * The README's columns: one outside the range, the oldest supported, the last of the oldest minor
 * line, the pin and the newest published binary (asked of the registry).
 *
 * @example
 * ```ts
 * const columns = await defaultColumns(); // [{ version: "1.15.13", label: "outside the range" }, …]
 * ```
 */
export async function defaultColumns(newest?: string): Promise<{ version: string; label?: string }[]> {
  const pin = pinnedServerVersion();
  let latest = newest ?? NEWEST_KNOWN;
  if (!newest) {
    try {
      latest = await newestBinary();
    } catch (error) {
      process.stderr.write(`(registry not asked: ${(error as Error).message}; newest known: ${latest})\n`);
    }
  }
  const columns = [
    { version: OUTSIDE, label: "outside the range" },
    { version: "1.17.0", label: "oldest supported" },
    { version: "1.17.19" },
    { version: pin, label: "pin" },
    { version: latest, label: satisfiesServerRange(latest, SUPPORTED_SERVERS) ? "newest" : "newest, outside the range" },
  ];
  const seen = new Set<string>();
  return columns.filter((c) => !seen.has(c.version) && seen.add(c.version)).sort((a, b) => compareVersions(a.version, b.version));
}

/**
 * Measures each version and returns its column.
 *
 * @example
 * ```ts
 * const runs = await measure([{ version: "1.18.33", label: "pin" }]);
 * ```
 */
export async function measure(columns: { version: string; label?: string }[], timeoutMs?: number): Promise<VersionRun[]> {
  const runs: VersionRun[] = [];
  for (const { version, label } of columns) {
    const binary = await step(`opencode ${version}: binary`, () => opencodeBinary(version));
    const results = await step(`opencode ${version}: journeys`, () =>
      runJourneys(version, binary, {
        ...(timeoutMs ? { timeoutMs } : {}),
        onResult: (r) => process.stderr.write(`  ${r.status.padEnd(11)} ${r.feature}${r.detail ? ` (${r.detail})` : ""}\n`),
      }),
    );
    runs.push({ version, ...(label ? { label } : {}), results });
  }
  return runs;
}

async function main(argv: string[]): Promise<number> {
  let versions: string[] | undefined;
  let write = true;
  let timeoutMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--versions") versions = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (arg === "--no-write") write = false;
    else if (arg === "--timeout") timeoutMs = Number(argv[++i]) * 1000;
    else throw new Error(`unknown argument ${arg}\nusage: pnpm compat [--versions A,B,…] [--no-write] [--timeout SECONDS]`);
  }
  const columns = versions ? versions.map((version) => ({ version })) : await defaultColumns();
  const runs = await measure(columns, timeoutMs);
  const table = formatMatrix(runs);
  process.stdout.write(`supported: ${SUPPORTED_SERVERS}\n\n${table}\n`);
  if (write && !versions) {
    await writeFile(README, replaceMatrix(await readFile(README, "utf8"), table));
    process.stderr.write(`written to ${README}\n`);
  }
  return runs.some((r) => r.results.some((x) => x.status === "fails")) ? 1 : 0;
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    })
    .catch(fail);
}
