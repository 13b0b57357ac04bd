/**
 * What a full client reports about its calls: log records (redacted), tracing hooks and metrics.
 * Kept out of the core so a single-operation bundle (`createCore`) carries none of it; the runner
 * calls it only when a client has one.
 */
import { APIUserAbortError, InvalidResponseError, type OpencodeError, parseBodyText } from "./errors.js";
import { createLogger, type Logger, type LogLevel } from "./logger.js";
import type { ClientHooks, Metrics } from "./metrics.js";

/** One attempt of a call, as hooks see it. */
export type AttemptInfo = { operationId: string | undefined; method: string; path: string; attempt: number };

/** What the runner reports; every method is cheap when nothing listens. @internal */
export interface Observer {
  readonly logger: Logger & { level: LogLevel };
  /** A call starts; returns its start time. */
  start(key: string): number;
  request(info: AttemptInfo, headers: Record<string, string>, body: string | Uint8Array | undefined): number;
  response(info: AttemptInfo, status: number | undefined, t0: number, error?: unknown): void;
  retry(info: AttemptInfo, delayMs: number, error: OpencodeError, maxRetries: number): void;
  fail(info: AttemptInfo, error: OpencodeError, t0: number, status: number | undefined): void;
  end(key: string, started: number, failed: boolean): void;
}

// Hooks must not break requests; their argument is built only when there is a hook.
function hook<K extends keyof ClientHooks>(hooks: ClientHooks, name: K, arg: () => Parameters<NonNullable<ClientHooks[K]>>[0]) {
  try {
    (hooks[name] as ((a: unknown) => void) | undefined)?.call(hooks, arg());
  } catch {
    /* ignored */
  }
}

/**
 * The observer of a client from its `logger`, `logLevel`, `hooks`, `metrics` options.
 *
 * @example
 * ```ts
 * const o = createObserver({ logger: consoleLogger }, new Set(["secret"]), Date.now);
 * ```
 */
export function createObserver(
  options: { logger?: Logger; logLevel?: LogLevel; hooks?: ClientHooks; metrics?: Metrics },
  secrets: Set<string>,
  now: () => number,
): Observer {
  const logger = createLogger({ level: options.logLevel, logger: options.logger, secrets: () => secrets });
  const { metrics, hooks = {} } = options;
  const debug = logger.level === "debug";
  const timed = !!(metrics || hooks.onResponse || hooks.onError || debug);
  return {
    logger,
    start(key) {
      metrics?.recordStart(key);
      return metrics ? now() : 0;
    },
    request(info, headers, body) {
      metrics?.recordAttempt();
      hook(hooks, "onRequest", () => info);
      if (debug) {
        logger.debug(`→ ${info.method} ${info.path}`, {
          operationId: info.operationId,
          attempt: info.attempt,
          headers,
          body: describeBody(body),
        });
      }
      return timed ? now() : 0;
    },
    response(info, status, t0, error) {
      if (!timed) return;
      const durationMs = now() - t0;
      if (debug) logger.debug(`← ${info.method} ${info.path} ${status ?? "no response"} in ${Math.round(durationMs)} ms`);
      hook(hooks, "onResponse", () => ({ ...info, status, durationMs, error }));
    },
    retry(info, delayMs, error, maxRetries) {
      metrics?.recordRetry();
      hook(hooks, "onRetry", () => ({ ...info, retry: info.attempt, delayMs, error }));
      logger.info(`retrying ${info.method} ${info.path} in ${delayMs} ms (retry ${info.attempt}/${maxRetries})`, {
        reason: error.message,
      });
    },
    fail(info, error, t0, status) {
      const serious =
        !(error instanceof APIUserAbortError) && (status === undefined || status >= 500 || error instanceof InvalidResponseError);
      (serious ? logger.warn : logger.debug)(error.message, { attempts: info.attempt });
      hook(hooks, "onError", () => ({ ...info, status, durationMs: now() - t0, error }));
    },
    end(key, started, failed) {
      metrics?.recordEnd(key, now() - started, failed);
    },
  };
}

// JSON bodies parsed, so the logger can redact by key (auth.set's `key`, passwords …).
const describeBody = (body: string | Uint8Array | undefined): unknown =>
  typeof body === "string"
    ? body.length > 4_000
      ? `[${body.length} characters]`
      : parseBodyText(body)
    : body && `[${body.byteLength} bytes]`;
