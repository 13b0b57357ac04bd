/**
 * The generated client's side of the spec-derived contract cases (the cases themselves come from
 * `@ocsdk/test-kit`): which generated function calls which route.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export {
  type BuiltRequest,
  buildRequest,
  createValidator,
  type HttpMethod,
  listOperations,
  loadSpec,
  resolveRef,
  SPEC_PATH,
  type Spec,
  type SpecOperation,
  sample,
  type Validator,
  type Violation,
  violationsOf,
} from "@ocsdk/test-kit";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
    prismSpecPath: string;
  }
}

const SDK_GEN_PATH = fileURLToPath(new URL("../../../src/generated/sdk.gen.ts", import.meta.url));

/** Maps "METHOD /path" to the generated client function that calls it, read from sdk.gen.ts. */
export function generatedFunctionIndex(): Map<string, string> {
  const text = readFileSync(SDK_GEN_PATH, "utf8");
  const index = new Map<string, string>();
  for (const chunk of text.split(/^export const /m).slice(1)) {
    const name = /^(\w+)\s*=/.exec(chunk)?.[1];
    const call = /\)\.(?:sse\.)?(get|post|put|patch|delete)<[^(]*\(\{\s*url:\s*'([^']+)'/.exec(chunk);
    if (name && call) index.set(`${call[1]?.toUpperCase()} ${call[2]}`, name);
  }
  return index;
}
