/**
 * Retry policy. One policy for the client and for user code ({@link withRetry}).
 *
 * What is retried:
 * - idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE): connection errors, timeouts,
 *   HTTP 408, 409, 429 and 5xx;
 * - any other request (POST, PATCH: a prompt above all): only an {@link APIConnectionError} with
 *   `neverSent` true, i.e. the TCP connection was never established (refused, DNS failure, unreachable
 *   host, connect timeout), so not one byte of the request left this process. A reset, a timeout or
 *   any HTTP answer after the connection was up is NOT retried: the server may already have acted.
 */
import { backoffDelayMs } from "./backoff.js";
import { APIConnectionError, APIError, APITimeoutError, OpencodeError } from "./errors.js";
import { isNeverSent } from "./transport.js";

/** Tunables of the retry policy; everything time-related is injectable so tests are exact. */
export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** First backoff delay (default 500 ms), doubled per retry. */
  initialDelayMs?: number;
  /** Cap of the exponential backoff (default 8 s). */
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured (default 60 s); longer values are not waited for and the error is thrown. */
  maxRetryAfterMs?: number;
  /** Random source in [0, 1) for jitter (default Math.random). */
  random?: () => number;
  /** Sleep (default setTimeout-based, abortable). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Clock for HTTP-date `Retry-After` (default Date.now). */
  now?: () => number;
}

/** Defaults of {@link RetryOptions}. @example `const { maxRetries } = RETRY_DEFAULTS;` */
export const RETRY_DEFAULTS = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
} as const;

/**
 * Whether an HTTP method is idempotent (safe to repeat).
 *
 * @example
 * ```ts
 * isIdempotentMethod("GET"); // true
 * isIdempotentMethod("POST"); // false
 * ```
 */
export function isIdempotentMethod(method: string): boolean {
  return /^(GET|HEAD|OPTIONS|PUT|DELETE|TRACE)$/i.test(method);
}

/**
 * Whether an error may be retried for a request of the given idempotency.
 *
 * @example
 * ```ts
 * isRetryableError(err, { idempotent: false }); // only true for never-sent connection errors
 * ```
 */
export function isRetryableError(error: unknown, { idempotent }: { idempotent: boolean }): boolean {
  // A raw fetch error from user code: the same rule as a connection error, read from its cause chain.
  if (!(error instanceof OpencodeError) && error instanceof TypeError && error.message === "fetch failed") {
    return idempotent || isNeverSent(error);
  }
  return retryable(error, idempotent);
}

/** @internal {@link isRetryableError} for the SDK's own errors (what the client's runner sees). */
export function retryable(error: unknown, idempotent: boolean): boolean {
  if (error instanceof APIConnectionError) return idempotent || (error.neverSent && !(error instanceof APITimeoutError));
  return idempotent && error instanceof APIError && isRetryableStatus(error.status, error.headers);
}

/**
 * Whether an HTTP status is retryable (for idempotent requests). `x-should-retry` from the server wins.
 *
 * @example
 * ```ts
 * isRetryableStatus(503); // true
 * ```
 */
export function isRetryableStatus(status: number, headers?: Headers): boolean {
  const hint = headers?.get("x-should-retry");
  if (hint === "true") return true;
  if (hint === "false") return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Server-requested delay from `retry-after-ms` or `Retry-After` (seconds or HTTP date), if any.
 *
 * @example
 * ```ts
 * retryAfterMs(new Headers({ "retry-after": "2" })); // 2000
 * ```
 */
export function retryAfterMs(headers: Headers | undefined, now: () => number = Date.now): number | undefined {
  const ms = headers?.get("retry-after-ms")?.trim();
  const n = Number(ms);
  if (ms && n >= 0 && n < Number.POSITIVE_INFINITY) return n;
  const ra = headers?.get("retry-after")?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Number(ra) * 1000;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

/**
 * Delay before retry number `retry` (1-based): the server's `Retry-After` when present and within
 * `maxRetryAfterMs`, else the shared backoff (`backoffDelayMs`).
 * Returns undefined when the server asks for a wait longer than the cap (do not retry).
 *
 * @example
 * ```ts
 * retryDelayMs(1, undefined, { random: () => 0 }); // 500
 * ```
 */
export function retryDelayMs(retry: number, headers: Headers | undefined, options: RetryOptions = {}): number | undefined {
  const server = retryAfterMs(headers, options.now ?? Date.now);
  if (server !== undefined) {
    return server <= (options.maxRetryAfterMs ?? RETRY_DEFAULTS.maxRetryAfterMs) ? server : undefined;
  }
  return backoffDelayMs(retry, {
    initialDelayMs: options.initialDelayMs ?? RETRY_DEFAULTS.initialDelayMs,
    maxDelayMs: options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs,
    random: options.random,
  });
}

/**
 * Abortable sleep.
 *
 * @example
 * ```ts
 * await defaultSleep(100, AbortSignal.timeout(50)); // rejects with the abort reason
 * ```
 */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Options of {@link withRetry}. */
export interface WithRetryOptions extends RetryOptions {
  /** Is the operation safe to repeat? Default false: only never-sent connection errors are retried. */
  idempotent?: boolean;
  /** Stops waiting between attempts. */
  signal?: AbortSignal;
  /** Called before each retry with the error and the chosen delay. */
  onRetry?: (info: { retry: number; error: unknown; delayMs: number }) => void;
}

/**
 * Runs `fn` with the SDK's retry policy (see the module comment for exactly what is retried).
 *
 * @example
 * ```ts
 * const sessions = await withRetry(() => oc.session.list({ maxRetries: 0 }), { idempotent: true, maxRetries: 5 });
 * ```
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: WithRetryOptions = {}): Promise<T> {
  const maxRetries = options.maxRetries ?? RETRY_DEFAULTS.maxRetries;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt > maxRetries || !isRetryableError(error, { idempotent: options.idempotent ?? false })) throw error;
      const delayMs = retryDelayMs(attempt, error instanceof APIError ? error.headers : undefined, options);
      if (delayMs === undefined) throw error;
      options.onRetry?.({ retry: attempt, error, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}
