/**
 * Runs the README's code blocks as they are written, each in its own Node process (tsx), with
 * `@ocsdk/sdk` pointed at this repository's source. A block that stops compiling or working, or that
 * leaves a handle open so the process cannot exit by itself, fails here.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SPEC_SERVER_VERSION } from "@ocsdk/sdk";
import { afterAll, beforeAll, expect, it } from "vitest";

const run = promisify(execFile);
const README = fileURLToPath(new URL("../../README.md", import.meta.url));
const SDK_ENTRY = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
const SDK_NODE_ENTRY = fileURLToPath(new URL("../../src/node.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ocsdk-readme-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function block(tag: string): Promise<string> {
  const text = await readFile(README, "utf8");
  const match = new RegExp(`\`\`\`ts ${tag}\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!match?.[1]) throw new Error(`README has no \`\`\`ts ${tag} block`);
  return match[1];
}

/** Runs a block; it must exit on its own (no timers, sockets or children left) within the bound. */
async function execute(tag: string): Promise<string> {
  const source = (await block(tag))
    .replaceAll('from "@ocsdk/sdk"', `from ${JSON.stringify(SDK_ENTRY)}`)
    .replaceAll('from "@ocsdk/sdk/node"', `from ${JSON.stringify(SDK_NODE_ENTRY)}`);
  const file = join(dir, `${tag}.mts`);
  await writeFile(file, source);
  const env = { ...process.env, OPENCODE_SDK_LOG: "error" };
  const { stdout } = await run(TSX, [file], { env, timeout: 90_000, killSignal: "SIGKILL" });
  return stdout;
}

it("quickstart runs and exits by itself", async () => {
  const out = (await execute("quickstart")).trim().split("\n");
  expect(out[0]).toBe(`opencode ${SPEC_SERVER_VERSION} is up`);
  expect(out[1]).toContain("renamed");
  expect(out[2]).toBe("200");
  expect(out[3]).toMatch(/^gone: 404 /);
});

it("every row of the guide mapping runs against the real server", async () => {
  const lines = (await execute("seed-mapping")).trim().split("\n");
  const result = JSON.parse(lines.at(-1) ?? "{}");
  expect(result).toMatchObject({
    version: SPEC_SERVER_VERSION,
    configured: true,
    listed: true,
    same: true,
    sentRole: "user",
    streamed: true,
    openapi: "3.1.0",
  });
  expect(typeof result.worktree).toBe("string");
  expect(typeof result.directory).toBe("string");
  expect(typeof result.providers).toBe("number");
});
