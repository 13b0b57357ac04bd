/**
 * pnpm upgrade-server <version> [--dry-run] [--keep-temp] [--skip-contract]
 *
 * Moves the SDK to another opencode-ai version in one command:
 *   install it into the pin → pull its spec → print the classified diff against the committed
 *   spec → regenerate the client → build it and typecheck the wrapper → write a changeset →
 *   re-record the SSE fixtures → run the contract tests → summary.
 *
 * --dry-run changes no file in the repository: the version is installed with npm into a temp
 * dir and every later step runs on a temp copy of the workspace (its node_modules linked).
 * Exit code: 0 when every step passed, 1 when one failed (later checks still run, so the
 * summary says everything that broke).
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { spawnServer } from "../packages/sdk/src/server/spawn.ts";
import { generate } from "./generate.ts";
import { writeChangeset } from "./lib/changeset.ts";
import { pinnedServerVersion, ROOT, SPEC_PATH } from "./lib/paths.ts";
import { fail, formatMs, isMain, step } from "./lib/progress.ts";
import { fetchSpec, normalizeSpec, readSpecFile } from "./lib/spec.ts";
import { diffSpecs, formatDiff, type SpecDiff } from "./lib/spec-diff.ts";

const run = promisify(execFile);
const PNPM = ["-y", "pnpm@10.34.8"];
const BIN = join(ROOT, "node_modules", ".bin");

/** Parsed command line of `pnpm upgrade-server`. */
export interface UpgradeOptions {
  version: string;
  dryRun: boolean;
  keepTemp: boolean;
  skipContract: boolean;
}

const USAGE = "usage: pnpm upgrade-server <version> [--dry-run] [--keep-temp] [--skip-contract]";

/**
 * Parses the command line.
 *
 * @example
 * ```ts
 * parseUpgradeArgs(["1.19.0", "--dry-run"]); // { version: "1.19.0", dryRun: true, keepTemp: false, skipContract: false }
 * ```
 */
export function parseUpgradeArgs(argv: string[]): UpgradeOptions {
  const opts: UpgradeOptions = { version: "", dryRun: false, keepTemp: false, skipContract: false };
  for (const arg of argv) {
    if (arg === "--dry-run") opts.dryRun = true;
    else if (arg === "--keep-temp") opts.keepTemp = true;
    else if (arg === "--skip-contract") opts.skipContract = true;
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else if (opts.version) throw new Error(`one version only (got ${opts.version} and ${arg})\n${USAGE}`);
    else opts.version = arg;
  }
  if (!opts.version) throw new Error(USAGE);
  // An exact version: the pin is exact, and a range would make the diff unrepeatable.
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(opts.version)) {
    throw new Error(`${JSON.stringify(opts.version)} is not an exact version like 1.18.33\n${USAGE}`);
  }
  return opts;
}

/**
 * Returns package.json text with devDependencies["opencode-ai"] set to `version`,
 * touching only that value so formatting and key order stay.
 *
 * @example
 * ```ts
 * setPinnedVersion('{"devDependencies":{"opencode-ai":"1.0.0"}}', "1.1.0"); // '{"devDependencies":{"opencode-ai":"1.1.0"}}'
 * ```
 */
export function setPinnedVersion(packageJson: string, version: string): string {
  const parsed = JSON.parse(packageJson) as { devDependencies?: Record<string, string> };
  const current = parsed.devDependencies?.["opencode-ai"];
  if (current === undefined) throw new Error("package.json has no devDependencies['opencode-ai'] to move");
  const start = packageJson.indexOf('"devDependencies"');
  const at = packageJson.indexOf('"opencode-ai"', start);
  const next = packageJson.slice(at).replace(/^("opencode-ai"\s*:\s*)"[^"]*"/, `$1${JSON.stringify(version)}`);
  const out = packageJson.slice(0, at) + next;
  if ((JSON.parse(out) as typeof parsed).devDependencies?.["opencode-ai"] !== version) {
    throw new Error("could not rewrite the opencode-ai pin in package.json");
  }
  return out;
}

/** Top-level entries never copied into a dry-run workspace (node_modules is linked instead). */
const SKIP_TOP = new Set([".git", "node_modules", ".turbo", "coverage", ".tmp", ".vitest-results.json"]);

/**
 * Copies the workspace to `dest` for a dry run: sources, configs and package-level
 * node_modules (pnpm's relative symlinks keep working), with the root node_modules linked.
 *
 * @example
 * ```ts
 * await copyWorkspace(ROOT, await mkdtemp(join(tmpdir(), "ws-")));
 * ```
 */
export async function copyWorkspace(from: string, dest: string): Promise<void> {
  await cp(from, dest, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => {
      const rel = relative(from, src);
      if (rel === "") return true;
      const top = rel.split(sep)[0] as string;
      return !SKIP_TOP.has(top);
    },
  });
  await symlink(join(from, "node_modules"), join(dest, "node_modules"), "dir");
}

interface StepResult {
  name: string;
  ok: boolean;
  detail: string;
}

async function exec(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` || e.message };
  }
}

/** Last lines of a tool's output, for the report of a failed step. */
const tail = (text: string, n = 25) =>
  text
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("npm warn"))
    .slice(-n)
    .join("\n");

/**
 * Runs the whole upgrade. Returns the diff and the step results; throws only when a step
 * that later steps depend on (install, pull) fails.
 *
 * @example
 * ```ts
 * const { ok } = await upgradeServer({ version: "1.19.0", dryRun: true, keepTemp: false, skipContract: false });
 * ```
 */
export async function upgradeServer(opts: UpgradeOptions): Promise<{ ok: boolean; diff: SpecDiff; results: StepResult[] }> {
  const started = performance.now();
  const from = pinnedServerVersion();
  const results: StepResult[] = [];
  const temp = await mkdtemp(join(tmpdir(), "ocsdk-upgrade-"));
  process.stderr.write(
    `upgrade-server: opencode-ai ${from} → ${opts.version}${opts.dryRun ? " (dry run: no file in the repository changes)" : ""}\n`,
  );
  try {
    await step(`check that opencode-ai@${opts.version} is published`, async () => {
      const r = await exec("npm", ["view", `opencode-ai@${opts.version}`, "version"], ROOT);
      // npm's own warnings share the output: look for the exact version on a line of its own.
      if (!r.ok || !r.output.split("\n").some((l) => l.trim() === opts.version)) {
        throw new Error(`opencode-ai@${opts.version} is not a published version (npm view: ${tail(r.output, 3) || "no match"})`);
      }
    });

    const ws = opts.dryRun ? join(temp, "workspace") : ROOT;
    if (opts.dryRun) await step("copy the workspace to a temp dir", () => copyWorkspace(ROOT, ws));

    const committedText = await readFile(SPEC_PATH, "utf8");
    const committed = await readSpecFile(SPEC_PATH);

    // 1. install into the pin
    let binary: string;
    const pkgPath = join(ws, "package.json");
    const pkgBefore = await readFile(pkgPath, "utf8");
    if (opts.dryRun) {
      const prefix = join(temp, "opencode");
      await step(`install opencode-ai@${opts.version} into a temp dir (npm)`, async () => {
        const r = await exec(
          "npm",
          ["install", "--prefix", prefix, "--no-audit", "--no-fund", `opencode-ai@${opts.version}`],
          temp,
        );
        if (!r.ok) throw new Error(`npm install failed:\n${tail(r.output)}`);
      });
      binary = join(prefix, "node_modules", "opencode-ai", "bin", "opencode.exe");
      await writeFile(pkgPath, setPinnedVersion(pkgBefore, opts.version));
    } else {
      await step(`pin opencode-ai@${opts.version} in package.json and install (pnpm)`, async () => {
        await writeFile(pkgPath, setPinnedVersion(pkgBefore, opts.version));
        const r = await exec("npx", [...PNPM, "install"], ROOT);
        if (!r.ok) {
          await writeFile(pkgPath, pkgBefore);
          throw new Error(`pnpm install failed (package.json restored; run pnpm install to resync):\n${tail(r.output)}`);
        }
      });
      binary = join(ROOT, "node_modules", "opencode-ai", "bin", "opencode.exe");
    }

    // 2. pull its spec from the server itself
    const pulled = await step(`pull the spec from opencode ${opts.version}`, async () => {
      const server = await spawnServer({ binary });
      try {
        if (server.version !== opts.version) {
          throw new Error(`the installed server reports version ${server.version}, expected ${opts.version}`);
        }
        const doc = await fetchSpec(server.url, { username: server.username, password: server.password });
        return { doc, version: server.version };
      } finally {
        await server.close();
      }
    });
    const specText = normalizeSpec(pulled.doc, pulled.version);
    const specPath = join(ws, "openapi", "opencode.openapi.json");
    await writeFile(specPath, specText);

    // 3. the diff, printed on stdout
    const diff = diffSpecs(committed, JSON.parse(specText));
    process.stdout.write(`\n${formatDiff(diff, { limit: 80 })}\n`);
    if (opts.keepTemp) {
      const full = join(temp, `spec-diff-${from}-${opts.version}.json`);
      await writeFile(full, `${JSON.stringify(diff, null, 2)}\n`);
      process.stdout.write(`full diff (JSON): ${full}\n`);
    }
    if (committedText === specText) process.stderr.write("  the spec is byte-identical to the committed one\n");

    // 4. regenerate, build the client, typecheck the wrapper
    await generate(
      specPath,
      join(ws, "packages", "client", "src", "generated"),
      join(ws, "packages", "sdk", "src", "core", "operations.gen.ts"),
    );
    const check = async (name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv) => {
      const r = await step(name, async () => exec(cmd, args, ws, env));
      results.push({ name, ok: r.ok, detail: r.ok ? "" : tail(r.output) });
      if (!r.ok) process.stderr.write(`  ✗ ${name} failed:\n${tail(r.output).replace(/^/gm, "    ")}\n`);
      return r.ok;
    };
    const built = await check("build @ocsdk/client (tsc)", join(BIN, "tsc"), ["-p", join(ws, "packages/client/tsconfig.json")]);
    if (built)
      await check("typecheck the wrapper (tsc --noEmit)", join(BIN, "tsc"), [
        "-p",
        join(ws, "packages/sdk/tsconfig.json"),
        "--noEmit",
      ]);
    else results.push({ name: "typecheck the wrapper (tsc --noEmit)", ok: false, detail: "skipped: the client did not build" });

    // 5. changeset
    const sdkVersion = (JSON.parse(await readFile(join(ws, "packages/sdk/package.json"), "utf8")) as { version: string }).version;
    const cs = await step("write the changeset", () =>
      writeChangeset(join(ws, ".changeset"), { from, to: opts.version, diff, currentVersion: sdkVersion }),
    );
    process.stderr.write(`  ${relative(ws, cs.path)}: ${cs.bump} for @ocsdk/client and @ocsdk/sdk\n`);

    // 6. SSE fixtures (the recorder starts the pinned server: in a dry run, the temp-installed one)
    const pkg = JSON.parse(await readFile(pkgPath, "utf8")) as { scripts?: Record<string, string> };
    const fixtureEnv = { ...process.env, ...(opts.dryRun ? { OCSDK_OPENCODE_BINARY: binary } : {}) };
    if (pkg.scripts?.["record-fixtures"]) {
      await check("re-record the SSE fixtures (pnpm record-fixtures)", "npx", [...PNPM, "run", "record-fixtures"], fixtureEnv);
    } else {
      process.stderr.write("- re-record the SSE fixtures: skipped (no record-fixtures script in package.json)\n");
    }

    // 7. contract tests against the new spec
    if (opts.skipContract) process.stderr.write("- contract tests: skipped (--skip-contract)\n");
    else await check("contract tests (vitest --project contract)", join(BIN, "vitest"), ["run", "--project", "contract"]);

    const ok = results.every((r) => r.ok);
    const lines = [
      "",
      "upgrade summary",
      `  opencode-ai:   ${from} → ${opts.version}${opts.dryRun ? " (dry run)" : ""}`,
      `  spec diff:     ${diff.changes.length} change(s), ${diff.breaking} breaking, ${diff.nonBreaking} non-breaking`,
      `  changeset:     ${cs.bump} (${opts.dryRun ? "in the temp copy" : relative(ROOT, cs.path)})`,
      ...results.map((r) => `  ${r.ok ? "✓" : "✗"} ${r.name}${r.ok ? "" : `: ${r.detail.split("\n").at(-1) ?? ""}`}`),
      `  files changed: ${opts.dryRun ? "none in the repository" : "package.json, pnpm-lock.yaml, openapi/, packages/client/src/generated/, .changeset/ (+ fixtures)"}`,
      `  total time:    ${formatMs(performance.now() - started)}`,
      `  result:        ${ok ? "OK" : "FAILED (see ✗ above)"}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    if (opts.keepTemp) process.stdout.write(`  temp dir kept: ${temp}\n`);
    return { ok, diff, results };
  } finally {
    if (!opts.keepTemp) await rm(temp, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  Promise.resolve()
    .then(() => upgradeServer(parseUpgradeArgs(process.argv.slice(2))))
    .then(({ ok }) => {
      process.exitCode = ok ? 0 : 1;
    })
    .catch(fail);
}
