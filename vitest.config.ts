import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against sources, so `pnpm test` needs no build first. Exact matches: `@ocsdk/sdk` must
// not swallow `@ocsdk/sdk/node`. Tests run on Node, so the SDK's `#default-transport` is the Node one.
const alias = [
  { find: /^@ocsdk\/client$/, replacement: src("./packages/client/src/index.ts") },
  { find: /^@ocsdk\/sdk$/, replacement: src("./packages/sdk/src/index.ts") },
  { find: /^@ocsdk\/sdk\/node$/, replacement: src("./packages/sdk/src/node.ts") },
  { find: /^@ocsdk\/sdk\/operations$/, replacement: src("./packages/sdk/src/operations.ts") },
  { find: /^@ocsdk\/sdk\/internal$/, replacement: src("./packages/sdk/src/internal.ts") },
  { find: /^#default-transport$/, replacement: src("./packages/sdk/src/core/default-transport.node.ts") },
  { find: /^@ocsdk\/testing$/, replacement: src("./packages/testing/src/index.ts") },
  { find: /^@ocsdk\/test-kit$/, replacement: src("./packages/test-kit/src/index.ts") },
];

export default defineConfig({
  resolve: { alias },
  test: {
    // Each test file in its own process: child servers, env markers and signals stay per file.
    pool: "forks",
    // In CI, also write machine-readable results so .ci/run can count them.
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".vitest-results.json" }]] : ["default"],
    projects: [
      {
        resolve: { alias },
        test: {
          name: "pipeline",
          include: ["scripts/test/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["packages/*/test/unit/**/*.test.ts"],
          testTimeout: 20_000,
          // Unit tests start no child server and send no signals, so their files share one worker
          // process: the SDK's modules load once instead of once per file (a third of the CPU).
          // Each test file is still its own module; env and global stubs are undone after every
          // test, so no file sees another's. (vitest 4 spells vitest 3's
          // `poolOptions.forks: { singleFork, isolate: false }` as these two.)
          maxWorkers: 1,
          isolate: false,
          unstubEnvs: true,
          unstubGlobals: true,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "e2e",
          include: ["packages/*/test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "runtimes",
          include: ["runtimes/test/**/*.test.ts"],
          // Builds, packs and installs the tarballs once for the project's files.
          globalSetup: ["./runtimes/global-setup.ts"],
          // The first run downloads the runtimes (cached after, see runtimes/README.md).
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // Every example under examples/, run as a user would (the user app's vitest tests directly).
          name: "examples",
          include: ["examples/test/**/*.test.ts", "examples/user-app/test/**/*.vitest.test.js"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // The API reference builds from the TSDoc with no undocumented export.
          name: "docs",
          include: ["docs/test/**/*.test.ts"],
          testTimeout: 300_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "contract",
          include: ["packages/*/test/contract/**/*.test.ts"],
          // One Prism mock of the spec for the whole run, URL via inject("prismUrl").
          globalSetup: ["./packages/test-kit/src/prism-global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
