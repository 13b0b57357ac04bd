/**
 * A loopback SSE server that replays recorded streams: each path answers `text/event-stream` with
 * the frames of its fixture, then ends the response.
 */
import { createServer } from "node:http";
import { closeServer, listenLoopback } from "./loopback.js";

/** A running replay server. */
export interface SseReplay extends AsyncDisposable {
  readonly url: string;
  /** Requests served, as "METHOD path". */
  readonly served: string[];
  close(): Promise<void>;
}

/** Splits SSE text into frames (the blocks between blank lines). */
export function splitFrames(text: string): string[] {
  return text
    .replace(/\r\n/g, "\n")
    .split("\n\n")
    .filter((f) => f.trim() !== "");
}

/**
 * Serves `streams` (URL path → recorded SSE text) on 127.0.0.1 with a free port.
 *
 * @example
 * ```ts
 * await using replay = await startSseReplay({ "/event": await readFile("text.event.sse", "utf8") });
 * const res = await fetch(`${replay.url}/event`);
 * ```
 */
export async function startSseReplay(
  streams: Record<string, string>,
  options: { frameDelayMs?: number } = {},
): Promise<SseReplay> {
  const served: string[] = [];
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    served.push(`${req.method} ${path}`);
    const text = streams[path];
    if (text === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (const frame of splitFrames(text)) {
      if (res.destroyed) return;
      res.write(`${frame}\n\n`);
      if (options.frameDelayMs) await new Promise((r) => setTimeout(r, options.frameDelayMs));
    }
    res.end();
  });
  const url = await listenLoopback(server);
  const close = () => closeServer(server);
  return { url, served, close, [Symbol.asyncDispose]: close };
}
