/**
 * Transports on Node (`node` export condition): `node:http` with the client's own keep-alive sockets
 * by default, and the platform's fetch for event streams.
 */

import { isIdempotentMethod } from "./retry.js";
import { fetchTransport, isConnectionReset, isNeverSent, type Transport, type WireRequest } from "./transport.js";
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
 * A stream whose fetch fails with a connection reset before any answer goes again, once, on a
 * connection of its own ({@link staleConnectionRetry}).
 *
 * @example `const t = defaultTransport();`
 */
export function defaultTransport(): Transport {
  const requests = nodeTransport({ ownAgents: true });
  // Looked up per request, so a fetch that is patched later (a proxy, a test's interceptor) is used.
  const streams = staleConnectionRetry(
    optionTransport((input, init) => globalThis.fetch(input, init)),
    nodeTransport({ freshConnections: true }),
  );
  return {
    send: (req, mode) => (mode === "stream" ? streams : requests).send(req, mode),
    close: () => requests.close?.(),
  };
}

/**
 * `pooled`, with an idempotent request that it fails with a connection reset before any answer sent
 * again, once, through `fresh` (a transport that opens a new connection per request).
 *
 * Why: undici (the platform fetch) opens a new idle connection to an origin whenever one of its
 * connections closes under an aborted or cancelled body, as every closed event stream does. opencode
 * (Bun) accepts connections lazily, so a server that stops never learns of that idle one and never
 * closes it: it stays in the process-wide pool, looking alive. Once a new server listens on the same
 * port, the next request on it is answered with a reset (`ECONNRESET`). Which request meets such a
 * socket cannot be told from outside the pool, so the retry goes where no pool is.
 *
 * @example
 * ```ts
 * const t = staleConnectionRetry(optionTransport(fetch), nodeTransport({ freshConnections: true }));
 * ```
 */
export function staleConnectionRetry(pooled: Transport, fresh: Transport): Transport {
  return {
    async send(req: WireRequest, mode) {
      try {
        return await pooled.send(req, mode);
      } catch (error) {
        if (req.signal.aborted || !isIdempotentMethod(req.method) || !isConnectionReset(error)) throw error;
        return fresh.send(req, mode);
      }
    },
    close: () => pooled.close?.(),
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
