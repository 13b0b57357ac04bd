/** pnpm generate: committed spec → packages/client/src/generated (no server needed). */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderOperations } from "../packages/sdk/scripts/gen-operations.ts";
import { generateClient } from "./lib/generate.ts";
import { GENERATED_DIR, ROOT, SPEC_PATH } from "./lib/paths.ts";
import { fail, isMain, step } from "./lib/progress.ts";
import { readSpecFile } from "./lib/spec.ts";

/** The wrapper's operation table (packages/sdk/src/generated/operations.gen.ts), derived from the same spec. */
export const OPERATIONS_FILE = join(ROOT, "packages", "sdk", "src", "generated", "operations.gen.ts");

/** Text of the wrapper's operation table for a spec file. */
export async function renderOperationsFile(specPath: string): Promise<string> {
  return renderOperations(JSON.parse(await readFile(specPath, "utf8")));
}

export async function generate(specPath = SPEC_PATH, outDir = GENERATED_DIR, operationsFile = OPERATIONS_FILE): Promise<void> {
  await step(`check ${specPath}`, () => readSpecFile(specPath));
  // Start clean so files of removed operations do not linger.
  await rm(outDir, { recursive: true, force: true });
  await step("generate client (@hey-api/openapi-ts)", () => generateClient(specPath, outDir));
  await step("generate the wrapper's operation table", async () =>
    writeFile(operationsFile, await renderOperationsFile(specPath)),
  );
}

if (isMain(import.meta.url)) {
  generate().catch(fail);
}
