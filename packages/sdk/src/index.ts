/**
 * @ocsdk/sdk: the handwritten wrapper over the generated OpenCode client.
 *
 * @example
 * ```ts
 * import { spawnServer } from "@ocsdk/sdk";
 * await using server = await spawnServer();
 * console.log(`opencode ${server.version} at ${server.url}`);
 * ```
 */
export {
  type RunningServer,
  resolveOpencodeBinary,
  ServerStartError,
  type SpawnServerOptions,
  spawnServer,
} from "./server/spawn.js";
