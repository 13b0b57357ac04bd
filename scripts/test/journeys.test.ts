/**
 * The journeys users run this repository for, whole, as they run them: on a git copy of this
 * checkout with its own install, `pnpm record-fixtures` (every scenario), `pnpm upgrade-server
 * <older> --dry-run`, and a real upgrade to an older published version and back to the pin. Each
 * must exit 0, and leave `git status` as it found it where the journey promises that.
 *
 * These start one opencode server after another on whatever port the OS gives, so they meet what a
 * quiet machine shows (a stream or a call on a connection left over from the server before).
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pinnedServerVersion, ROOT, tsNode } from "../lib/paths.ts";
import { compareVersions, lookUpVersions } from "../lib/versions.ts";

const run = promisify(execFile);
const PNPM = ["-y", "pnpm@10.34.8"];
// Every opencode process these journeys start inherits this marker.
const MARKER = `ocsdk-journeys-${randomUUID()}`;

let tmp: string;
let repo: string;
let older: string;
const pin = pinnedServerVersion();

/** Runs a script of the copy as `pnpm <script>` runs it; never rejects on the exit code. */
async function script(name: string, args: string[] = []) {
  try {
    const { stdout, stderr } = await run(...tsNode(join(repo, "scripts", name), args, repo), {
      cwd: repo,
      env: { ...process.env, OCSDK_TEST_MARKER: MARKER, OCSDK_OPENCODE_BINARY: "" },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 1_500_000,
    });
    return { code: 0, out: `${stdout}\n${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ""}\n${e.stderr ?? ""}` };
  }
}

const gitStatus = async () => (await run("git", ["status", "--porcelain"], { cwd: repo })).stdout;

/** The version the copy's pinned binary reports. */
async function pinnedBinaryVersion(): Promise<string> {
  const bin = join(repo, "node_modules", "opencode-ai", "bin", "opencode.exe");
  return (await run(bin, ["--version"])).stdout.trim();
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ocsdk-journeys-"));
  repo = join(tmp, "repo");
  // The checkout as it is (tracked and new files, not ignored ones), committed in a repository of its own.
  const { stdout } = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const rel of stdout.split("\0").filter(Boolean)) {
    await mkdir(join(repo, dirname(rel)), { recursive: true });
    // A file deleted in the working tree but still in the index is not part of the checkout.
    await cp(join(ROOT, rel), join(repo, rel)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    });
  }
  const git = (...args: string[]) =>
    run("git", ["-c", "user.name=test", "-c", "user.email=test@ocsdk.local", "-c", "commit.gpgsign=false", ...args], {
      cwd: repo,
    });
  await git("init", "-q");
  await git("add", "-A");
  await git("commit", "-q", "-m", "copy");
  // Its own node_modules: the real upgrade re-installs there.
  await run("npx", [...PNPM, "install", "--frozen-lockfile", "--prefer-offline"], {
    cwd: repo,
    env: { ...process.env, CI: "true" },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  const { installable } = await lookUpVersions();
  const below = installable.filter((v) => compareVersions(v, pin) < 0);
  if (!below[0]) throw new Error(`no published opencode-ai version with a binary below the pin ${pin}`);
  older = below[0];
}, 900_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("journeys", () => {
  it("pnpm record-fixtures records every scenario and leaves git status clean", { timeout: 900_000 }, async () => {
    const r = await script("record-sse-fixtures.ts");
    expect(r.code, r.out).toBe(0);
    expect(await gitStatus()).toBe("");
  });

  it("pnpm upgrade-server <the published version before the pin> --dry-run passes every step", {
    timeout: 1_500_000,
  }, async () => {
    const r = await script("upgrade-server.ts", [older, "--dry-run"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/result: +OK/);
    expect(r.out).not.toMatch(/✗/);
    expect(await gitStatus()).toBe("");
  });

  it("pnpm upgrade-server to an older version and back: each applies, the binary follows, git status ends clean", {
    timeout: 3_000_000,
  }, async () => {
    const down = await script("upgrade-server.ts", [older]);
    expect(down.code, down.out).toBe(0);
    expect(await pinnedBinaryVersion()).toBe(older);
    expect(await gitStatus()).toMatch(/package\.json/);

    const back = await script("upgrade-server.ts", [pin]);
    expect(back.code, back.out).toBe(0);
    expect(await pinnedBinaryVersion()).toBe(pin);
    expect(await gitStatus()).toBe("");
  });
});
