/**
 * upgrade-server as a transaction, run for real as a CLI: a version without a binary for this
 * platform is refused before anything happens, and SIGINT at each step (sent by the command's
 * own test hook, OCSDK_UPGRADE_SIGNAL_AT=N, once the step's child or server is up) leaves no
 * changed file, no process and no temp dir.
 */
import { execFile, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../lib/paths.ts";
import { MANAGED_PATHS } from "../upgrade-server.ts";

const run = promisify(execFile);
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
/** Published, with a binary, and not the pin: the lockfile step has work to do. */
const TARGET = "1.18.32";

let tmp: string;
let prefix: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ocsdk-interrupt-"));
  // One install of the target per run, shared by every case (the command reuses it).
  prefix = join(tmp, "opencode");
  await mkdir(prefix);
  await run("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", `opencode-ai@${TARGET}`], {
    timeout: 300_000,
  });
}, 320_000);
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Hash of every managed file and `git status`: what a run must leave exactly as it was. */
async function repoState(): Promise<string> {
  const hash = createHash("sha256");
  const walk = async (p: string): Promise<void> => {
    const entries = await readdir(p, { withFileTypes: true }).catch(() => undefined);
    if (!entries) {
      hash.update(p).update(await readFile(p).catch(() => Buffer.from("(missing)")));
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) await walk(join(p, e.name));
  };
  for (const rel of MANAGED_PATHS) await walk(join(ROOT, rel));
  const { stdout } = await run("git", ["status", "--porcelain"], { cwd: ROOT });
  return `${hash.digest("hex")}\n${stdout}`;
}

/** Live processes (zombies excluded) whose environment carries `marker`. */
async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!(await readFile(`/proc/${entry}/environ`, "utf8")).includes(marker)) continue;
      if ((await readFile(`/proc/${entry}/stat`, "utf8")).split(") ")[1]?.startsWith("Z")) continue;
      pids.push(Number(entry));
    } catch {
      /* gone while we looked */
    }
  }
  return pids;
}

/** Runs the CLI with a private TMPDIR and a marker; resolves when it exited. */
async function upgrade(args: string[], env: Record<string, string> = {}) {
  const marker = `ocsdk-interrupt-${randomUUID()}`;
  const ownTmp = join(tmp, `t-${randomUUID()}`);
  await mkdir(ownTmp);
  const child = spawn(TSX, [join(ROOT, "scripts", "upgrade-server.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, TMPDIR: ownTmp, TSX_DISABLE_CACHE: "1", OCSDK_TEST_MARKER: marker },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  return { code, output, marker, ownTmp };
}

async function expectNothingLeft(r: { marker: string; ownTmp: string; output: string }) {
  // Children are gone when the command exits; allow the kernel a moment to reap them.
  const deadline = Date.now() + 20_000;
  let left = await processesWith(r.marker);
  while (left.length && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 200));
    left = await processesWith(r.marker);
  }
  expect(left, r.output).toEqual([]);
  // tsx-<uid> is tsx's own per-user dir (IPC pipe, cache) of the tsx this test launches.
  const entries = (await readdir(r.ownTmp)).filter((e) => !/^tsx-/.test(e));
  expect(entries, r.output).toEqual([]);
}

describe("upgrade-server refuses what cannot run here", () => {
  it("a version published without a linux binary fails up front, touching nothing", async () => {
    const before = await repoState();
    const r = await upgrade(["1.17.20"]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /opencode-ai@1\.17\.20 was published without a binary for this platform \(no opencode-linux-x64@1\.17\.20\)/,
    );
    expect(r.output).not.toContain("[2]");
    expect(await repoState()).toBe(before);
    await expectNothingLeft(r);
  });
});

// Concurrent: each case redoes the steps before its own, so one at a time would take minutes.
describe.concurrent("SIGINT at each step leaves nothing behind", () => {
  // Steps 1–7: the registry look-up (npm child), the workspace copy, the install check (binary
  // child), the lockfile (pnpm child), the pull (in-process server), the generator (in-process),
  // the fixture recorder (a child that starts servers of its own).
  const STEPS = [1, 2, 3, 4, 5, 6, 7];
  for (const n of STEPS) {
    it(`step ${n}`, async () => {
      const before = await repoState();
      const r = await upgrade([TARGET, "--dry-run", "--skip-contract"], {
        OCSDK_UPGRADE_SIGNAL_AT: String(n),
        OCSDK_UPGRADE_PREINSTALLED: prefix,
      });
      expect(r.output).toContain(`test hook: SIGINT at step ${n}\n`);
      expect(r.output).toContain(`▸ [${n}] `);
      expect(r.output).not.toContain(`▸ [${n + 1}] `);
      expect(r.code, r.output).toBe(130);
      expect(r.output).toContain("interrupted: every file restored");
      expect(await repoState()).toBe(before);
      await expectNothingLeft(r);
    }, 400_000);
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
