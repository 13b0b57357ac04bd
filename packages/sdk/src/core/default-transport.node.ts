/** Default transport on Node (`node` export condition): `node:http` with the client's own keep-alive sockets. */

import type { Transport } from "./transport.js";
import { nodeTransport } from "./transport.node.js";

/** A new default transport. @example `const t = defaultTransport();` */
export function defaultTransport(): Transport {
  return nodeTransport({ ownAgents: true });
}
