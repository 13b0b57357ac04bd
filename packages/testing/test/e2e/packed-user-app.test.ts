/**
 * Acceptance of @ocsdk/testing as users get it: in a plain npm project outside the workspace, with
 * the packed tarballs of @ocsdk/client, @ocsdk/sdk and @ocsdk/testing, the example app's contract
 * tests pass in vitest and in node:test, and a deliberately wrong request fails them with Prism's
 * message. The tests run offline (loopback only). npm installs through a cache kept in
 * node_modules/.cache/ocsdk-npm: offline when it is warm, from the npm registry the first time.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, expect, it } from "vitest";
import { buildPackages, packPublished } from "../../../../runtimes/lib/pack.ts";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const CACHE = join(ROOT, "node_modules/.cache");
const APP = join(ROOT, "examples/user-app");
const PACKAGES = ["client", "sdk", "testing"];
/** The user's vitest: the release this repository tests with. */
const ROOT_VITEST: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies.vitest;
// No workspace settings (.npmrc, NODE_OPTIONS of the runner) leak into the user's project.
const cleanEnv = () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(npm_|NODE_OPTIONS|VITEST|TEST|FORCE_COLOR)/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: "1" };
};

let project: string;
let installMode = "";

async function sh(cmd: string, args: string[], cwd: string, timeoutMs: number) {
  return run(cmd, args, { cwd, env: cleanEnv(), timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 32 * 1024 * 1024 });
}

beforeAll(async () => {
  // Built and packed as a release would, by the one packing harness of the runtime matrix.
  await buildPackages();
  await mkdir(CACHE, { recursive: true });
  const packDir = await mkdtemp(join(CACHE, "ocsdk-pack-"));
  const packed = await packPublished(packDir);
  const tarballs = Object.values(packed)
    .map((t) => basename(t))
    .sort();
  expect(tarballs).toHaveLength(3);
  const appManifest = await readFile(join(APP, "package.json"), "utf8");

  // One installed project per content of the tarballs and the app's manifest: unchanged packages reuse it.
  const hash = createHash("sha256").update(appManifest);
  for (const t of tarballs) hash.update(await readFile(join(packDir, t)));
  const digest = hash.digest("hex").slice(0, 16);
  const home = join(CACHE, `ocsdk-packed-app-${digest}`);
  project = join(home, "app");
  for (const old of await readdir(CACHE)) {
    if (old.startsWith("ocsdk-packed-app-") && old !== `ocsdk-packed-app-${digest}`)
      await rm(join(CACHE, old), { recursive: true, force: true });
  }
  const installed = existsSync(join(project, "node_modules/.package-lock.json"));
  if (!installed) {
    await rm(home, { recursive: true, force: true });
    await mkdir(project, { recursive: true });
    for (const t of tarballs) await cp(join(packDir, t), join(home, t));
  }
  await rm(packDir, { recursive: true, force: true });

  // The project: the example app's files, its dependencies from the tarballs.
  const pkg = JSON.parse(appManifest);
  const file = (name: string) => `file:${join(home, tarballs.find((t) => t.startsWith(`ocsdk-${name}-`)) ?? "")}`;
  pkg.dependencies = { "@ocsdk/client": file("client"), "@ocsdk/sdk": file("sdk") };
  pkg.devDependencies = { "@ocsdk/testing": file("testing"), vitest: ROOT_VITEST };
  pkg.overrides = { "@ocsdk/client": "$@ocsdk/client", "@ocsdk/sdk": "$@ocsdk/sdk" };
  for (const f of ["src", "test"]) await rm(join(project, f), { recursive: true, force: true });
  for (const f of ["src", "test", "vitest.config.js"]) await cp(join(APP, f), join(project, f), { recursive: true });
  await writeFile(join(project, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);

  const started = performance.now();
  const npm = ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--cache", join(CACHE, "ocsdk-npm")];
  if (installed) installMode = "reused (same tarballs)";
  else {
    try {
      await sh("npm", [...npm, "--offline"], project, 300_000);
      installMode = "offline";
    } catch {
      await sh("npm", [...npm, "--prefer-offline"], project, 480_000);
      installMode = "registry (cache was cold)";
    }
  }
  console.log(`packed app installed: ${installMode} in ${Math.round(performance.now() - started)} ms`);
}, 900_000);

it("installs the three packages from the tarballs, not from the workspace", async () => {
  for (const p of PACKAGES) {
    const installed = join(project, "node_modules/@ocsdk", p, "package.json");
    expect(existsSync(installed)).toBe(true);
    const manifest = JSON.parse(await readFile(installed, "utf8"));
    expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain("workspace:");
  }
  expect(existsSync(join(project, "node_modules/@ocsdk/testing/spec/opencode.openapi.json"))).toBe(true);
  const lock = JSON.parse(await readFile(join(project, "package-lock.json"), "utf8"));
  expect(lock.packages["node_modules/@ocsdk/testing"].resolved).toMatch(/^file:/);
});

it("the example app's contract tests pass in vitest", async () => {
  const { stdout } = await sh(join(project, "node_modules/.bin/vitest"), ["run"], project, 240_000);
  expect(stdout).toMatch(/Tests\s+3 passed \(3\)/);
}, 300_000);

it("the example app's contract tests pass in node:test", async () => {
  const { stdout } = await sh(process.execPath, ["--test", "test/app.node.test.js"], project, 240_000);
  expect(stdout).toMatch(/^# pass 3$/m);
  expect(stdout).toMatch(/^# fail 0$/m);
}, 300_000);

it("a deliberately wrong request fails the contract test with Prism's message", async () => {
  const app = join(project, "src/app.js");
  const source = await readFile(app, "utf8");
  const broken = source.replace("body: { title } })", "body: { title: title.length } })");
  expect(broken).not.toBe(source);
  await writeFile(app, broken);
  try {
    const failed = await sh(process.execPath, ["--test", "test/app.node.test.js"], project, 240_000).then(
      () => undefined,
      (e: { stdout: string; code: number }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toMatch(/PATCH \/session\/ses\w+ → 400: request\.body\.title: .*string/);
  } finally {
    await writeFile(app, source);
  }
}, 300_000);
