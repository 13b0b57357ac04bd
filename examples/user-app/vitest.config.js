import { defineConfig } from "vitest/config";

// Prism takes a few seconds to load the spec on a busy machine.
export default defineConfig({ test: { include: ["test/**/*.vitest.test.js"], hookTimeout: 120_000, testTimeout: 60_000 } });
