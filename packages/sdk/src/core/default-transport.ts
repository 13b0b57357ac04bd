/**
 * Transports outside Node: the platform's `fetch`. Its errors carry no connect-phase codes (those are
 * Node's), so no failure is taken as never sent: only idempotent calls are retried after one.
 */
import { fetchTransport, type Transport } from "./transport.js";

/** A new default transport, looking the platform `fetch` up per call so polyfills installed later count. @example `const t = defaultTransport();` */
export function defaultTransport(): Transport {
  return fetchTransport((input, init) => globalThis.fetch(input, init));
}

/** The transport over a caller's `fetch` option. @example `const t = optionTransport(myFetch);` */
export function optionTransport(fetchImpl: typeof fetch): Transport {
  return fetchTransport(fetchImpl);
}
