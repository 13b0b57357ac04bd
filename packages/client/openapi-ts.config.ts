/**
 * @hey-api/openapi-ts configuration for @ocsdk/client (see the package README for the why).
 * `scripts/generate.ts` runs it with the committed spec as input; the output is never edited by hand.
 */
import type { UserConfig } from "@hey-api/openapi-ts";

export function clientConfig(input: string, outputDir: string): UserConfig {
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
      // tree-shakable, collision-free for this spec, and a 1:1 map the wrapper builds on.
      { name: "@hey-api/sdk", operations: { strategy: "flat" } },
    ],
  };
}
