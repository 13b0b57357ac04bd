/** Typed outcomes of a prompt that did not end with an answer of its own. */
import type { AssistantMessage } from "@ocsdk/client";
import { OpencodeError } from "../core/errors.js";

/**
 * The session reported an error for this prompt (provider auth, rate limit, output length …).
 *
 * @example
 * ```ts
 * try { await run.finalText(); } catch (e) { if (e instanceof SessionError) console.log(e.errorName, e.statusCode); }
 * ```
 */
export class SessionError extends OpencodeError {
  override name = "SessionError";
  constructor(
    /** opencode's error name, e.g. `ProviderAuthError`, `APIError`. */
    readonly errorName: string,
    /** Its payload. */
    readonly data: Record<string, unknown>,
  ) {
    super(`${errorName}: ${String(data.message ?? "session error")}`);
  }
  /** HTTP status the provider answered, when the error came from it. */
  get statusCode(): number | undefined {
    return typeof this.data.statusCode === "number" ? this.data.statusCode : undefined;
  }
}

/**
 * The provider rejected the credentials (`ProviderAuthError`, or a provider 401/403).
 *
 * @example
 * ```ts
 * if (error instanceof ProviderAuthError) console.log("check the provider's API key");
 * ```
 */
export class ProviderAuthError extends SessionError {
  override name = "ProviderAuthError";
}

/**
 * The provider rate-limited the request (a provider 429).
 *
 * @example
 * ```ts
 * if (error instanceof ProviderRateLimitError) console.log(error.data.responseHeaders);
 * ```
 */
export class ProviderRateLimitError extends SessionError {
  override name = "ProviderRateLimitError";
}

/**
 * The provider kept failing and opencode kept retrying past `maxProviderRetries`.
 *
 * @example
 * ```ts
 * session.prompt("hi", { maxProviderRetries: 3 }).finalText().catch((e) => e instanceof ProviderRetryError);
 * ```
 */
export class ProviderRetryError extends SessionError {
  override name = "ProviderRetryError";
  constructor(
    readonly attempt: number,
    message: string,
  ) {
    super("ProviderRetryError", { message: `gave up after ${attempt} provider retries: ${message}` });
  }
}

/**
 * The prompt was aborted (by `abort()`, its signal, or on the server).
 *
 * @example
 * ```ts
 * await run.finalMessage().catch((e) => e instanceof PromptAbortedError);
 * ```
 */
export class PromptAbortedError extends OpencodeError {
  override name = "PromptAbortedError";
}

/**
 * opencode answers only the latest of the user messages waiting in a session: this prompt was sent
 * (with `delivery: "steer"`, or by another client meanwhile) while the session was busy, and a later
 * prompt's answer covered it. The model saw it; it has no answer of its own.
 *
 * @example
 * ```ts
 * run.finalText().catch((e) => { if (e instanceof PromptPassedOverError) console.log("answered by", e.answeredBy); });
 * ```
 */
export class PromptPassedOverError extends OpencodeError {
  override name = "PromptPassedOverError";
  constructor(
    /** Our user message. */
    readonly messageID: string,
    /** The later user message whose answer covered ours. */
    readonly answeredBy: string,
  ) {
    super(`prompt ${messageID} got no answer of its own: the session answered the later prompt ${answeredBy}`);
  }
}

/**
 * The typed error for an assistant message's (or the session's) error payload.
 *
 * @example
 * ```ts
 * const error = toSessionError({ name: "ProviderAuthError", data: { providerID: "x", message: "bad key" } });
 * ```
 */
export function toSessionError(error: NonNullable<AssistantMessage["error"]>): OpencodeError {
  const name = error.name;
  const data = (error as { data?: Record<string, unknown> }).data ?? {};
  if (name === "MessageAbortedError") return new PromptAbortedError(String(data.message ?? "aborted"));
  const status = typeof data.statusCode === "number" ? data.statusCode : undefined;
  if (name === "ProviderAuthError" || status === 401 || status === 403) return new ProviderAuthError(name, data);
  if (status === 429) return new ProviderRateLimitError(name, data);
  return new SessionError(name, data);
}
