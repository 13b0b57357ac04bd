/**
 * The one @hey-api/openapi-ts configuration of the repository (see the package README for the why).
 * `scripts/generate.ts` runs it with the committed spec as input; the output is never edited by hand.
 * One run makes @ocsdk/client (types, flat functions, fetch runtime) and, through the
 * `ocsdk/operations` plugin, the operation table of @ocsdk/sdk.
 */
import type { UserConfig } from "@hey-api/openapi-ts";
import { operationsPlugin } from "../../scripts/lib/operations-plugin.ts";

/** `outputDir`: this package's generated code; `operationsFile`: the SDK's operation table. */
export function clientConfig(input: string, outputDir: string, operationsFile: string): UserConfig {
  return {
    input,
    output: {
      path: outputDir,
      // NodeNext resolution: emitted imports carry `.js` so the build runs on plain Node ESM.
      tsConfigPath: new URL("./tsconfig.json", import.meta.url).pathname,
      postProcess: [],
    },
    logs: { level: "silent" },
    plugins: [
      // Fetch client bundled into the output: no runtime dependency on another package.
      { name: "@hey-api/client-fetch", throwOnError: false },
      { name: "@hey-api/typescript", enums: false },
      // One flat function per operation, named from the operationId (session.get → sessionGet):
      // this package's own low-level API, `{ data, error }` results; @ocsdk/sdk does not call them.
      { name: "@hey-api/sdk", operations: { strategy: "flat" } },
      // The SDK's operation table, from the same parse, with the type names registered above.
      operationsPlugin({ output: operationsFile }),
    ],
  };
}
