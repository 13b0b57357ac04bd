/**
 * @ocsdk/sdk/operations: every operation as its own function, for bundles that need only a few.
 * Each runs on a core from {@link createCore} (or a full client) with the same policies: auth,
 * scoping, retries, timeouts, typed errors, response checks, logging. `@ocsdk/client` exports
 * functions of the same names with another contract (`sessionGet({ client, path })` resolves to
 * `{ data, error }`); here a call resolves to the data or throws.
 *
 * @example
 * ```ts
 * import { createCore, sessionGet } from "@ocsdk/sdk/operations";
 * const core = createCore({ baseUrl: "http://127.0.0.1:4096", password: "secret" });
 * const session = await sessionGet(core, { path: { sessionID } });
 * ```
 */
export { type CoreOptions, createCore, OpencodeCore } from "./core/client-core.js";
export type { APIPromise, OperationRunner, RequestOptions } from "./core/operation-types.js";
export * from "./generated/operations.gen.js";
