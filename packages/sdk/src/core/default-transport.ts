/** Default transport outside Node: the platform's `fetch`, looked up per call so polyfills installed later count. */
import { fetchTransport, type Transport } from "./transport.js";

/** A new default transport. @example `const t = defaultTransport();` */
export function defaultTransport(): Transport {
  return fetchTransport((input, init) => globalThis.fetch(input, init));
}
