/**
 * A loopback HTTP proxy in front of a real server that injects the faults a real network has: an
 * answer replaced by an error status, a response lost after the server acted on the request, event
 * streams cut mid-way. Every request it saw is recorded.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { closeServer, listenLoopback } from "@ocsdk/testing";

/** What to do with one request. */
export type Fault =
  /** Answer this instead of forwarding. */
  | { status: number; body?: string; headers?: Record<string, string> }
  /** Forward it, let the server answer completely, then reset the client's connection. */
  | "lose-response";

/** A request the proxy received. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  at: number;
}

/** A running fault proxy. */
export interface FaultProxy extends AsyncDisposable {
  /** Base URL to give the client. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: ProxiedRequest[];
  /** Decides each request's fault (none: forwarded as is). Replace it at any time. */
  fault: (req: { method: string; url: string }) => Fault | undefined;
  /** Resets every open event-stream connection (the client sees a cut stream). */
  cutStreams(): number;
  close(): Promise<void>;
}

/**
 * Starts a proxy to `target` on a free loopback port.
 *
 * @example
 * ```ts
 * await using proxy = await startFaultProxy(server.url);
 * proxy.fault = (r) => (r.method === "GET" && r.url.endsWith("/message") ? { status: 500 } : undefined);
 * const oc = createOpencodeClient({ baseUrl: proxy.url, password });
 * ```
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const streams = new Set<Socket>();
  const requests: ProxiedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const seen = { method: req.method ?? "GET", url: req.url ?? "/" };
    requests.push({ ...seen, at: Date.now() });
    const fault = proxy.fault(seen);
    if (fault && fault !== "lose-response") {
      req.resume();
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ name: "InjectedFault", data: { message: `injected ${fault.status}` } }));
      return;
    }
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        if (fault === "lose-response") {
          // The server acted and answered; the client never hears of it.
          answer.resume();
          answer.on("end", () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (String(answer.headers["content-type"] ?? "").includes("text/event-stream")) {
          res.flushHeaders();
          streams.add(req.socket);
          req.socket.once("close", () => streams.delete(req.socket));
        }
        answer.pipe(res);
      },
    );
    out.on("error", () => req.socket.destroy());
    req.socket.once("close", () => out.destroy());
    req.pipe(out);
  });
  const url = await listenLoopback(server);
  const close = () => closeServer(server);
  const proxy: FaultProxy = {
    url,
    requests,
    fault: () => undefined,
    cutStreams() {
      const n = streams.size;
      for (const s of streams) s.destroy();
      return n;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  return proxy;
}

/** A buffered answer of the upstream server. */
export interface ForwardedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Sends `req` (with its already-read `body`) on to `target` and buffers the answer, for a test proxy
 * that rewrites answers before passing them back.
 *
 * @example
 * ```ts
 * const answer = await forwardRequest(server.url, req, await readBody(req));
 * res.writeHead(answer.status, answer.headers).end(answer.body);
 * ```
 */
export function forwardRequest(target: string, req: IncomingMessage, body: Buffer): Promise<ForwardedAnswer> {
  const url = new URL(req.url ?? "/", target);
  return new Promise((resolve, reject) => {
    const up = httpRequest(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 502, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks) }),
      );
    });
    up.on("error", reject);
    up.end(body);
  });
}
