/**
 * upgrade-server as a transaction, run for real as a CLI on a git copy of this repository (never
 * the checkout itself): a version without a binary for this platform is refused before anything
 * happens, and a real SIGINT at each of the 12 steps (sent by the command's own test hook,
 * OCSDK_UPGRADE_SIGNAL_AT=N, once the step's child or server is up) leaves the copy's
 * `git status` and managed files as they were, no process of the run and nothing in its TMPDIR.
 */
import { execFile, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { homedir, tmpdir, userInfo } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, tsNode } from "../lib/paths.ts";
import { copyWorkspace, MANAGED_PATHS } from "../upgrade-server.ts";

const run = promisify(execFile);
/** Published, with a binary, and not the pin: the lockfile step has work to do. */
const TARGET = "1.18.32";
/** Package caches the runs share (content-addressed, safe for concurrent use): npx's pnpm, pnpm's metadata. */
const NPM_CACHE = process.env.npm_config_cache || join(homedir(), ".npm");
const PNPM_CACHE = process.env.npm_config_cache_dir || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pnpm");

let tmp: string;
let prefix: string;
/** A committed git copy of the workspace; each run gets its own copy of it. */
let template: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ocsdk-interrupt-"));
  // One install of the target per run, shared by every case (the command reuses it).
  prefix = join(tmp, "opencode");
  await mkdir(prefix);
  const install = run(
    "npm",
    ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", `opencode-ai@${TARGET}`],
    { timeout: 300_000 },
  );
  template = join(tmp, "template");
  await copyWorkspace(ROOT, template);
  const git = (...args: string[]) =>
    run("git", ["-c", "user.name=test", "-c", "user.email=test@ocsdk.local", "-c", "commit.gpgsign=false", ...args], {
      cwd: template,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: tmp },
    });
  await git("init", "-q");
  await git("add", "-A");
  await git("commit", "-q", "-m", "copy");
  await install;
}, 320_000);
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Hash of every managed file and `git status` (ignored files too): what a run must leave as it was. */
async function repoState(repo: string): Promise<string> {
  const hash = createHash("sha256");
  const walk = async (p: string): Promise<void> => {
    const entries = await readdir(p, { withFileTypes: true }).catch(() => undefined);
    if (!entries) {
      hash.update(relative(repo, p)).update(await readFile(p).catch(() => Buffer.from("(missing)")));
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) await walk(join(p, e.name));
  };
  for (const rel of MANAGED_PATHS) await walk(join(repo, rel));
  const { stdout } = await run("git", ["status", "--porcelain", "--ignored", "--untracked-files=all"], { cwd: repo });
  return `${hash.digest("hex")}\n${stdout}`;
}

/** Every path under `dir`, sorted. */
async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      out.push(relative(dir, join(d, e.name)) + (e.isDirectory() ? "/" : ""));
      if (e.isDirectory()) await walk(join(d, e.name));
    }
  };
  await walk(dir);
  return out.sort();
}

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks since boot: a pid with another start time is another process. */
  start: number;
  zombie: boolean;
}

/** Now, in the clock ticks of /proc/<pid>/stat's start time (USER_HZ is 100 on Linux). */
async function ticksNow(): Promise<number> {
  const uptime = Number((await readFile("/proc/uptime", "utf8")).split(" ")[0]);
  return Math.floor(uptime * 100) - 1;
}

async function readProcs(): Promise<Map<number, Proc>> {
  const procs = new Map<number, Proc>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid pgrp … field 22 starttime; comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields.length < 20) continue;
    procs.set(Number(entry), {
      pid: Number(entry),
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      start: Number(fields[19]),
      zombie: fields[0] === "Z",
    });
  }
  return procs;
}

/**
 * What one run started: its process group and every descendant seen while it ran (pid with its
 * start time, and its process group: the command's children lead groups of their own). One scan
 * of /proc every 200 ms serves every run of this file.
 */
class RunProcesses {
  static readonly #active = new Set<RunProcesses>();
  static #scanning: Promise<void> | undefined;
  readonly seen = new Map<number, number>();
  readonly groups = new Set<number>();

  /** `rootStart`: clock ticks since boot, taken before the run was spawned. */
  constructor(
    readonly root: number,
    readonly rootStart: number,
  ) {
    this.groups.add(root);
    RunProcesses.#active.add(this);
    RunProcesses.#scanning ??= RunProcesses.#scan();
  }

  /** Stops watching (the run exited). */
  stop(): void {
    RunProcesses.#active.delete(this);
  }

  static async #scan(): Promise<void> {
    // Bounded: ends as soon as no run is watched.
    while (RunProcesses.#active.size) {
      const procs = await readProcs();
      for (const watch of RunProcesses.#active) watch.#add(procs);
      await new Promise((r) => setTimeout(r, 200));
    }
    RunProcesses.#scanning = undefined;
  }

  #add(procs: Map<number, Proc>): void {
    const root = procs.get(this.root);
    if (root && root.start >= this.rootStart && !this.seen.has(root.pid)) this.seen.set(root.pid, root.start);
    let grew = true;
    while (grew) {
      grew = false;
      for (const p of procs.values()) {
        if (this.seen.has(p.pid) || !this.seen.has(p.ppid) || p.start < this.rootStart) continue;
        this.seen.set(p.pid, p.start);
        this.groups.add(p.pgid);
        grew = true;
      }
    }
  }

  /**
   * Live processes of the run: a descendant seen while it ran, a member of one of its process
   * groups, or (for what was never seen: started and orphaned between two scans) one carrying
   * the run's environment marker. Only processes started after the run are considered.
   */
  async left(marker: string): Promise<Proc[]> {
    const out: Proc[] = [];
    for (const p of (await readProcs()).values()) {
      if (p.zombie || p.start < this.rootStart) continue;
      if (this.seen.get(p.pid) === p.start || this.groups.has(p.pgid)) {
        out.push(p);
        continue;
      }
      const env = await readFile(`/proc/${p.pid}/environ`, "utf8").catch(() => "");
      if (env.includes(marker)) out.push(p);
    }
    return out;
  }
}

/** Runs the CLI of a fresh copy of the template with its own TMPDIR, HOME and XDG dirs; resolves when it exited. */
async function upgrade(args: string[], env: Record<string, string> = {}) {
  const marker = `ocsdk-interrupt-${randomUUID()}`;
  const caseDir = join(tmp, `case-${randomUUID()}`);
  const repo = join(caseDir, "repo");
  const home = join(caseDir, "home");
  const ownTmp = join(caseDir, "tmp");
  await cp(template, repo, { recursive: true, verbatimSymlinks: true });
  await mkdir(home);
  // tsx's own per-user dir (its IPC pipe), made up front so that the listing compares exactly.
  await mkdir(join(ownTmp, `tsx-${userInfo().uid}`), { recursive: true });
  const before = await repoState(repo);
  const tmpBefore = await listTree(ownTmp);
  const started = await ticksNow();
  // As the package.json scripts run it: no tsx CLI relaying the signal.
  const child = spawn(...tsNode(join(repo, "scripts", "upgrade-server.ts"), args, repo), {
    cwd: repo,
    env: {
      ...process.env,
      ...env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_DATA_HOME: join(home, ".local", "share"),
      XDG_STATE_HOME: join(home, ".local", "state"),
      XDG_CACHE_HOME: join(home, ".cache"),
      npm_config_cache: NPM_CACHE,
      npm_config_cache_dir: PNPM_CACHE,
      npm_config_update_notifier: "false",
      GIT_CONFIG_NOSYSTEM: "1",
      TMPDIR: ownTmp,
      TSX_DISABLE_CACHE: "1",
      OCSDK_TEST_MARKER: marker,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, as a shell job would be.
    detached: true,
  });
  const procs = new RunProcesses(child.pid as number, started);
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  procs.stop();
  return { code, output, marker, repo, ownTmp, before, tmpBefore, procs };
}

type Run = Awaited<ReturnType<typeof upgrade>>;

async function expectNothingLeft(r: Run) {
  // Children are gone when the command exits; allow the kernel a moment to reap them.
  const deadline = Date.now() + 20_000;
  let left = await r.procs.left(r.marker);
  while (left.length && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 200));
    left = await r.procs.left(r.marker);
  }
  expect(left, r.output).toEqual([]);
  expect(await listTree(r.ownTmp), r.output).toEqual(r.tmpBefore);
  expect(await repoState(r.repo), r.output).toBe(r.before);
  await rm(join(r.repo, ".."), { recursive: true, force: true });
}

describe("upgrade-server refuses what cannot run here", () => {
  it("a version published without a linux binary fails up front, touching nothing", async () => {
    const r = await upgrade(["1.17.20"]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /opencode-ai@1\.17\.20 was published without a binary for this platform \(no opencode-linux-x64@1\.17\.20\)/,
    );
    expect(r.output).not.toContain("[2]");
    await expectNothingLeft(r);
  });
});

/**
 * The steps, each with what the signal interrupts. Steps 8–12 only start after 1–7 completed,
 * so every case records one fixture scenario (the real recorder, OCSDK_FIXTURE_SCENARIOS) and
 * skips the contract tests except the case that interrupts them; step numbers stay fixed.
 */
const STEPS: { n: number; what: string; args: string[] }[] = [
  { n: 1, what: "the registry look-up (npm child)", args: ["--dry-run", "--skip-contract"] },
  { n: 2, what: "the workspace copy (in process)", args: ["--dry-run", "--skip-contract"] },
  { n: 3, what: "the install check (the binary's --version)", args: ["--dry-run", "--skip-contract"] },
  { n: 4, what: "the lockfile (pnpm child)", args: ["--dry-run", "--skip-contract"] },
  { n: 5, what: "the pull (a server of its own)", args: ["--dry-run", "--skip-contract"] },
  { n: 6, what: "the generator (in process)", args: ["--dry-run", "--skip-contract"] },
  { n: 7, what: "the fixture recorder (a child starting servers)", args: ["--dry-run", "--skip-contract"] },
  { n: 8, what: "the client build (tsc child)", args: ["--dry-run", "--skip-contract"] },
  { n: 9, what: "the wrapper typecheck (tsc child)", args: ["--dry-run", "--skip-contract"] },
  { n: 10, what: "the changeset (in process)", args: ["--dry-run", "--skip-contract"] },
  { n: 11, what: "the contract tests (vitest child and its Prism, once a file finished)", args: ["--dry-run"] },
  { n: 12, what: "the apply, halfway through replacing the repository's files", args: ["--skip-contract"] },
];

// Concurrent (vitest runs 5 at a time), longest first: each case redoes the steps before its own.
describe.concurrent("SIGINT at each step leaves nothing behind", () => {
  for (const { n, what, args } of [...STEPS].reverse()) {
    it(`step ${n}: ${what}`, async () => {
      const r = await upgrade([TARGET, ...args], {
        OCSDK_UPGRADE_SIGNAL_AT: String(n),
        OCSDK_UPGRADE_PREINSTALLED: prefix,
        OCSDK_FIXTURE_SCENARIOS: "text",
      });
      expect(r.output).toContain(`test hook: SIGINT at step ${n}\n`);
      expect(r.output).toContain(`▸ [${n}] `);
      const entered = [...r.output.matchAll(/^(?:▸|-) \[(\d+)\] /gm)].map((m) => Number(m[1]));
      expect(Math.max(...entered), r.output).toBe(n);
      expect(r.code, r.output).toBe(130);
      const restored = /interrupted: every file restored \((\d+) replaced file\(s\) put back\)/.exec(r.output);
      expect(restored, r.output).not.toBeNull();
      // Only the apply replaces files in the repository; it was stopped with some replaced.
      if (n === 12) expect(Number(restored?.[1])).toBeGreaterThan(0);
      else expect(Number(restored?.[1])).toBe(0);
      await expectNothingLeft(r);
    }, 1_800_000);
  }
});

describe("upgrade-server --list", () => {
  it("lists installable versions newest first, without those lacking a binary", async () => {
    const r = await upgrade(["--list"]);
    expect(r.code, r.output).toBe(0);
    const versions = [...r.output.matchAll(/^ {2}(\d+\.\d+\.\d+)/gm)].map((m) => m[1] as string);
    expect(versions).toContain("1.18.33");
    expect(versions).toContain("1.18.32");
    expect(versions).toContain("1.15.13");
    expect(versions).not.toContain("1.17.20");
    expect(versions.indexOf("1.18.33")).toBeLessThan(versions.indexOf("1.18.32"));
    expect(versions.indexOf("1.18.3")).toBeGreaterThan(versions.indexOf("1.18.29"));
    await expectNothingLeft(r);
  });
});
