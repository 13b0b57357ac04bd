/**
 * Vitest global setup for the `contract` project: one Prism mock of the spec for the whole run,
 * its URL handed to tests through `provide`/`inject("prismUrl")`.
 */
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningPrism, startPrism, writeMockSpec } from "@ocsdk/testing";
import type {} from "vitest";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the shared Prism mock (contract project only). */
    prismUrl: string;
    /** Absolute path of the OpenAPI document Prism serves. */
    prismSpecPath: string;
  }
}

/** The spec the mock serves; the contract tests read the same file. */
export const CONTRACT_SPEC_PATH = fileURLToPath(new URL("../../../openapi/opencode.openapi.json", import.meta.url));

/**
 * Starts the shared Prism mock and returns its teardown.
 *
 * @example
 * ```ts
 * // vitest.config.ts, contract project
 * test: { globalSetup: ["./packages/test-kit/src/prism-global-setup.ts"] }
 * // in a test
 * const url = inject("prismUrl");
 * ```
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The rewritten copy of the spec lives as long as the mock: removed at teardown.
  const specDir = await mkdtemp(join(tmpdir(), "ocsdk-mock-spec-"));
  // Also on a signal that ends the process (vitest exits from its handler: be first in line).
  const removeOnExit = () => rmSync(specDir, { recursive: true, force: true });
  process.prependOnceListener("exit", removeOnExit);
  const removeSpec = async () => {
    process.off("exit", removeOnExit);
    await rm(specDir, { recursive: true, force: true });
  };
  let prism: RunningPrism;
  try {
    prism = await startPrism({
      // The faker behind --dynamic hangs or crashes on some 3.1 keywords: serve a rewritten copy.
      specPath: writeMockSpec(CONTRACT_SPEC_PATH, { dir: specDir }),
      mode: "mock",
      errors: true,
      // Static examples ignore `pattern` (ids like "string" instead of "ses…"), so Prism would
      // reject its own responses; json-schema-faker honours patterns.
      dynamic: true,
      // Prism reseeds the faker per response, so every run serves the same bodies: a faker defect is
      // a failure we see every time (and fix in the mock spec), not a one-in-a-thousand flake.
      seed: "ocsdk-contract",
    });
  } catch (error) {
    await removeSpec();
    throw error;
  }
  project.provide("prismUrl", prism.url);
  project.provide("prismSpecPath", CONTRACT_SPEC_PATH);
  return async () => {
    await prism.close();
    await removeSpec();
  };
}
