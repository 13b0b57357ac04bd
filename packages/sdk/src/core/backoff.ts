/** Capped exponential backoff with downward jitter: the one delay rule of request retries and event-stream reconnects. */

/** Tunables of `backoffDelayMs`. */
export interface BackoffOptions {
  /** Delay of the first attempt, doubled per attempt. */
  initialDelayMs: number;
  /** Cap of the delay. */
  maxDelayMs: number;
  /** Random source in [0, 1) for jitter (default Math.random). */
  random?: () => number;
}

/** Up to this fraction is taken off each delay, so clients that failed together do not retry together. */
const JITTER = 0.25;

/**
 * Delay before attempt `attempt` (1-based): `initialDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`,
 * minus up to 25 % jitter, rounded to whole milliseconds.
 *
 * @example
 * ```ts
 * backoffDelayMs(3, { initialDelayMs: 250, maxDelayMs: 10_000, random: () => 0 }); // 1000
 * ```
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const base = Math.min(options.initialDelayMs * 2 ** Math.max(0, attempt - 1), options.maxDelayMs);
  return Math.round(base * (1 - (options.random ?? Math.random)() * JITTER));
}
