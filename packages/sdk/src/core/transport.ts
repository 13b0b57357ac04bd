/**
 * The transport seam: what the client needs from HTTP, in one small interface, plus the adapter for
 * any `fetch`. Runtime-neutral; the `node:http` transport lives in `transport.node.ts`.
 */

const NEVER_SENT = Symbol.for("ocsdk.neverSent");

/** Error codes that can only happen before a connection exists. */
const CONNECT_PHASE_CODE = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT)$/;

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
  if (typeof e.code === "string" && CONNECT_PHASE_CODE.test(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => isNeverSent(x, depth + 1))) return true;
  return isNeverSent(e.cause, depth + 1);
}

/**
 * True when a transport marked the error as provably unsent ({@link markNeverSent}): what the runner
 * reads. The Node transports mark their errors; in browsers, fetch errors carry nothing to tell.
 *
 * @example
 * ```ts
 * markNeverSent(error, true);
 * isMarkedNeverSent(error); // true
 * ```
 */
export function isMarkedNeverSent(error: unknown): boolean {
  return (error as { [NEVER_SENT]?: boolean } | null | undefined)?.[NEVER_SENT] === true;
}

/** Error codes of a connection the peer reset or closed under a request. */
const CONNECTION_RESET_CODE = /^(ECONNRESET|EPIPE|UND_ERR_SOCKET)$/;

/**
 * True when an error (or one in its `cause` chain) says the connection was reset or closed by the
 * peer: `ECONNRESET`, `EPIPE`, or undici's `UND_ERR_SOCKET` ("other side closed"). Before any response
 * byte, that is what a pooled connection to a server that is gone answers (see
 * default-transport.node.ts): the request can go again on a new connection if it is idempotent.
 *
 * @example
 * ```ts
 * isConnectionReset(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })); // true
 * ```
 */
export function isConnectionReset(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const e = error as { code?: unknown; cause?: unknown };
  if (typeof e.code === "string" && CONNECTION_RESET_CODE.test(e.code)) return true;
  return isConnectionReset(e.cause, depth + 1);
}

/** Marks an error as (not) provably unsent; used by transports that see the connection phase. */
export function markNeverSent(error: unknown, neverSent: boolean): void {
  try {
    (error as { [NEVER_SENT]?: boolean })[NEVER_SENT] = neverSent;
  } catch {
    /* frozen error object */
  }
}

/** One HTTP request as the client built it: headers lower-case, body already serialized. */
export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  signal: AbortSignal;
}

/** An HTTP answer. In buffer mode the body was read completely before the promise resolved. */
export interface WireResponse {
  readonly status: number;
  readonly statusText: string;
  /** A header by lower-case name. */
  header(name: string): string | null;
  headers(): Headers;
  /** The body; a buffered answer gives it synchronously. */
  text(): string | Promise<string>;
  arrayBuffer(): ArrayBuffer | Promise<ArrayBuffer>;
  /** The answer as a web `Response` (streams keep streaming). */
  toResponse(): Response;
}

/** How requests reach the server. `close()` releases what it holds (sockets). */
export interface Transport {
  send(request: WireRequest, mode: "buffer" | "stream"): Promise<WireResponse>;
  close?(): void;
}

/**
 * A {@link Transport} over any `fetch` (the platform's, undici's, a test double). `neverSent` tells
 * which of its errors provably never left this process (on Node: {@link isNeverSent}, from undici's
 * error codes); they are marked for the runner. Without it none is, as for browsers' fetch.
 *
 * @example
 * ```ts
 * const transport = fetchTransport(fetch, isNeverSent);
 * ```
 */
export function fetchTransport(fetchImpl: typeof fetch, neverSent?: (error: unknown) => boolean): Transport {
  return {
    async send(req, mode) {
      // Only what differs from fetch's defaults (redirects are followed by default).
      const init: RequestInit = { method: req.method, headers: req.headers, signal: req.signal };
      if (req.body !== undefined) init.body = req.body as BodyInit;
      let res: Response;
      try {
        res = await fetchImpl(req.url, init);
      } catch (error) {
        if (neverSent) markNeverSent(error, neverSent(error));
        throw error;
      }
      return new FetchWire(res, mode === "stream" ? undefined : await res.arrayBuffer());
    },
  };
}

const utf8 = new TextDecoder();

/** A fetch `Response` as a {@link WireResponse}; `buffered`: its body, read already. */
class FetchWire implements WireResponse {
  readonly status: number;
  readonly statusText: string;
  readonly #res: Response;
  readonly #buffered: ArrayBuffer | undefined;
  constructor(res: Response, buffered?: ArrayBuffer) {
    this.#res = res;
    this.#buffered = buffered;
    this.status = res.status;
    this.statusText = res.statusText;
  }
  header(name: string): string | null {
    return this.#res.headers.get(name);
  }
  headers(): Headers {
    return this.#res.headers;
  }
  text(): string | Promise<string> {
    return this.#buffered ? utf8.decode(this.#buffered) : this.#res.text();
  }
  arrayBuffer(): ArrayBuffer | Promise<ArrayBuffer> {
    return this.#buffered ?? this.#res.arrayBuffer();
  }
  toResponse(): Response {
    const { status, statusText, headers } = this.#res;
    const empty = status === 204 || status === 205 || status === 304;
    return this.#buffered ? new Response(empty ? null : this.#buffered, { status, statusText, headers }) : this.#res;
  }
}
