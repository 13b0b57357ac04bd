/**
 * @ocsdk/sdk/node: the Node-only parts: start or attach to an `opencode serve`, find its binary, and
 * a `node:http` fetch without undici's 300 s header timeout. Errors are the root entry's
 * (`ServerStartError` extends `OpencodeError`).
 *
 * @example
 * ```ts
 * import { spawnServer } from "@ocsdk/sdk/node";
 * await using server = await spawnServer();
 * console.log(`opencode ${server.version} at ${server.url}`);
 * ```
 */
export { createNodeFetch, type NodeFetchOptions } from "./core/transport.node.js";
export { type AttachedServer, type AttachServerOptions, attachServer } from "./server/attach.js";
export { type RunningServer, resolveOpencodeBinary, type SpawnServerOptions, spawnServer } from "./server/spawn.js";
