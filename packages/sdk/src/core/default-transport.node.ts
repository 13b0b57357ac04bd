/**
 * Transports on Node (`node` export condition): `node:http` with the client's own keep-alive sockets
 * by default, and the platform's fetch for event streams.
 */

import { fetchTransport, isNeverSent, type Transport } from "./transport.js";
import { nodeTransport } from "./transport.node.js";

/**
 * A new default transport. Requests go over `node:http` (no platform header or body timeout: see
 * transport.node.ts); event streams (`streamFetch`, the only "stream" mode, always
 * `text/event-stream`) over the global fetch. Their headers come at once and their heartbeats
 * every few seconds, so undici's 300 s limits never bind before the stream's own connect timeout and
 * watchdog. And undici hands on the one-chunk-per-event bodies opencode writes for less CPU than
 * `node:http`'s per-chunk stream events: in `pnpm bench` (one HTTP chunk per event) the event stream
 * costs ~1.06× a plain fetch consumer this way, ~1.25× over `node:http`.
 *
 * @example `const t = defaultTransport();`
 */
export function defaultTransport(): Transport {
  const requests = nodeTransport({ ownAgents: true });
  // Looked up per request, so a fetch that is patched later (a proxy, a test's interceptor) is used.
  const streams = optionTransport((input, init) => globalThis.fetch(input, init));
  return {
    send: (req, mode) => (mode === "stream" ? streams : requests).send(req, mode),
    close: () => requests.close?.(),
  };
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
