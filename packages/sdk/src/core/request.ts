/**
 * One logical call: auth and default headers, timeout, retries, logging, metrics, response checks
 * and error mapping. Every path of the client (operations, raw requests, streams) goes through
 * {@link Runner.run}: arguments are turned into bytes once, sent once per attempt, and the answer is
 * read and parsed once.
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
import { collectSecretValues, type Logger, type LogLevel } from "./logger.js";
import type { ClientHooks, Metrics } from "./metrics.js";
import type { ResponseKind } from "./operation-types.js";
import { defaultSleep, isIdempotentMethod, isRetryableError, type RetryOptions, retryDelayMs } from "./retry.js";
import { type Deadline, startDeadline } from "./timeout.js";
import { isNeverSent, type Transport, type WireResponse } from "./transport.js";

/** Everything the runner needs from the client. */
export interface RunnerConfig {
  transport: Transport;
  /** Default headers, lower-case names. */
  headers: Record<string, string>;
  authorization: string | undefined;
  /** Said on a 401: where the password comes from. */
  authHint: string;
  timeoutMs: number;
  maxRetries: number;
  retry: RetryOptions;
  logger: Logger & { level: LogLevel };
  metrics: Metrics;
  hooks: ClientHooks;
  /** Values to redact from logs and errors; secret-looking request fields are added to it. */
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
}

/** A successful call: the parsed data and the answer. */
export interface RunResult {
  data: unknown;
  wire: WireResponse;
}

type Info = { operationId: string | undefined; method: string; path: string; attempt: number };

const safeHook = (fn: () => void) => {
  try {
    fn();
  } catch {
    /* hooks must not break requests */
  }
};

/** Executes calls for one client. @example `await new Runner(cfg).run({ operationId: undefined, method: "GET", url, path })` */
export class Runner {
  readonly #cfg: RunnerConfig;
  readonly #active = new Set<Deadline>();
  readonly #closed = new AbortController();

  constructor(cfg: RunnerConfig) {
    this.#cfg = cfg;
  }

  /** Aborts every call in flight and refuses new ones. */
  close(reason: unknown): void {
    this.#closed.abort(reason);
    for (const d of this.#active) d.cancel(reason);
    this.#active.clear();
  }

  /** Runs a call; resolves with a 2xx answer (checked and parsed per `expect`), rejects with an {@link OpencodeError}. */
  async run(input: RunInput): Promise<RunResult> {
    const cfg = this.#cfg;
    const { method, path } = input;
    if (this.#closed.signal.aborted) throw new APIUserAbortError(method, path, this.#closed.signal.reason);
    const key = input.operationId ?? `${method} ${path}`;
    const idempotent = input.idempotent ?? isIdempotentMethod(method);
    const maxRetries = input.stream ? 0 : (input.maxRetries ?? cfg.maxRetries);
    const timeoutMs = input.timeoutMs ?? cfg.timeoutMs;
    const now = cfg.retry.now ?? Date.now;
    const headers: Record<string, string> = input.headers ? { ...cfg.headers, ...input.headers } : { ...cfg.headers };
    if (cfg.authorization && headers.authorization === undefined) headers.authorization = cfg.authorization;
    headers.accept ??= input.stream ? "text/event-stream" : "application/json";
    const debug = cfg.logger.level === "debug";
    const hooks = cfg.hooks;

    cfg.metrics.recordStart(key);
    const started = now();
    const finish = (failed: boolean) => cfg.metrics.recordEnd(key, now() - started, failed);

    for (let attempt = 1; ; attempt++) {
      const info: Info = { operationId: input.operationId, method, path, attempt };
      cfg.metrics.recordAttempt();
      if (hooks.onRequest) safeHook(() => hooks.onRequest?.(info));
      if (debug) {
        cfg.logger.debug(`→ ${method} ${path}`, {
          operationId: input.operationId,
          attempt,
          headers,
          body: describeRequestBody(input.body, headers),
        });
      }
      const t0 = now();
      const deadline = startDeadline(timeoutMs, input.signal);
      this.#active.add(deadline);
      let error: OpencodeError;
      let status: number | undefined;
      try {
        const wire = await cfg.transport.send(
          { method, url: input.url, headers, body: input.body, signal: deadline.signal },
          input.stream ? "stream" : "buffer",
        );
        status = wire.status;
        const ok = status >= 200 && status < 300;
        if (ok && input.stream) {
          deadline.stopClock();
          this.#active.delete(deadline);
          this.#emitResponse(info, status, now() - t0);
          const mismatch = input.expect && mediaMismatch("sse", wire.header("content-type"));
          if (mismatch) {
            wire
              .toResponse()
              .body?.cancel()
              .catch(() => {});
            throw this.#invalid(info, wire, mismatch, false);
          }
          finish(false);
          return { data: undefined, wire };
        }
        deadline.clear();
        this.#active.delete(deadline);
        this.#emitResponse(info, status, now() - t0);
        if (ok) {
          const data = input.expect
            ? await parseData(input.expect, wire, (reason, retryable, cause) =>
                this.#invalid(info, wire, reason, retryable, cause),
              )
            : undefined;
          finish(false);
          return { data, wire };
        }
        const body = parseBodyText(await wire.text());
        error = makeAPIError({
          status,
          method,
          path,
          body,
          headers: wire.headers(),
          attempts: attempt,
          secrets: cfg.secrets,
          ...(status === 401 ? { hint: cfg.authHint } : {}),
        });
      } catch (caught) {
        deadline.clear();
        this.#active.delete(deadline);
        if (deadline.userAborted() || deadline.cancelled()) {
          const abort = new APIUserAbortError(method, path, deadline.cancelled() ? deadline.signal.reason : input.signal?.reason);
          this.#fail(info, abort, now() - t0, status);
          finish(true);
          throw abort;
        }
        if (deadline.timedOut()) error = new APITimeoutError({ method, path, timeoutMs, attempts: attempt });
        else if (caught instanceof OpencodeError) error = caught;
        else error = new APIConnectionError({ method, path, cause: caught, neverSent: isNeverSent(caught), attempts: attempt });
        if (status === undefined) this.#emitResponse(info, undefined, now() - t0, error);
      }

      const retryable =
        attempt <= maxRetries &&
        (isRetryableError(error, { idempotent }) || (idempotent && error instanceof InvalidResponseError && error.retryable));
      const delayMs = retryable
        ? retryDelayMs(attempt, "headers" in error ? (error as APIError).headers : undefined, cfg.retry)
        : undefined;
      if (delayMs === undefined) {
        this.#fail(info, error, now() - t0, status);
        finish(true);
        throw error;
      }
      cfg.metrics.recordRetry();
      if (hooks.onRetry) safeHook(() => hooks.onRetry?.({ ...info, retry: attempt, delayMs, error }));
      cfg.logger.info(`retrying ${method} ${path} in ${delayMs} ms (retry ${attempt}/${maxRetries})`, {
        reason: error.message,
      });
      const sleepSignal = input.signal ? AbortSignal.any([input.signal, this.#closed.signal]) : this.#closed.signal;
      try {
        await (cfg.retry.sleep ?? defaultSleep)(delayMs, sleepSignal);
      } catch {
        finish(true);
        throw new APIUserAbortError(method, path, sleepSignal.reason);
      }
      if (this.#closed.signal.aborted) {
        finish(true);
        throw new APIUserAbortError(method, path, this.#closed.signal.reason);
      }
    }
  }

  /** Adds the values of secret-looking fields of a request body, so errors and logs redact their echoes. */
  collectSecrets(body: unknown): void {
    if (body !== null && typeof body === "object") collectSecretValues(body, this.#cfg.secrets);
  }

  #invalid(info: Info, wire: WireResponse, reason: string, retryable: boolean, cause?: unknown): InvalidResponseError {
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

  #emitResponse(info: Info, status: number | undefined, durationMs: number, error?: unknown): void {
    const cfg = this.#cfg;
    if (cfg.logger.level === "debug") {
      cfg.logger.debug(`← ${info.method} ${info.path} ${status ?? "no response"} in ${Math.round(durationMs)} ms`);
    }
    const hook = cfg.hooks.onResponse;
    if (hook) safeHook(() => hook({ ...info, status, durationMs, error }));
  }

  #fail(info: Info, error: OpencodeError, durationMs: number, status: number | undefined): void {
    const cfg = this.#cfg;
    const serious =
      !(error instanceof APIUserAbortError) && (status === undefined || status >= 500 || error instanceof InvalidResponseError);
    (serious ? cfg.logger.warn : cfg.logger.debug)(`${error.message}`, { attempts: info.attempt });
    const hook = cfg.hooks.onError;
    if (hook) safeHook(() => hook({ ...info, status, durationMs, error }));
  }
}

const essence = (contentType: string | null) => (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
const isJson = (type: string) => type === "application/json" || type.endsWith("+json");

/** Why an answer's media type is not the spec's, or undefined when it matches. */
function mediaMismatch(expect: ResponseKind, contentType: string | null): string | undefined {
  const type = essence(contentType);
  const ok =
    expect === "json"
      ? isJson(type)
      : expect === "sse"
        ? type === "text/event-stream"
        : expect === "text"
          ? type.startsWith("text/") && type !== "text/html"
          : type !== "text/html";
  return ok ? undefined : `not an opencode API response: ${type || "no content type"}; wrong baseUrl or server version?`;
}

type Invalid = (reason: string, retryable: boolean, cause?: unknown) => InvalidResponseError;

async function parseData(expect: ResponseKind, wire: WireResponse, invalid: Invalid): Promise<unknown> {
  const status = wire.status;
  if (status === 204 || status === 205) return undefined;
  if (expect === "binary") {
    const mismatch = mediaMismatch(expect, wire.header("content-type"));
    if (mismatch) throw invalid(mismatch, false);
    return new Blob([await wire.arrayBuffer()], { type: wire.header("content-type") ?? "" });
  }
  const text = await wire.text();
  // A route declared without content (204) that answers 200 with an empty body: nothing to check.
  if (!text && expect === "none") return undefined;
  const mismatch = mediaMismatch(expect === "none" ? "json" : expect, wire.header("content-type"));
  if (mismatch) throw invalid(mismatch, false);
  if (expect === "text") return text;
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw invalid(`invalid JSON in the response body (${text.length} characters: ${detail})`, true, cause);
  }
}

function describeRequestBody(body: RunInput["body"], headers: Record<string, string>): unknown {
  if (body === undefined) return undefined;
  if (typeof body === "string" && (headers["content-type"] ?? "").includes("json") && body.length <= 4_000) {
    // Parsed so the logger can redact by key (auth.set's `key`, passwords …).
    const parsed = parseBodyText(body);
    if (parsed !== null && typeof parsed === "object") return parsed;
  }
  return `[${typeof body === "string" ? body.length : body.byteLength} bytes]`;
}
