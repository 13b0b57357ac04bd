/**
 * One logical call: auth and default headers, timeout, retries, logging, metrics and error mapping.
 * Every path of the client (generated operations, raw requests, streams) goes through {@link Runner.run}.
 */
import {
  APIConnectionError,
  type APIError,
  APITimeoutError,
  APIUserAbortError,
  makeAPIError,
  OpencodeError,
  parseBodyText,
} from "./errors.js";
import { collectSecretValues, type Logger } from "./logger.js";
import type { ClientHooks, Metrics } from "./metrics.js";
import { defaultSleep, isIdempotentMethod, isRetryableError, type RetryOptions, retryDelayMs } from "./retry.js";
import { startDeadline } from "./timeout.js";
import { isNeverSent } from "./transport.js";

/** Everything the runner needs from the client. */
export interface RunnerConfig {
  fetch: typeof fetch;
  headers: Record<string, string>;
  authorization: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  retry: RetryOptions;
  logger: Logger;
  metrics: Metrics;
  hooks: ClientHooks;
  /** Values to redact from logs; secret-looking request fields are added to it. */
  secrets?: Set<string>;
}

/** One call. */
export interface RunInput {
  operationId: string | undefined;
  method: string;
  url: string;
  headers?: Headers | Record<string, string>;
  body?: string | Uint8Array | ArrayBuffer | null;
  signal?: AbortSignal | null;
  timeoutMs?: number;
  maxRetries?: number;
  /** Override the method-based idempotency (e.g. a POST the caller knows is safe to repeat). */
  idempotent?: boolean;
  /** Streams: the timeout stops once headers arrived, the body is not buffered, nothing is retried. */
  stream?: boolean;
}

const SAFE_HOOK = (fn: () => void) => {
  try {
    fn();
  } catch {
    /* hooks must not break requests */
  }
};

/** Executes calls for one client. @example `await new Runner(cfg).run({ operationId: undefined, method: "GET", url })` */
export class Runner {
  constructor(private readonly cfg: RunnerConfig) {}

  /** Runs a call; resolves with a 2xx response (buffered unless `stream`), rejects with an {@link OpencodeError}. */
  async run(input: RunInput): Promise<Response> {
    const { cfg } = this;
    const method = input.method.toUpperCase();
    const path = safePath(input.url);
    const key = input.operationId ?? `${method} ${path}`;
    const idempotent = input.idempotent ?? isIdempotentMethod(method);
    const maxRetries = input.stream ? 0 : (input.maxRetries ?? cfg.maxRetries);
    const timeoutMs = input.timeoutMs ?? cfg.timeoutMs;
    const sleep = cfg.retry.sleep ?? defaultSleep;
    const now = cfg.retry.now ?? Date.now;
    const headers = new Headers(cfg.headers);
    new Headers(input.headers ?? {}).forEach((v, k) => {
      headers.set(k, v);
    });
    if (cfg.authorization && !headers.has("authorization")) headers.set("authorization", cfg.authorization);
    if (!headers.has("accept")) headers.set("accept", input.stream ? "text/event-stream" : "application/json");

    cfg.metrics.recordStart(key);
    const started = now();
    const finish = (failed: boolean) => cfg.metrics.recordEnd(key, now() - started, failed);

    for (let attempt = 1; ; attempt++) {
      const info = { operationId: input.operationId, method, path, attempt };
      cfg.metrics.recordAttempt();
      SAFE_HOOK(() => cfg.hooks.onRequest?.(info));
      cfg.logger.debug(`→ ${method} ${path}`, {
        operationId: input.operationId,
        attempt,
        headers,
        body: describeRequestBody(input.body, headers, cfg.secrets),
      });
      const t0 = now();
      const deadline = startDeadline(timeoutMs, input.signal ?? undefined);
      let error: OpencodeError;
      let status: number | undefined;
      try {
        const res = await cfg.fetch(input.url, {
          method,
          headers,
          body: (input.body ?? undefined) as BodyInit | undefined,
          signal: deadline.signal,
          redirect: "follow",
        });
        status = res.status;
        if (res.ok && input.stream) {
          deadline.stopClock();
          this.emitResponse(info, status, now() - t0);
          finish(false);
          return res;
        }
        const buffer = await res.arrayBuffer();
        deadline.clear();
        this.emitResponse(info, status, now() - t0);
        if (res.ok) {
          finish(false);
          const empty = status === 204 || status === 205 || status === 304;
          return new Response(empty ? null : buffer, { status, statusText: res.statusText, headers: res.headers });
        }
        const body = parseBodyText(new TextDecoder().decode(buffer));
        error = makeAPIError({ status, method, path, body, headers: res.headers, attempts: attempt });
      } catch (caught) {
        deadline.clear();
        if (deadline.userAborted()) {
          const abort = new APIUserAbortError(method, path, input.signal?.reason);
          this.fail(info, abort, now() - t0, status);
          finish(true);
          throw abort;
        }
        if (deadline.timedOut()) error = new APITimeoutError({ method, path, timeoutMs, attempts: attempt });
        else if (caught instanceof OpencodeError) error = caught;
        else error = new APIConnectionError({ method, path, cause: caught, neverSent: isNeverSent(caught), attempts: attempt });
        if (status === undefined) this.emitResponse(info, undefined, now() - t0, error);
      }

      const retryable = attempt <= maxRetries && isRetryableError(error, { idempotent });
      const delayMs = retryable
        ? retryDelayMs(attempt, "headers" in error ? (error as APIError).headers : undefined, cfg.retry)
        : undefined;
      if (delayMs === undefined) {
        this.fail(info, error, now() - t0, status);
        finish(true);
        throw error;
      }
      cfg.metrics.recordRetry();
      SAFE_HOOK(() => cfg.hooks.onRetry?.({ ...info, retry: attempt, delayMs, error }));
      cfg.logger.info(`retrying ${method} ${path} in ${delayMs} ms (retry ${attempt}/${maxRetries})`, {
        reason: error.message,
      });
      try {
        await sleep(delayMs, input.signal ?? undefined);
      } catch {
        const abort = new APIUserAbortError(method, path, input.signal?.reason);
        finish(true);
        throw abort;
      }
    }
  }

  private emitResponse(
    info: { operationId: string | undefined; method: string; path: string; attempt: number },
    status: number | undefined,
    durationMs: number,
    error?: unknown,
  ): void {
    this.cfg.logger.debug(`← ${info.method} ${info.path} ${status ?? "no response"} in ${Math.round(durationMs)} ms`);
    SAFE_HOOK(() => this.cfg.hooks.onResponse?.({ ...info, status, durationMs, error }));
  }

  private fail(
    info: { operationId: string | undefined; method: string; path: string; attempt: number },
    error: OpencodeError,
    durationMs: number,
    status: number | undefined,
  ): void {
    const serious = !(error instanceof APIUserAbortError) && (status === undefined || status >= 500);
    (serious ? this.cfg.logger.warn : this.cfg.logger.debug)(`${error.message}`, { attempts: info.attempt });
    SAFE_HOOK(() => this.cfg.hooks.onError?.({ ...info, status, durationMs, error }));
  }
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split("?")[0] ?? url;
  }
}

function describeRequestBody(body: RunInput["body"], headers: Headers, secrets?: Set<string>): unknown {
  if (body === undefined || body === null) return undefined;
  const text = typeof body === "string" ? body : undefined;
  if (text !== undefined && (headers.get("content-type") ?? "").includes("json")) {
    // Parsed so the logger can redact by key (auth.set's `key`, passwords …); long bodies are cut.
    const parsed = text.length > 4_000 ? undefined : parseBodyText(text);
    if (parsed !== null && typeof parsed === "object") {
      if (secrets) collectSecretValues(parsed, secrets);
      return parsed;
    }
  }
  return `[${typeof body === "string" ? body.length : body.byteLength} bytes]`;
}
