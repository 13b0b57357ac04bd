/**
 * Loopback HTTP helpers shared by every server of this package: listen on 127.0.0.1 with a port the
 * OS picks, close with every open connection (streams included), a URL nothing listens on, read a
 * request body.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Listens on `127.0.0.1`, port chosen by the OS, and returns the base URL (no trailing slash).
 *
 * @example
 * ```ts
 * const url = await listenLoopback(createServer((req, res) => res.end("ok")));
 * ```
 */
export async function listenLoopback(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Closes `server` and every connection it holds, open event streams included, and waits until it is closed.
 *
 * @example
 * ```ts
 * await closeServer(server);
 * ```
 */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/**
 * A loopback URL nothing listens on: a port the OS just handed out, closed again. For tests of a
 * refused connection (another process may take the port later, so use it at once).
 *
 * @example
 * ```ts
 * await expect(fetch(await closedLoopbackUrl())).rejects.toThrow(TypeError);
 * ```
 */
export async function closedLoopbackUrl(): Promise<string> {
  const server = createServer();
  const url = await listenLoopback(server);
  await closeServer(server);
  return url;
}

/**
 * Reads a request body to the end.
 *
 * @example
 * ```ts
 * const body = JSON.parse((await readBody(req)).toString("utf8"));
 * ```
 */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
