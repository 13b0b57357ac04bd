/** Transports on Node (`node` export condition): `node:http` with the client's own keep-alive sockets by default. */

import { fetchTransport, isNeverSent, type Transport } from "./transport.js";
import { nodeTransport } from "./transport.node.js";

/** A new default transport. @example `const t = defaultTransport();` */
export function defaultTransport(): Transport {
  return nodeTransport({ ownAgents: true });
}

/**
 * The transport over a caller's `fetch` option: on Node that is mostly undici's, whose connect-phase
 * error codes (ECONNREFUSED …) prove a request never left, so a POST may be retried after one.
 *
 * @example
 * ```ts
 * const t = optionTransport(fetch);
 * ```
 */
export function optionTransport(fetchImpl: typeof fetch): Transport {
  return fetchTransport(fetchImpl, isNeverSent);
}
