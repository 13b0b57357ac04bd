/** pnpm generate: committed spec → packages/client/src/generated (no server needed). */
import { rm } from "node:fs/promises";
import { generateClient } from "./lib/generate.ts";
import { GENERATED_DIR, SPEC_PATH } from "./lib/paths.ts";
import { fail, isMain, step } from "./lib/progress.ts";
import { readSpecFile } from "./lib/spec.ts";

export async function generate(specPath = SPEC_PATH, outDir = GENERATED_DIR): Promise<void> {
  await step(`check ${specPath}`, () => readSpecFile(specPath));
  // Start clean so files of removed operations do not linger.
  await rm(outDir, { recursive: true, force: true });
  await step("generate client (@hey-api/openapi-ts)", () => generateClient(specPath, outDir));
}

if (isMain(import.meta.url)) {
  generate().catch(fail);
}
