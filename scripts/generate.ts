/**
 * pnpm generate: committed spec → packages/client/src/generated and the SDK's operation table, in
 * one @hey-api/openapi-ts run (no server needed).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { generateClient } from "./lib/generate.ts";
import { GENERATED_DIR, ROOT, SPEC_PATH } from "./lib/paths.ts";
import { fail, isMain, step } from "./lib/progress.ts";
import { readSpecFile } from "./lib/spec.ts";

/** The SDK's operation table, written by the `ocsdk/operations` plugin of the same run. */
export const OPERATIONS_FILE = join(ROOT, "packages", "sdk", "src", "generated", "operations.gen.ts");

export async function generate(specPath = SPEC_PATH, outDir = GENERATED_DIR, operationsFile = OPERATIONS_FILE): Promise<void> {
  await step(`check ${specPath}`, () => readSpecFile(specPath));
  // Start clean so files of removed operations do not linger.
  await rm(outDir, { recursive: true, force: true });
  await step("generate client and operation table (@hey-api/openapi-ts)", () => generateClient(specPath, outDir, operationsFile));
}

if (isMain(import.meta.url)) {
  generate().catch(fail);
}
