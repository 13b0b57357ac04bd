/**
 * One pin, one truth: every consumer that starts "the pinned server" (pipeline, spawnServer('pinned'),
 * test kit, fixture recorder) resolves the opencode-ai the project installed, so moving the root pin
 * moves them all. Proven with a real second published version installed into a temp project.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveOpencodeBinary } from "../../packages/sdk/src/server/spawn.ts";
import { pinnedServerVersion, ROOT } from "../lib/paths.ts";

const run = promisify(execFile);
/** A published version other than the pin (the pin is 1.18.33; 1.18.32 has the same spec). */
const OTHER = pinnedServerVersion() === "1.18.32" ? "1.18.33" : "1.18.32";

async function binaryVersion(bin: string): Promise<string> {
  const { stdout } = await run(bin, ["--version"], { timeout: 60_000 });
  return stdout.trim();
}

let project: string;
beforeAll(async () => {
  // One install per run, into a temp project that pins OTHER the way the root pins its version.
  project = await mkdtemp(join(tmpdir(), "ocsdk-pin-"));
  await writeFile(
    join(project, "package.json"),
    `${JSON.stringify({ name: "pin-probe", private: true, devDependencies: { "opencode-ai": OTHER } })}\n`,
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project, timeout: 300_000 });
}, 320_000);
afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe("the pinned binary", () => {
  it("is the opencode-ai the project installed, not a copy next to the SDK", async () => {
    const env = process.env.OCSDK_OPENCODE_BINARY;
    delete process.env.OCSDK_OPENCODE_BINARY;
    try {
      const bin = resolveOpencodeBinary("pinned", project);
      expect(bin.startsWith(project)).toBe(true);
      expect(await binaryVersion(bin)).toBe(OTHER);
      // The workspace itself resolves its own pin from every package directory.
      for (const dir of [ROOT, join(ROOT, "packages", "sdk"), join(ROOT, "packages", "test-kit"), join(ROOT, "scripts")]) {
        expect(await binaryVersion(resolveOpencodeBinary("pinned", dir)), dir).toBe(pinnedServerVersion());
      }
    } finally {
      if (env !== undefined) process.env.OCSDK_OPENCODE_BINARY = env;
    }
  });

  it("is installed once in the workspace: the lockfile holds only the root pin", async () => {
    const lock = await readFile(join(ROOT, "pnpm-lock.yaml"), "utf8");
    const versions = new Set([...lock.matchAll(/^ {2}opencode-ai@([^:(]+)/gm)].map((m) => m[1]));
    expect([...versions]).toEqual([pinnedServerVersion()]);
    // No workspace package declares its own opencode-ai (a second entry pnpm would keep stale).
    for (const pkg of ["client", "sdk", "test-kit"]) {
      const json = JSON.parse(await readFile(join(ROOT, "packages", pkg, "package.json"), "utf8")) as Record<string, unknown>;
      for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
        expect(Object.keys((json[field] as object | undefined) ?? {}), `${pkg} ${field}`).not.toContain("opencode-ai");
      }
    }
  });
});
