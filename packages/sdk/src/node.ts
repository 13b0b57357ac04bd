/**
 * @ocsdk/sdk/node: the Node-only parts (spawning and attaching to a server, the `node:http` transport).
 *
 * @example
 * ```ts
 * import { spawnServer } from "@ocsdk/sdk/node";
 * await using server = await spawnServer();
 * console.log(`opencode ${server.version} at ${server.url}`);
 * ```
 */

export { createNodeFetch, type NodeFetchOptions } from "./core/transport.js";
export { type AttachedServer, type AttachServerOptions, attachServer } from "./server/attach.js";
export {
  type RunningServer,
  resolveOpencodeBinary,
  ServerStartError,
  type SpawnServerOptions,
  spawnServer,
} from "./server/spawn.js";
