/**
 * Timeouts. A call's `timeoutMs` runs from the first byte sent until the response is complete
 * (for ordinary calls) or until the headers arrived (for streams, which then run unbounded).
 * Default: 10 minutes; `0` or `Infinity` disables it.
 */

/** Default per-call timeout (10 minutes). @example `createOpencodeClient({ timeoutMs: DEFAULT_TIMEOUT_MS * 2 })` */
export const DEFAULT_TIMEOUT_MS = 600_000;

/** Abort reason used when a deadline passes, to tell it from a user abort. */
export class TimeoutReason extends Error {
  override name = "TimeoutError";
}

/** One attempt's abort handle, see {@link startDeadline}. */
export interface Deadline {
  signal: AbortSignal;
  timedOut: () => boolean;
  userAborted: () => boolean;
  /** Aborted by the client (`close()`), not by the caller or the clock. */
  cancelled: () => boolean;
  cancel: (reason: unknown) => void;
  stopClock: () => void;
  clear: () => void;
}

/**
 * One attempt's abort handle: aborts on the user's signal or after `timeoutMs`, tells which one
 * happened, and can stop the clock (e.g. once stream headers arrived).
 *
 * @example
 * ```ts
 * const d = startDeadline(5_000, userSignal);
 * try { await fetch(url, { signal: d.signal }); } finally { d.clear(); }
 * ```
 */
export function startDeadline(timeoutMs: number | undefined, userSignal?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  let cancelled = false;
  const onUser = () => controller.abort(userSignal?.reason);
  if (userSignal?.aborted) onUser();
  else userSignal?.addEventListener("abort", onUser, { once: true });
  const timer =
    timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new TimeoutReason(`timed out after ${timeoutMs} ms`));
        }, timeoutMs)
      : undefined;
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    userAborted: () => !timedOut && userSignal?.aborted === true,
    cancelled: () => cancelled,
    cancel: (reason: unknown) => {
      if (controller.signal.aborted) return;
      cancelled = true;
      clearTimeout(timer);
      controller.abort(reason);
    },
    stopClock: () => clearTimeout(timer),
    clear: () => {
      clearTimeout(timer);
      userSignal?.removeEventListener("abort", onUser);
    },
  };
}
