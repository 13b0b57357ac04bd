/**
 * pnpm upgrade-server <version> | --latest | --list  [--dry-run] [--force] [--keep-temp] [--skip-contract]
 *
 * Moves the SDK to another opencode-ai version in one command, as a transaction:
 *   refuse a version without a binary for this platform → copy the workspace to a temp dir →
 *   install that version there (npm) → move the pin and resolve the lockfile in the copy → pull
 *   its spec → print the classified diff → regenerate → re-record the SSE fixtures → build the
 *   client, typecheck the wrapper → changeset → contract tests → apply: replace the repository's
 *   files from the copy at once, install, and check the pinned binary now reports the version.
 *
 * Nothing in the repository changes before the last step. A failed check stops the apply
 * (unless --force); a failure or SIGINT/SIGTERM at any point stops every child process group,
 * puts every replaced file back and removes the temp dirs (TMPDIR of every child points inside).
 * --dry-run never applies. Exit code: 0 when every step passed, 1 when one failed, 130 on a signal.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { resolveOpencodeBinary, spawnServer } from "../packages/sdk/src/server/spawn.ts";
import { generate } from "./generate.ts";
import { writeChangeset } from "./lib/changeset.ts";
import { formatRowChanges, matrixRowsChanged, matrixRowsLine } from "./lib/compat/matrix.ts";
import { pinnedServerVersion, ROOT, syncTestingAssets, tsNode } from "./lib/paths.ts";
import { fail, formatMs, isMain, step } from "./lib/progress.ts";
import { fetchSpec, normalizeSpec, readSpecFile } from "./lib/spec.ts";
import { diffSpecs, formatDiff, type SpecDiff } from "./lib/spec-diff.ts";
import { type FileChange, InterruptedError, Transaction } from "./lib/transaction.ts";
import { lookUpVersions, platformPackage } from "./lib/versions.ts";

const PNPM = ["-y", "pnpm@10.34.8"];
const BIN = join(ROOT, "node_modules", ".bin");
const runFile = promisify(execFile);

/** Parsed command line of `pnpm upgrade-server`. */
export interface UpgradeOptions {
  /** Exact version, or `"latest"` (the newest installable one), or `""` with `list`. */
  version: string;
  dryRun: boolean;
  keepTemp: boolean;
  skipContract: boolean;
  /** Apply even when a check (build, typecheck, fixtures, contract) failed, to fix the wrapper in place. */
  force: boolean;
  /** Only print the installable versions. */
  list: boolean;
}

const USAGE = "usage: pnpm upgrade-server <version> | --latest | --list  [--dry-run] [--force] [--keep-temp] [--skip-contract]";

/**
 * Parses the command line.
 *
 * @example
 * ```ts
 * parseUpgradeArgs(["1.19.0", "--dry-run"]); // { version: "1.19.0", dryRun: true, keepTemp: false, skipContract: false, force: false, list: false }
 * ```
 */
export function parseUpgradeArgs(argv: string[]): UpgradeOptions {
  const opts: UpgradeOptions = { version: "", dryRun: false, keepTemp: false, skipContract: false, force: false, list: false };
  let latest = false;
  for (const arg of argv) {
    if (arg === "--dry-run") opts.dryRun = true;
    else if (arg === "--keep-temp") opts.keepTemp = true;
    else if (arg === "--skip-contract") opts.skipContract = true;
    else if (arg === "--force") opts.force = true;
    else if (arg === "--list") opts.list = true;
    else if (arg === "--latest") latest = true;
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else if (opts.version) throw new Error(`one version only (got ${opts.version} and ${arg})\n${USAGE}`);
    else opts.version = arg;
  }
  if ([opts.list, latest, opts.version !== ""].filter(Boolean).length !== 1) throw new Error(USAGE);
  if (latest) opts.version = "latest";
  // An exact version: the pin is exact, and a range would make the diff unrepeatable.
  if (!opts.list && !latest && !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(opts.version)) {
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

/** Repository paths an upgrade may rewrite (files, or directories compared file by file). */
export const MANAGED_PATHS = [
  "package.json",
  "pnpm-lock.yaml",
  "openapi/opencode.openapi.json",
  "packages/client/src/generated",
  "packages/sdk/src/generated/operations.gen.ts",
  ".changeset",
  "packages/client/test/fixtures/sse",
] as const;

async function readBytesTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.set(relative(dir, full), await readFile(full));
    }
  };
  await walk(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT" && error.code !== "ENOTDIR") throw error;
  });
  return out;
}

/**
 * The file changes that make `target` equal `source` on the managed paths.
 *
 * @example
 * ```ts
 * const changes = await planChanges(tempWorkspace, ROOT); // [{ path: ".../package.json", content: <Buffer> }, …]
 * ```
 */
export async function planChanges(
  source: string,
  target: string,
  paths: readonly string[] = MANAGED_PATHS,
): Promise<FileChange[]> {
  const changes: FileChange[] = [];
  for (const rel of paths) {
    const from = await readBytesTree(join(source, rel));
    const to = await readBytesTree(join(target, rel));
    const single = async (root: string) => readFile(join(root, rel)).catch(() => undefined);
    if (from.size === 0 && to.size === 0) {
      // A plain file (readBytesTree reads directories only).
      const a = await single(source);
      const b = await single(target);
      if (a && (!b || !a.equals(b))) changes.push({ path: join(target, rel), content: a });
      else if (!a && b) changes.push({ path: join(target, rel), content: null });
      continue;
    }
    for (const [file, content] of from) {
      const now = to.get(file);
      if (!now?.equals(content)) changes.push({ path: join(target, rel, file), content });
    }
    for (const file of to.keys()) if (!from.has(file)) changes.push({ path: join(target, rel, file), content: null });
  }
  return changes;
}

interface StepResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Tool output without colour codes (vitest colours its report even into a pipe when asked to). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every colour code
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");

/** Last lines of a tool's output, for the report of a failed step. */
const tail = (text: string, n = 25) =>
  text
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("npm warn"))
    .slice(-n)
    .join("\n");

/**
 * Test hook: `OCSDK_UPGRADE_SIGNAL_AT=N` sends SIGINT to this process while step N runs (once
 * its child process or server is up), so tests interrupt each step deterministically.
 */
function signalHook() {
  const at = Number(process.env.OCSDK_UPGRADE_SIGNAL_AT ?? 0);
  let current = 0;
  let fired = false;
  return {
    enter(n: number): void {
      current = n;
    },
    point(): void {
      if (fired || current !== at) return;
      fired = true;
      process.stderr.write(`test hook: SIGINT at step ${current}\n`);
      process.kill(process.pid, "SIGINT");
    },
  };
}

/** The version in the committed (HEAD) package.json, the base an upgrade's changeset describes. */
async function committedPin(): Promise<string> {
  try {
    const { stdout } = await runFile("git", ["show", "HEAD:package.json"], { cwd: ROOT });
    return (JSON.parse(stdout) as { devDependencies: Record<string, string> }).devDependencies["opencode-ai"] ?? "";
  } catch {
    return pinnedServerVersion();
  }
}

/** Copies a directory as committed (HEAD) into `dest`; false when git cannot tell. */
async function gitFiles(dir: string, dest: string): Promise<boolean> {
  try {
    const { stdout } = await runFile("git", ["ls-tree", "-r", "--name-only", "HEAD", `${dir}/`], { cwd: ROOT });
    const names = stdout.split("\n").filter(Boolean);
    if (!names.length) return false;
    await mkdir(dest, { recursive: true });
    for (const name of names) {
      const { stdout: text } = await runFile("git", ["show", `HEAD:${name}`], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
      await writeFile(join(dest, relative(dir, name)), text);
    }
    return true;
  } catch {
    return false;
  }
}

/** Upgrade changesets (`upgrade-opencode-*.md`) git does not track: left by an earlier, uncommitted upgrade. */
async function staleUpgradeChangesets(dir: string): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^upgrade-opencode-.*\.md$/.test(n));
  let tracked = new Set<string>();
  try {
    const { stdout } = await runFile("git", ["ls-files", ".changeset"], { cwd: ROOT });
    tracked = new Set(stdout.split("\n").map((l) => l.replace(/^\.changeset\//, "")));
  } catch {
    /* not a git checkout: nothing counts as stale */
    return [];
  }
  return names.filter((n) => !tracked.has(n));
}

/** Published versions installable here, for `--list`. */
async function listVersions(): Promise<void> {
  const { installable } = await lookUpVersions();
  const pinned = pinnedServerVersion();
  process.stdout.write(
    `opencode-ai versions with a ${platformPackage()} binary (newest first):\n${installable
      .map((v) => `  ${v}${v === pinned ? "  (pinned)" : ""}`)
      .join("\n")}\n`,
  );
}

/** Result of {@link upgradeServer}. */
export interface UpgradeResult {
  ok: boolean;
  version: string;
  diff?: SpecDiff;
  results: StepResult[];
  applied: boolean;
}

/**
 * Runs the whole upgrade as one transaction (see the file comment). Throws when a step that
 * later steps depend on fails (nothing changed then) and {@link InterruptedError} on a signal.
 *
 * @example
 * ```ts
 * const { ok } = await upgradeServer(parseUpgradeArgs(["1.19.0", "--dry-run"]));
 * ```
 */
export async function upgradeServer(opts: UpgradeOptions): Promise<UpgradeResult> {
  if (opts.list) {
    await listVersions();
    return { ok: true, version: "", results: [], applied: false };
  }
  const tx = await Transaction.start("ocsdk-upgrade-");
  try {
    const result = await runUpgrade(tx, opts);
    // Applied (or nothing to apply): a signal from here on must not undo it.
    await tx.commit({ keep: opts.keepTemp });
    if (opts.keepTemp) process.stdout.write(`  temp dir kept: ${tx.dir}\n`);
    return result;
  } catch (error) {
    const restored = await tx.abort();
    // The testing package's copies follow the restored originals.
    if (restored > 0) syncTestingAssets();
    if (tx.interrupted) {
      process.stderr.write(
        `interrupted: every file restored (${restored} replaced file(s) put back), every child process stopped, temp dirs removed\n`,
      );
      throw new InterruptedError(tx.interrupted);
    }
    throw error;
  }
}

async function runUpgrade(tx: Transaction, opts: UpgradeOptions): Promise<UpgradeResult> {
  const started = performance.now();
  const hook = signalHook();
  const from = pinnedServerVersion();
  const results: StepResult[] = [];
  /**
   * One numbered step: stops at once after a signal. `inside` steps call hook.point() themselves.
   * Numbers are fixed (a skipped step keeps its number), so [12] is always the apply.
   */
  const stage = async <T>(
    n: number,
    label: string,
    fn: () => Promise<T>,
    inside = false,
    passed?: (result: T) => boolean,
  ): Promise<T> => {
    tx.check();
    hook.enter(n);
    return step(
      `[${n}] ${label}`,
      async () => {
        if (!inside) hook.point();
        const out = await fn();
        tx.check();
        return out;
      },
      passed,
    );
  };
  /** Runs a child; the test hook fires once it spawned, or once its output matches `trigger`. */
  const exec = (cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv, trigger?: RegExp) =>
    tx.exec(cmd, args, {
      cwd,
      ...(env ? { env } : {}),
      ...(trigger ? { onOutput: (out: string) => trigger.test(stripAnsi(out)) && hook.point() } : { onSpawn: hook.point }),
    });
  const check = async (
    n: number,
    name: string,
    cmd: string,
    args: string[],
    cwd: string,
    env?: NodeJS.ProcessEnv,
    trigger?: RegExp,
  ) => {
    // One verdict per step: a child that exits non-zero is this step's ✗, printed once.
    const r = await stage(
      n,
      name,
      () => exec(cmd, args, cwd, env, trigger),
      true,
      (out) => out.ok,
    );
    results.push({ name, ok: r.ok, detail: r.ok ? "" : tail(r.output) });
    if (!r.ok) process.stderr.write(`  last lines of its output:\n${tail(r.output).replace(/^/gm, "    ")}\n`);
    return r.ok;
  };

  // 1. refuse up front what cannot run here
  const version = await stage(1, "look up published versions with a binary for this platform (npm view)", async () => {
    const { published, installable } = await lookUpVersions();
    const want = opts.version === "latest" ? installable[0] : opts.version;
    if (!want) throw new Error(`no published opencode-ai version has a ${platformPackage()} binary`);
    if (!published.includes(want)) {
      throw new Error(`opencode-ai@${want} is not a published version (see pnpm upgrade-server --list)`);
    }
    if (!installable.includes(want)) {
      throw new Error(
        `opencode-ai@${want} was published without a binary for this platform (no ${platformPackage()}@${want}); pick another version (pnpm upgrade-server --list)`,
      );
    }
    return want;
  });
  process.stderr.write(
    `upgrade-server: opencode-ai ${from} → ${version}${opts.dryRun ? " (dry run: no file in the repository changes)" : ""}\n`,
  );

  // 2. everything below works on a temp copy
  const ws = join(tx.dir, "workspace");
  await stage(2, "copy the workspace to a temp dir", () => copyWorkspace(ROOT, ws));
  const committed = await readSpecFile(join(ws, "openapi", "opencode.openapi.json"));
  const committedText = await readFile(join(ws, "openapi", "opencode.openapi.json"), "utf8");

  // 3. the server itself, installed apart from the workspace
  const preinstalled = process.env.OCSDK_UPGRADE_PREINSTALLED;
  const prefix = preinstalled || join(tx.dir, "opencode");
  const binary = join(prefix, "node_modules", "opencode-ai", "bin", "opencode.exe");
  await stage(
    3,
    `install opencode-ai@${version} into a temp dir (npm)`,
    async () => {
      if (preinstalled) hook.point();
      else {
        await mkdir(prefix, { recursive: true });
        const r = await exec("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", `opencode-ai@${version}`], prefix);
        if (!r.ok) throw new Error(`npm install opencode-ai@${version} failed:\n${tail(r.output)}`);
      }
      const v = await tx.exec(binary, ["--version"], { cwd: prefix });
      if (!v.ok) throw new Error(`opencode-ai@${version} installed, but its binary does not run:\n${tail(v.output, 5)}`);
      if (v.output.trim() !== version) throw new Error(`the installed binary reports ${v.output.trim()}, expected ${version}`);
    },
    true,
  );

  // 4. the pin and the lockfile, resolved in a minimal copy (pnpm never touches node_modules)
  const pkgPath = join(ws, "package.json");
  await writeFile(pkgPath, setPinnedVersion(await readFile(pkgPath, "utf8"), version));
  await stage(
    4,
    `move the pin to ${version} and resolve the lockfile (pnpm --lockfile-only)`,
    async () => {
      if (version === from) {
        hook.point();
        return;
      }
      const lockDir = join(tx.dir, "lock");
      const files = ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc"];
      for (const pkg of await readdir(join(ws, "packages"))) files.push(join("packages", pkg, "package.json"));
      for (const f of files) await cp(join(ws, f), join(lockDir, f)).catch(() => {});
      const r = await exec("npx", [...PNPM, "install", "--lockfile-only", "--ignore-scripts"], lockDir);
      if (!r.ok) throw new Error(`pnpm install --lockfile-only failed:\n${tail(r.output)}`);
      const lock = await readFile(join(lockDir, "pnpm-lock.yaml"), "utf8");
      if (!lock.includes(`opencode-ai@${version}:`)) throw new Error(`the new lockfile does not resolve opencode-ai@${version}`);
      await writeFile(join(ws, "pnpm-lock.yaml"), lock);
    },
    true,
  );

  // 5. its spec, from the server itself
  const pulled = await stage(
    5,
    `pull the spec from opencode ${version}`,
    async () => {
      const server = await spawnServer({ binary });
      try {
        hook.point();
        tx.check();
        const doc = await fetchSpec(server.url, { username: server.username, password: server.password });
        return { doc, version: server.version };
      } finally {
        await server.close();
      }
    },
    true,
  );
  const specText = normalizeSpec(pulled.doc, pulled.version);
  const specPath = join(ws, "openapi", "opencode.openapi.json");
  await writeFile(specPath, specText);
  // The testing package's copy follows (its contract tests read it in step 11).
  syncTestingAssets(ws);

  // the diff, printed on stdout
  const diff = diffSpecs(committed, JSON.parse(specText));
  process.stdout.write(`\n${formatDiff(diff, { limit: 80 })}\n${formatRowChanges(matrixRowsChanged(diff))}`);
  if (opts.keepTemp) {
    const full = join(tx.dir, `spec-diff-${from}-${version}.json`);
    await writeFile(full, `${JSON.stringify(diff, null, 2)}\n`);
    process.stdout.write(`full diff (JSON): ${full}\n`);
  }
  if (committedText === specText) process.stderr.write("  the spec is byte-identical to the committed one\n");

  // 6. regenerate (8. and 9. build the client and typecheck the wrapper)
  await stage(6, "regenerate the client and the operation table", () =>
    generate(
      specPath,
      join(ws, "packages", "client", "src", "generated"),
      join(ws, "packages", "sdk", "src", "generated", "operations.gen.ts"),
    ),
  );
  // 7. SSE fixtures, recorded from the temp-installed server (early: only the binary is needed)
  const env: NodeJS.ProcessEnv = { ...process.env, OCSDK_OPENCODE_BINARY: binary };
  // Back on the committed version, the committed fixtures are the baseline a re-recording keeps.
  const base = await committedPin();
  if (version === base) {
    const baseline = join(tx.dir, "fixture-baseline");
    if (await gitFiles("packages/client/test/fixtures/sse", baseline)) env.OCSDK_FIXTURE_BASELINE = baseline;
  }
  await check(
    7,
    "re-record the SSE fixtures (record-sse-fixtures)",
    ...tsNode(join(ws, "scripts", "record-sse-fixtures.ts")),
    ws,
    env,
    // The test hook interrupts while the recorder's first server starts, not before.
    /▸ record /,
  );
  const built = await check(
    8,
    "build @ocsdk/client (tsc)",
    join(BIN, "tsc"),
    ["-p", join(ws, "packages/client/tsconfig.json")],
    ws,
  );
  if (built) {
    await check(
      9,
      "typecheck the wrapper (tsc --noEmit)",
      join(BIN, "tsc"),
      ["-p", join(ws, "packages/sdk/tsconfig.json"), "--noEmit"],
      ws,
    );
  } else results.push({ name: "typecheck the wrapper (tsc --noEmit)", ok: false, detail: "skipped: the client did not build" });

  // 10. changeset: describes the move from the committed pin; stale ones of uncommitted upgrades go
  const cs = await stage(10, "write the changeset", async () => {
    const dir = join(ws, ".changeset");
    for (const name of await staleUpgradeChangesets(dir)) await rm(join(dir, name));
    if (version === base) return undefined;
    const sdkVersion = (JSON.parse(await readFile(join(ws, "packages/sdk/package.json"), "utf8")) as { version: string }).version;
    return writeChangeset(dir, { from: base, to: version, diff, currentVersion: sdkVersion });
  });
  process.stderr.write(
    cs
      ? `  ${relative(ws, cs.path)}: ${cs.bump} for @ocsdk/client and @ocsdk/sdk\n`
      : `  no changeset: ${version} is the committed pin\n`,
  );

  // 11. contract tests against the new spec and fixtures
  if (opts.skipContract) process.stderr.write("- [11] contract tests: skipped (--skip-contract)\n");
  else {
    await check(
      11,
      "contract tests (vitest --project contract)",
      join(BIN, "vitest"),
      ["run", "--project", "contract"],
      ws,
      env,
      // The test hook interrupts once a test file finished: the shared Prism mock is up by then.
      /\.test\.ts \(\d+ tests?/,
    );
  }

  // 12. apply: every managed file at once, then node_modules, then prove the pin moved
  const checksOk = results.every((r) => r.ok);
  let applied = false;
  let changed: FileChange[] = [];
  if (!opts.dryRun && (checksOk || opts.force)) {
    changed = await planChanges(ws, ROOT);
    await stage(
      12,
      `apply ${changed.length} file change(s) to the repository, install, check the pinned binary`,
      async () => {
        await tx.replaceFiles(changed, (i) => {
          if (i === Math.floor(changed.length / 2)) hook.point();
        });
        if (changed.length === 0) hook.point();
        syncTestingAssets();
        if (changed.some((c) => /(^|\/)(package\.json|pnpm-lock\.yaml)$/.test(relative(ROOT, c.path)))) {
          const r = await tx.exec("npx", [...PNPM, "install", "--frozen-lockfile"], { cwd: ROOT });
          if (!r.ok) {
            throw new Error(`pnpm install failed (files restored; run pnpm install to resync node_modules):\n${tail(r.output)}`);
          }
        }
        const pinnedEnv = { ...process.env };
        delete pinnedEnv.OCSDK_OPENCODE_BINARY;
        const saved = process.env.OCSDK_OPENCODE_BINARY;
        delete process.env.OCSDK_OPENCODE_BINARY;
        const pinnedBin = resolveOpencodeBinary("pinned", ROOT);
        if (saved !== undefined) process.env.OCSDK_OPENCODE_BINARY = saved;
        const v = await tx.exec(pinnedBin, ["--version"], { cwd: ROOT, env: pinnedEnv });
        if (v.output.trim() !== version) {
          throw new Error(`after the install the pinned binary (${pinnedBin}) reports ${v.output.trim()}, expected ${version}`);
        }
      },
      true,
    );
    applied = true;
  }

  const ok = checksOk;
  const rel = (c: FileChange) => relative(ROOT, c.path);
  const lines = [
    "",
    "upgrade summary",
    `  opencode-ai:   ${from} → ${version}${opts.dryRun ? " (dry run)" : ""}`,
    `  spec diff:     ${diff.changes.length} change(s), ${diff.breaking} breaking, ${diff.nonBreaking} non-breaking`,
    `  matrix rows:   ${matrixRowsLine(diff, version)}`,
    `  changeset:     ${cs ? `${cs.bump} (${opts.dryRun ? "in the temp copy" : relative(ws, cs.path)})` : "none (back to the committed pin)"}`,
    ...results.map((r) => `  ${r.ok ? "✓" : "✗"} ${r.name}${r.ok ? "" : `: ${r.detail.split("\n").at(-1) ?? ""}`}`),
    `  files changed: ${
      applied
        ? `${changed.length}${changed.length ? ` (${[...new Set(changed.map((c) => rel(c).split(sep).slice(0, 2).join("/")))].join(", ")})` : ""}`
        : opts.dryRun
          ? "none in the repository (dry run)"
          : "none: a check failed, nothing applied (--force applies anyway, to fix the wrapper in place)"
    }`,
    `  total time:    ${formatMs(performance.now() - started)}`,
    `  result:        ${ok ? "OK" : "FAILED (see ✗ above)"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return { ok, version, diff, results, applied };
}

if (isMain(import.meta.url)) {
  Promise.resolve()
    .then(() => upgradeServer(parseUpgradeArgs(process.argv.slice(2))))
    .then(({ ok }) => {
      process.exitCode = ok ? 0 : 1;
    })
    .catch((error: unknown) => {
      if (error instanceof InterruptedError) {
        process.stderr.write(`error: ${error.message}\n`);
        process.exit(130);
      }
      fail(error);
    });
}
