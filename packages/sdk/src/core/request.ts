/**
 * One logical call: auth and default headers, timeout, retries, logging, metrics, response checks
 * and error mapping. Every path of the client (operations, raw requests, streams) goes through
 * {@link Runner.run}: arguments are turned into bytes once, sent once per attempt, and the answer is
 * read and parsed once. Logging, metrics and hooks (an {@link Observer}) only in full clients.
 */
import {
  APIConnectionError,
  type APIError,
  APITimeoutError,
  APIUserAbortError,
  InvalidResponseError,
  makeAPIError,
  OpencodeError,
  parseBodyText,
} from "./errors.js";
import type { AttemptInfo as Info, Observer } from "./observe.js";
import type { ResponseKind } from "./operation-types.js";
import { collectSecretValues } from "./redact.js";
import { defaultSleep, isIdempotentMethod, type RetryOptions, retryable, retryDelayMs } from "./retry.js";
import { Attempt } from "./timeout.js";
import { isMarkedNeverSent, type Transport, type WireResponse } from "./transport.js";

/** Everything the runner needs from the client. */
export interface RunnerConfig {
  transport: Transport;
  /** Default headers with the authorization, lower-case names. */
  headers: Record<string, string>;
  /** Said on a 401: where the password comes from. */
  authHint: string;
  timeoutMs: number;
  maxRetries: number;
  retry: RetryOptions;
  /** Logging, hooks and metrics (full clients only). */
  observer?: Observer | undefined;
  /** Values to redact from errors (and logs); secret-looking request fields are added to it. */
  secrets: Set<string>;
}

/** One call. */
export interface RunInput {
  operationId: string | undefined;
  method: string;
  url: string;
  /** The path for messages, metrics and hooks (no query). */
  path: string;
  /** Per-call headers, lower-case names. */
  headers?: Record<string, string> | undefined;
  body?: string | Uint8Array | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  /** Override the method-based idempotency (e.g. a POST the caller knows is safe to repeat). */
  idempotent?: boolean | undefined;
  /** Streams: the timeout stops once headers arrived, the body is not buffered, nothing is retried. */
  stream?: boolean;
  /** What the spec says the route returns; checked and parsed. Undefined: any answer, not parsed. */
  expect?: ResponseKind | undefined;
  /** `Accept` from the spec's media types (binary and text routes); default: JSON, or the event stream for streams. */
  accept?: string | undefined;
}

/** A successful call: the parsed data (a stream's: its `Response`), and the answer as a `Response` only when asked for (most callers never do). */
export class RunResult {
  readonly data: unknown;
  readonly wire: WireResponse;
  #response: Response | undefined;
  constructor(data: unknown, wire: WireResponse) {
    this.data = data;
    this.wire = wire;
  }
  get response(): Response {
    this.#response ??= this.wire.toResponse();
    return this.#response;
  }
}

/** Executes calls for one client. @example `await new Runner(cfg).run({ operationId: undefined, method: "GET", url, path })` */
export class Runner {
  readonly #cfg: RunnerConfig;
  readonly #active = new Set<Attempt>();
  readonly #closed = new AbortController();
  readonly #pool: { controller: AbortController; uses: number }[] = [];
  // The same headers object for every call that adds none: the transport copies what it sends.
  readonly #json: Record<string, string>;
  readonly #sse: Record<string, string>;

  constructor(cfg: RunnerConfig) {
    this.#cfg = cfg;
    this.#json = { accept: "application/json", ...cfg.headers };
    this.#sse = { accept: "text/event-stream", ...cfg.headers };
  }

  /** Aborts every call in flight and refuses new ones. */
  close(reason: unknown): void {
    this.#closed.abort(reason);
    for (const a of this.#active) a.abort("closed", reason);
    this.#active.clear();
  }

  /** Runs a call; resolves with a 2xx answer (checked and parsed per `expect`), rejects with an {@link OpencodeError}. */
  async run(input: RunInput): Promise<RunResult> {
    const cfg = this.#cfg;
    const { method, path, stream, expect, operationId, signal } = input;
    const closed = this.#closed.signal;
    if (closed.aborted) throw new APIUserAbortError(method, path, closed.reason);
    const idempotent = input.idempotent ?? isIdempotentMethod(method);
    const maxRetries = stream ? 0 : (input.maxRetries ?? cfg.maxRetries);
    const timeoutMs = input.timeoutMs ?? cfg.timeoutMs;
    const o = cfg.observer;
    const key = o ? (operationId ?? `${method} ${path}`) : "";
    const base = stream ? this.#sse : this.#json;
    const headers =
      input.headers || input.accept ? { ...base, ...(input.accept && { accept: input.accept }), ...input.headers } : base;
    const started = o ? o.start(key) : 0;

    for (let attempt = 1; ; attempt++) {
      const info = { operationId, method, path, attempt };
      const t0 = o ? o.request(info, headers, input.body) : 0;
      const a = new Attempt(timeoutMs, signal, stream ? undefined : this.#pool);
      this.#active.add(a);
      let error: OpencodeError;
      let wire: WireResponse | undefined;
      try {
        const w = await cfg.transport.send(
          { method, url: input.url, headers, body: input.body, signal: a.signal },
          stream ? "stream" : "buffer",
        );
        wire = w;
        const status = w.status;
        const ok = status >= 200 && status < 300;
        // A stream's attempt goes on (the caller's signal still stops it); a buffered one is over.
        if (ok && stream) a.stopClock();
        else a.done();
        this.#active.delete(a);
        o?.response(info, status, t0);
        if (ok) {
          let data: unknown;
          if (stream) {
            data = w.toResponse();
            const mismatch = expect && mediaMismatch("sse", w.header("content-type"));
            if (mismatch) {
              (data as Response).body?.cancel().catch(() => {});
              throw invalidResponse(info, w, mismatch, false);
            }
          } else if (expect && status !== 204 && status !== 205) {
            const body = expect === "binary" ? w.arrayBuffer() : w.text();
            data = parseData(expect, w, info, body instanceof Promise ? await body : body);
          }
          o?.end(key, started, false);
          return new RunResult(data, w);
        }
        error = makeAPIError({
          status,
          method,
          path,
          body: parseBodyText(await w.text()),
          headers: w.headers(),
          attempts: attempt,
          secrets: cfg.secrets,
          hint: status === 401 ? cfg.authHint : undefined,
        });
      } catch (caught) {
        a.done();
        this.#active.delete(a);
        // An abort is never retried (nor a response of its own): it goes straight to the failure below.
        const aborted = a.cause === "user" || a.cause === "closed";
        if (aborted) error = new APIUserAbortError(method, path, a.signal.reason);
        else if (a.cause === "timeout") error = new APITimeoutError({ method, path, timeoutMs, attempts: attempt });
        else if (caught instanceof OpencodeError) error = caught;
        else
          error = new APIConnectionError({
            method,
            path,
            cause: caught,
            neverSent: isMarkedNeverSent(caught),
            attempts: attempt,
          });
        if (!wire && !aborted) o?.response(info, undefined, t0, error);
      }

      const again =
        attempt <= maxRetries &&
        (retryable(error, idempotent) || (idempotent && error instanceof InvalidResponseError && error.retryable));
      const delayMs = again ? retryDelayMs(attempt, (error as APIError).headers, cfg.retry) : undefined;
      if (delayMs === undefined) {
        o?.fail(info, error, t0, wire?.status);
        o?.end(key, started, true);
        throw error;
      }
      o?.retry(info, delayMs, error, maxRetries);
      const sleepSignal = signal ? AbortSignal.any([signal, closed]) : closed;
      try {
        await (cfg.retry.sleep ?? defaultSleep)(delayMs, sleepSignal);
        sleepSignal.throwIfAborted();
      } catch {
        o?.end(key, started, true);
        throw new APIUserAbortError(method, path, sleepSignal.reason);
      }
    }
  }

  /** Adds the values of secret-looking fields of a request body, so errors and logs redact their echoes. */
  collectSecrets(body: unknown): void {
    collectSecretValues(body, this.#cfg.secrets);
  }
}

/** Why an answer's media type is not the spec's, or undefined when it matches. */
function mediaMismatch(expect: ResponseKind, contentType: string | null): string | undefined {
  const type = contentType === "application/json" ? contentType : ((contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "");
  const ok =
    expect === "json"
      ? type === "application/json" || type.endsWith("+json")
      : expect === "sse"
        ? type === "text/event-stream"
        : type !== "text/html" && (expect !== "text" || type.startsWith("text/"));
  return ok ? undefined : `not an opencode API response: ${type || "no content type"}; wrong baseUrl or server version?`;
}

function invalidResponse(
  info: Info,
  wire: WireResponse,
  reason: string,
  retryable: boolean,
  cause?: unknown,
): InvalidResponseError {
  return new InvalidResponseError({
    method: info.method,
    path: info.path,
    status: wire.status,
    contentType: wire.header("content-type"),
    reason,
    retryable,
    cause,
    attempts: info.attempt,
  });
}

/** The data of a 2xx answer (not 204/205) from its body, checked against the spec's media type. */
function parseData(expect: ResponseKind, wire: WireResponse, info: Info, body: string | ArrayBuffer): unknown {
  const type = wire.header("content-type");
  // A route declared without content (204) that answers 200 with an empty body: nothing to check.
  if (!body && expect === "none") return undefined;
  const mismatch = mediaMismatch(expect === "none" ? "json" : expect, type);
  if (mismatch) throw invalidResponse(info, wire, mismatch, false);
  if (typeof body !== "string") return new Blob([body], { type: type ?? "" });
  if (expect === "text") return body;
  if (!body) return undefined;
  try {
    return JSON.parse(body);
  } catch (cause) {
    const reason = `invalid JSON in the response body (${body.length} characters: ${(cause as Error).message})`;
    throw invalidResponse(info, wire, reason, true, cause);
  }
}
