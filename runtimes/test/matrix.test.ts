/**
 * The runtime matrix: the packed tarballs, installed by npm into a plain consumer project, run the
 * quickstart and an event subscription on Node 20/22/24, Bun and Deno, plus the Node-only subpath
 * on each Node, and in headless Chromium from a page bundled for the browser, all against one real
 * `opencode serve` (pinned binary, isolated HOME/XDG, --pure, password, loopback, --cors the page).
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { SPEC_SERVER_VERSION } from "@ocsdk/sdk";
import { type RunningServer, resolveOpencodeBinary, spawnServer } from "@ocsdk/sdk/node";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { requireConsumer } from "../global-setup.ts";
import { bundlePage, runPage } from "../lib/browser.ts";
import { REPO_ROOT } from "../lib/consumer.ts";
import { installRuntime } from "../lib/install.ts";
import { type PageServer, startPageServer } from "../lib/page-server.ts";
import { decodePng, pixelStats } from "../lib/png.ts";
import { runConsumer } from "../lib/run.ts";
import { assertConsumerPassed, type ConsumerRun, formatTimings } from "../lib/steps.ts";
import { NODE_20, PINNED_RUNTIMES, type RuntimeSpec } from "../versions.ts";

const exec = promisify(execFile);
const setup = inject("runtimesConsumer");

/** What consumer/checks.mjs must report, in the test's own words: a step it drops fails here. */
const QUICKSTART_STEPS = ["client", "health", "create", "list", "events", "delete", "auth", "close"];
const NODE_ENTRY_STEPS = ["import", "import-node", "resolve-binary", "spawn", "node-fetch", "attach", "close"];
/** The page's PASS banner (#1a7f37), looked for in the screenshot. */
const PASS_GREEN = [0x1a, 0x7f, 0x37] as const;

let server: RunningServer;
let pages: PageServer;
let projectDir: string;
let homeDir: string;
const summary: string[] = [];

beforeAll(async () => {
  const consumer = requireConsumer(setup);
  pages = await startPageServer(consumer.dir);
  projectDir = await mkdtemp(join(tmpdir(), "ocsdk-rt-project-"));
  homeDir = await mkdtemp(join(tmpdir(), "ocsdk-rt-home-"));
  server = await spawnServer({ cwd: projectDir, extraArgs: ["--pure", "--cors", pages.origin], startTimeoutMs: 100_000 });
});

afterAll(async () => {
  await server?.close();
  await pages?.close();
  if (projectDir) await rm(projectDir, { recursive: true, force: true });
  if (homeDir) await rm(homeDir, { recursive: true, force: true });
  if (summary.length) console.log(`runtime matrix:\n${summary.map((l) => `  ${l}`).join("\n")}`);
});

function commandLine(spec: RuntimeSpec, script: string): string[] {
  switch (spec.kind) {
    case "node":
      return [script];
    case "bun":
      return ["--no-install", script];
    case "deno":
      // What a Deno user grants a network client: loopback and the env defaults, no prompts.
      return ["run", "--allow-net=127.0.0.1", "--allow-env", "--no-prompt", script];
  }
}

async function versionOf(bin: string): Promise<string> {
  const { stdout } = await exec(bin, ["--version"]);
  return stdout.split("\n")[0]?.trim() ?? "";
}

function consumerEnv(label: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: homeDir,
    TMPDIR: tmpdir(),
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    OCSDK_RT_BASE_URL: server.url,
    OCSDK_RT_PASSWORD: server.password ?? "",
    OCSDK_RT_LABEL: label,
    // For spawnServer in node-entry.mjs: the consumer does not install opencode-ai.
    OCSDK_OPENCODE_BINARY: resolveOpencodeBinary("pinned"),
  };
}

function record(run: ConsumerRun): void {
  const ok = run.exitCode === 0 && !run.killed && run.steps.length > 0 && run.steps.every((s) => s.ok);
  summary.push(
    `${ok ? "PASS" : "FAIL"} ${run.label} (${run.ms} ms): ${formatTimings(run)}${run.killed ? `; ${run.killed}` : ""}`,
  );
}

for (const spec of [NODE_20, ...PINNED_RUNTIMES]) {
  test(`${spec.name}: quickstart and events from the packed tarballs${spec.kind === "node" ? ", and @ocsdk/sdk/node" : ""}`, async () => {
    const consumer = requireConsumer(setup);
    const installed = await installRuntime(spec);
    const version = await versionOf(installed.bin);
    expect(version).toContain(spec.version);
    if (!installed.fromCache) summary.push(`installed ${spec.npmPackage}@${spec.version} in ${installed.ms} ms`);

    const runs: [ConsumerRun, string[]][] = [];
    const run = (script: string) =>
      runConsumer({
        label: `${spec.name} (${version}) ${script}`,
        command: installed.bin,
        args: commandLine(spec, script),
        cwd: consumer.dir,
        env: consumerEnv(spec.name),
      });
    runs.push([await run("quickstart.mjs"), ["import", ...QUICKSTART_STEPS]]);
    if (spec.kind === "node") runs.push([await run("node-entry.mjs"), NODE_ENTRY_STEPS]);
    for (const [r] of runs) record(r);

    const failures: string[] = [];
    for (const [r, expected] of runs) {
      try {
        assertConsumerPassed(r, expected);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    if (failures.length) throw new Error(failures.join("\n\n"));
  });
}

/** The command a README reader types for `quickstart.mjs` on each runtime (the README names these). */
function readmeCommandLine(spec: RuntimeSpec, script: string): string[] {
  switch (spec.kind) {
    case "node":
      return [script];
    case "bun":
      return [script];
    case "deno":
      // spawnServer runs a process, writes its isolated HOME and reads env: the README says `-A`.
      return ["run", "-A", script];
  }
}

for (const spec of [NODE_20, ...PINNED_RUNTIMES]) {
  test(`${spec.name}: the SDK README's first block, pasted verbatim into quickstart.mjs, runs and exits by itself`, async () => {
    const consumer = requireConsumer(setup);
    const installed = await installRuntime(spec);
    const version = await versionOf(installed.bin);
    const run = await runConsumer({
      label: `${spec.name} (${version}) readme-quickstart.mjs`,
      command: installed.bin,
      args: readmeCommandLine(spec, "readme-quickstart.mjs"),
      cwd: consumer.dir,
      // What the block reads: nothing but the binary the consumer would get from `npm install opencode-ai`.
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: homeDir,
        TMPDIR: tmpdir(),
        NO_COLOR: "1",
        DENO_NO_UPDATE_CHECK: "1",
        OCSDK_OPENCODE_BINARY: resolveOpencodeBinary("pinned"),
      },
    });
    summary.push(`${run.exitCode === 0 && !run.killed ? "PASS" : "FAIL"} ${run.label} (${run.ms} ms)`);
    const report = `${run.label}: exit ${run.exitCode}${run.killed ? `, ${run.killed}` : ""}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
    expect(run.killed, report).toBeUndefined();
    expect(run.exitCode, report).toBe(0);
    const out = run.stdout.trim().split("\n");
    expect(out[0], report).toBe(`opencode ${SPEC_SERVER_VERSION} is up`);
    expect(out[1], report).toContain("renamed");
    expect(out[2], report).toBe("200");
    expect(out[3], report).toMatch(/^gone: 404 /);
  });
}

test("chromium: a page bundled for the browser from the root entry creates, lists and streams events", async () => {
  const consumer = requireConsumer(setup);
  const started = Date.now();
  const bundle = await bundlePage(consumer.dir);
  expect(bundle.inputs.filter((i) => i.startsWith("node:"))).toEqual([]);

  const shots = join(REPO_ROOT, ".tmp", "runtimes");
  await mkdir(shots, { recursive: true });
  const screenshotPath = join(shots, "chromium.png");
  const hash = new URLSearchParams({ baseUrl: server.url, password: server.password ?? "" });
  const page = await runPage(`${pages.origin}/index.html#${hash}`, screenshotPath);
  const run: ConsumerRun = {
    label: `chromium ${page.version} (bundle ${bundle.bytes} bytes, screenshot ${screenshotPath})`,
    steps: page.steps,
    exitCode: 0,
    stdout: "",
    stderr: page.console.join("\n"),
    ms: Date.now() - started,
  };
  record(run);
  assertConsumerPassed(run, QUICKSTART_STEPS);

  // The screenshot shows the rendered result: the green PASS banner and text, not a blank page.
  const stats = pixelStats(decodePng(page.screenshot), PASS_GREEN);
  expect(stats.share, `share of PASS-green pixels in ${screenshotPath}`).toBeGreaterThan(0.05);
  expect(stats.distinctColors, `distinct colors in ${screenshotPath}`).toBeGreaterThan(16);
});
