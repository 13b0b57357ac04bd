/**
 * A copy of the spec that Prism's response generator (json-schema-faker) can cope with.
 * Used only to start the contract mock; requests are still validated by Prism and responses by
 * our own Ajv against the untouched spec. Each rewrite keeps the set of valid values the same or
 * narrower, so whatever the mock generates is still valid for the original schema.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Rewrites OpenAPI 3.1 / JSON Schema 2020-12 keywords the faker mishandles:
 * - numeric `exclusiveMinimum`/`exclusiveMaximum` → also a `minimum`/`maximum` inside the bound
 *   (the faker ignores the exclusive forms and generates 0 for `> 0`);
 * - `prefixItems` tuples → array-form `items` (the faker throws "missing items");
 * - `patternProperties` → `additionalProperties` of the same schema (the faker loops forever);
 * - a bare `{ type: "object" }` → also `additionalProperties: true`, which means the same (the faker
 *   sometimes yields nothing for the bare form, dropping a tuple's member: `["x"]` for `[string, object]`).
 *
 * @example
 * ```ts
 * const mockSpec = mockFriendlySpec(JSON.parse(readFileSync("openapi/opencode.openapi.json", "utf8")));
 * ```
 */
export function mockFriendlySpec<T>(spec: T): T {
  return rewrite(spec as Json) as T;
}

function rewrite(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== "object") return node;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) out[k] = rewrite(v);
  const integer = out.type === "integer";
  const step = integer ? 1 : 1e-6;
  if (typeof out.exclusiveMinimum === "number" && out.minimum === undefined) out.minimum = out.exclusiveMinimum + step;
  if (typeof out.exclusiveMaximum === "number" && out.maximum === undefined) out.maximum = out.exclusiveMaximum - step;
  if (Array.isArray(out.prefixItems) && out.items === undefined) {
    out.items = out.prefixItems;
    delete out.prefixItems;
  }
  if (out.patternProperties && typeof out.patternProperties === "object" && !Array.isArray(out.patternProperties)) {
    const schemas = Object.values(out.patternProperties);
    if (schemas.length === 1 && out.additionalProperties === undefined) out.additionalProperties = schemas[0] ?? true;
    delete out.patternProperties;
  }
  const bareObject = out.type === "object" && out.properties === undefined && out.additionalProperties === undefined;
  if (bareObject && out.patternProperties === undefined) out.additionalProperties = true;
  return out;
}

/** Options of {@link writeMockSpec}. */
export interface WriteMockSpecOptions {
  /**
   * Directory to write into; it must exist and is the caller's to remove. Without it the file
   * goes to a new temp dir of its own, which the caller removes with `rm(dirname(path))`.
   */
  dir?: string;
}

/**
 * Writes {@link mockFriendlySpec} of a spec file to `opencode.mock.openapi.json` in `options.dir`
 * (or a new temp dir) and returns its path.
 *
 * @example
 * ```ts
 * const dir = await mkdtemp(join(tmpdir(), "mock-spec-"));
 * await using prism = await startPrism({ specPath: writeMockSpec("openapi/opencode.openapi.json", { dir }), mode: "mock", errors: true });
 * // … after prism.close():
 * await rm(dir, { recursive: true, force: true });
 * ```
 */
export function writeMockSpec(specPath: string, options: WriteMockSpecOptions = {}): string {
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as Json;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "ocsdk-mock-spec-"));
  const path = join(dir, "opencode.mock.openapi.json");
  writeFileSync(path, JSON.stringify(mockFriendlySpec(spec)));
  return path;
}
