/**
 * The Node transport: `node:http`/`node:https`, selected by the `node` export condition.
 *
 * Why not the global fetch on Node: undici cuts any response whose headers take longer than 300 s
 * (`headersTimeout`) and any body that pauses 300 s (`bodyTimeout`), and neither can be changed
 * without the undici package. A synchronous prompt easily waits longer than that before the server
 * sends headers. `node:http` has no such limit: the SDK's own `timeoutMs` is the only clock. (The
 * default transport still reads event streams with the global fetch: see default-transport.node.ts.)
 *
 * It also knows whether the TCP connection was ever established, which is what "provably never
 * sent" means for the retry policy, and it reads ordinary answers straight into one buffer (no web
 * stream, no `Response`) unless a caller asks for the `Response`.
 */
import * as http from "node:http";
import * as https from "node:https";
import { finished } from "node:stream";
import { isIdempotentMethod } from "./retry.js";
import { isConnectionReset, markNeverSent, type Transport, type WireRequest, type WireResponse } from "./transport.js";

/** Options of {@link createNodeFetch} and the Node transport. */
export interface NodeFetchOptions {
  /** Agents to use (default: keep-alive agents of the transport, or Node's global ones for `createNodeFetch`). */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
}

/**
 * The Node transport; with `ownAgents` it keeps its own keep-alive sockets, released by `close()`;
 * with `freshConnections` every request opens a connection of its own, closed after its answer.
 */
export function nodeTransport(options: NodeFetchOptions & { ownAgents?: boolean; freshConnections?: boolean } = {}): Transport {
  if (options.freshConnections) return { send: (req, mode) => send(req, mode, false, false) };
  // As Node's global agents: idle sockets time out after 5 s, before a server's own idle timeout can
  // close one under a request that reuses it.
  const agentOptions = { keepAlive: true, scheduling: "lifo", timeout: 5_000 } as const;
  const own = options.ownAgents ? { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) } : undefined;
  const httpAgent = options.httpAgent ?? own?.http;
  const httpsAgent = options.httpsAgent ?? own?.https;
  return {
    send: (req, mode) => send(req, mode, httpAgent, httpsAgent),
    close() {
      own?.http.destroy();
      own?.https.destroy();
    },
  };
}

/** `false` as an agent: a new connection for this request only (no pool). */
function send(
  req: WireRequest,
  mode: "buffer" | "stream",
  httpAgent?: http.Agent | false,
  httpsAgent?: https.Agent | false,
): Promise<WireResponse> {
  const { signal } = req;
  signal.throwIfAborted();
  const isHttps = req.url.startsWith("https:");
  const agent = isHttps ? httpsAgent : httpAgent;
  const headers =
    req.body === undefined ? req.headers : { ...req.headers, "content-length": String(Buffer.byteLength(req.body)) };
  return new Promise<WireResponse>((resolve, reject) => {
    let connected = false;
    let settled = false;
    let answered = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) return reject(signal.reason);
      // A kept-alive socket the server closed or reset before any answer: the server at that address
      // is gone (or replaced) and the socket is stale. An idempotent request goes again, once, on a
      // connection of its own (what browsers do), instead of failing for a socket the caller never chose.
      if (!answered && request.reusedSocket && agent !== false && isConnectionReset(error) && isIdempotentMethod(req.method)) {
        return resolve(send(req, mode, false, false));
      }
      markNeverSent(error, !connected);
      reject(error);
    };
    const request = (isHttps ? https : http).request(
      req.url,
      { method: req.method, headers, ...(agent !== undefined ? { agent } : {}) },
      (res) => {
        answered = true;
        const status = res.statusCode ?? 0;
        const nullBody = req.method === "HEAD" || status === 204 || status === 205 || status === 304;
        if (mode === "stream") {
          settled = true;
          if (nullBody) res.resume();
          res.once("close", () => signal.removeEventListener("abort", onAbort));
          const body = nullBody ? null : webBody(res);
          const response = new Response(body, {
            status,
            statusText: res.statusMessage ?? "",
            headers: toHeaders(res.rawHeaders),
          });
          resolve(streamed(response));
          return;
        }
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.once("error", fail);
        res.once("end", () => {
          if (settled) return;
          settled = true;
          signal.removeEventListener("abort", onAbort);
          resolve(buffered(res, status, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), nullBody));
        });
        res.once("close", () => {
          if (!res.complete)
            fail(Object.assign(new Error("connection closed before the response was complete"), { code: "ECONNRESET" }));
        });
      },
    );
    const onAbort = () =>
      request.destroy(signal.reason instanceof Error ? signal.reason : new DOMException("aborted", "AbortError"));
    signal.addEventListener("abort", onAbort, { once: true });
    request.on("socket", (socket) => {
      // A reused keep-alive socket is already connected: bytes may reach the server at once.
      if (!socket.connecting) connected = true;
      else socket.once("connect", () => (connected = true));
    });
    request.on("error", fail);
    request.end(req.body);
  });
}

/** Bytes the web body buffers before the socket is paused: a few socket reads, so a reader that keeps up never pauses it. */
const BODY_HIGH_WATER_BYTES = 256 * 1024;

/**
 * A response as a web byte stream. Not `Readable.toWeb`: on Node 20 that copies every chunk, and
 * a reader slower than the socket pauses and resumes the socket for every chunk (an epoll call and
 * one more wake-up each).
 *
 * The HTTP chunks of one socket read are handed on as one: opencode writes every event as its own
 * chunk, and a read, decode and parse step per event cost the SDK twice a plain fetch consumer's CPU.
 */
function webBody(res: http.IncomingMessage): ReadableStream<Uint8Array> {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  // The chunks the parser emitted in the current socket read (it emits them synchronously).
  let pending: Buffer[] = [];
  const flush = () => {
    if (pending.length === 0 || ended) return;
    const chunk = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
    pending = [];
    // A plain view, not the Buffer: `slice()` on it copies, as on any fetch body chunk.
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) res.pause();
  };
  const onData = (chunk: Buffer) => {
    if (pending.push(chunk) === 1) queueMicrotask(flush);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        res.pause();
        res.on("data", onData);
        finished(res, (error) => {
          res.off("data", onData);
          flush();
          if (ended) return;
          ended = true;
          if (error) controller.error(error);
          else controller.close();
        });
      },
      pull() {
        // Hysteresis: resume once half the buffer is read, not after every chunk (a socket that
        // delivers faster than the reader reads would otherwise pause and resume per chunk).
        if ((controller.desiredSize ?? 0) * 2 >= BODY_HIGH_WATER_BYTES) res.resume();
      },
      cancel() {
        ended = true;
        pending = [];
        res.off("data", onData);
        res.destroy();
      },
    },
    { highWaterMark: BODY_HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
  );
}

function toHeaders(raw: string[]): Headers {
  const h = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) h.append(raw[i] as string, raw[i + 1] as string);
  return h;
}

function buffered(res: http.IncomingMessage, status: number, body: Buffer, nullBody: boolean): WireResponse {
  let headers: Headers | undefined;
  const all = () => {
    headers ??= toHeaders(res.rawHeaders);
    return headers;
  };
  const bytes = () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  return {
    status,
    statusText: res.statusMessage ?? "",
    header: (name) => {
      const v = res.headers[name];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    },
    headers: all,
    text: () => body.toString("utf8"),
    arrayBuffer: bytes,
    toResponse: () => new Response(nullBody ? null : bytes(), { status, statusText: res.statusMessage ?? "", headers: all() }),
  };
}

function streamed(res: Response): WireResponse {
  return {
    status: res.status,
    statusText: res.statusText,
    header: (name) => res.headers.get(name),
    headers: () => res.headers,
    text: () => res.text(),
    arrayBuffer: () => res.arrayBuffer(),
    toResponse: () => res,
  };
}

/**
 * A `fetch` on `node:http` with no header or body timeout of its own (Node only, from `@ocsdk/sdk/node`).
 *
 * @example
 * ```ts
 * import { createNodeFetch } from "@ocsdk/sdk/node";
 * const res = await createNodeFetch()("http://127.0.0.1:4096/global/health");
 * ```
 */
export function createNodeFetch(options: NodeFetchOptions = {}): typeof fetch {
  const transport = nodeTransport(options);
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? (init ? new Request(input, init) : input) : undefined;
    const headers: Record<string, string> = {};
    new Headers(request ? request.headers : init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    let body: string | Uint8Array | undefined;
    if (request) body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    else if (init?.body !== undefined && init.body !== null) {
      body = typeof init.body === "string" ? init.body : new Uint8Array(await new Response(init.body).arrayBuffer());
    }
    const wire = await transport.send(
      {
        method: (request?.method ?? init?.method ?? "GET").toUpperCase(),
        url: request ? request.url : String(input),
        headers,
        body,
        signal: request?.signal ?? init?.signal ?? new AbortController().signal,
      },
      "stream",
    );
    return wire.toResponse();
  };
}
