/** Serves the browser page's files from the consumer dir on a free loopback port (its origin). */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { closeServer, listenLoopback } from "@ocsdk/testing";

const TYPES: Record<string, string> = {
  "/index.html": "text/html; charset=utf-8",
  "/page.js": "text/javascript; charset=utf-8",
  "/page.js.map": "application/json",
};

/** A running page server. */
export interface PageServer {
  /** e.g. `http://127.0.0.1:40123`, what opencode's `--cors` must allow. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves `index.html`, `page.js` and its map from `dir`, nothing else.
 *
 * @example
 * ```ts
 * const pages = await startPageServer(consumer.dir); // open `${pages.origin}/index.html`
 * ```
 */
export async function startPageServer(dir: string): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const type = TYPES[path];
    if (!type) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(dir, path.slice(1))).then(
      (body) => res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return { origin: await listenLoopback(server), close: () => closeServer(server) };
}
