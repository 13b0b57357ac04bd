/**
 * @ocsdk/sdk/node: the Node-only parts (child processes, `node:http`), kept out of the root entry so
 * it loads in browsers, Deno, Bun and workers.
 *
 * @example
 * ```ts
 * import { createOpencodeClient } from "@ocsdk/sdk";
 * import { spawnServer } from "@ocsdk/sdk/node";
 * await using server = await spawnServer();
 * const oc = createOpencodeClient({ baseUrl: server.url, password: server.password });
 * console.log((await oc.global.health()).version);
 * ```
 */

export { createNodeFetch, type NodeFetchOptions } from "./core/transport.js";
export { type AttachedServer, type AttachServerOptions, attachServer } from "./server/attach.js";
export {
  type RunningServer,
  resolveOpencodeBinary,
  type SpawnServerOptions,
  spawnServer,
} from "./server/spawn.js";
