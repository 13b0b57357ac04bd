/**
 * The OpenAPI document this package ships: the spec `@ocsdk/client` and `@ocsdk/sdk` of the same
 * version were generated from, so a mock of it answers exactly what the SDK expects.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Absolute path of the bundled spec (`spec/opencode.openapi.json` of this package).
 *
 * @example
 * ```ts
 * await using prism = await startPrism({ specPath: SPEC_PATH, mode: "mock", errors: true });
 * ```
 */
export const SPEC_PATH: string = fileURLToPath(new URL("../spec/opencode.openapi.json", import.meta.url));

/** The parts of the spec this package reads. */
export interface OpenApiDocument {
  openapi: string;
  info: { title?: string; version?: string; "x-opencode-server-version"?: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
}

let cached: OpenApiDocument | undefined;

/**
 * The bundled spec, parsed (once per process).
 *
 * @example
 * ```ts
 * console.log(Object.keys(loadSpec().paths).length, "routes");
 * ```
 */
export function loadSpec(): OpenApiDocument {
  cached ??= JSON.parse(readFileSync(SPEC_PATH, "utf8")) as OpenApiDocument;
  return cached;
}

/**
 * The opencode server version the bundled spec was pulled from, e.g. `"1.18.33"`.
 *
 * @example
 * ```ts
 * expect(bundledServerVersion()).toBe(SPEC_SERVER_VERSION); // from @ocsdk/sdk
 * ```
 */
export function bundledServerVersion(): string {
  return String(loadSpec().info["x-opencode-server-version"] ?? "");
}
