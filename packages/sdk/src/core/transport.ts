/**
 * The default transport: a `fetch`-compatible function on `node:http`/`node:https`.
 *
 * Why not the global fetch: Node's fetch (undici) cuts any response whose headers take longer than
 * 300 s (`headersTimeout`) and any body that pauses 300 s (`bodyTimeout`), and neither can be changed
 * without the undici package. A synchronous prompt easily waits longer than that before the server
 * sends headers. `node:http` has no such limit: the SDK's own `timeoutMs` is the only clock.
 *
 * It also knows whether the TCP connection was ever established, which is what "provably never
 * sent" means for the retry policy ({@link isNeverSent}).
 */
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

const NEVER_SENT = Symbol.for("ocsdk.neverSent");

/** Error codes that can only happen before a connection exists. */
const CONNECT_PHASE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * True when an error from a fetch implementation proves the request never left this process:
 * our transport saw no established connection, or (for any fetch, e.g. undici's) the error code is a
 * connect-phase one (ECONNREFUSED, ENOTFOUND, EAI_AGAIN, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL,
 * UND_ERR_CONNECT_TIMEOUT), searched through `cause` chains and AggregateErrors.
 *
 * @example
 * ```ts
 * try { await fetch("http://127.0.0.1:1"); } catch (e) { isNeverSent(e); } // true
 * ```
 */
export function isNeverSent(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const e = error as { [NEVER_SENT]?: boolean; code?: unknown; cause?: unknown; errors?: unknown };
  if (e[NEVER_SENT] !== undefined) return e[NEVER_SENT] === true;
  if (typeof e.code === "string" && CONNECT_PHASE_CODES.has(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => isNeverSent(x, depth + 1))) return true;
  return isNeverSent(e.cause, depth + 1);
}

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /** Agents to use (default: Node's global keep-alive agents). */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
}

/**
 * A `fetch` on `node:http` with no header or body timeout of its own.
 *
 * @example
 * ```ts
 * const res = await createNodeFetch()("http://127.0.0.1:4096/global/health");
 * ```
 */
export function createNodeFetch(options: NodeFetchOptions = {}): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && !init ? input : new Request(input, init);
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => {
      headers[k] = v;
    });
    if (body) headers["content-length"] = String(body.length);
    const signal = request.signal;
    signal.throwIfAborted();
    const isHttps = url.protocol === "https:";
    const mod = isHttps ? https : http;
    const agent = isHttps ? options.httpsAgent : options.httpAgent;

    return await new Promise<Response>((resolve, reject) => {
      let connected = false;
      let settled = false;
      const req = mod.request(url, { method: request.method, headers, ...(agent ? { agent } : {}) }, (res) => {
        settled = true;
        const status = res.statusCode ?? 0;
        const h = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
          h.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
        const nullBody = request.method === "HEAD" || status === 204 || status === 304;
        if (nullBody) res.resume();
        const stream = nullBody ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
        res.once("close", () => signal.removeEventListener("abort", onAbort));
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: h }));
      });
      const onAbort = () =>
        req.destroy(signal.reason instanceof Error ? signal.reason : new DOMException("aborted", "AbortError"));
      signal.addEventListener("abort", onAbort, { once: true });
      req.on("socket", (socket) => {
        // A reused keep-alive socket is already connected: bytes may reach the server at once.
        if (!socket.connecting) connected = true;
        else socket.once("connect", () => (connected = true));
      });
      req.on("error", (error: Error & { [NEVER_SENT]?: boolean }) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) return reject(signal.reason);
        try {
          error[NEVER_SENT] = !connected;
        } catch {
          /* frozen error object */
        }
        reject(error);
      });
      req.end(body);
    });
  };
}

let shared: typeof fetch | undefined;
/**
 * The process-wide default transport.
 *
 * @example
 * ```ts
 * createOpencodeClient({ fetch: defaultFetch() });
 * ```
 */
export function defaultFetch(): typeof fetch {
  shared ??= createNodeFetch();
  return shared;
}
