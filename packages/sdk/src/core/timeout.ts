/**
 * Timeouts and aborts of one attempt. A call's `timeoutMs` runs from the first byte sent until the
 * response is complete (for ordinary calls) or until the headers arrived (for streams, which then run
 * unbounded). Default: 10 minutes; `0` or `Infinity` disables it.
 */

/** Default per-call timeout (10 minutes). @example `createOpencodeClient({ timeoutMs: DEFAULT_TIMEOUT_MS * 2 })` */
export const DEFAULT_TIMEOUT_MS = 600_000;

/** Why an attempt was aborted. */
export type AbortCause = "timeout" | "user" | "closed";

// A new AbortSignal costs more CPU than the rest of a call (Node's EventTarget set-up), so buffered
// calls without a caller's signal reuse controllers that were not aborted. A reused signal is safe:
// the fetch it was given earlier has finished reading its body, so it has nothing left to abort.
const REUSES = 16;
type Pooled = { controller: AbortController; uses: number };

const onTimeout = (a: Attempt, ms: number) => a.abort("timeout", new DOMException(`timed out after ${ms} ms`, "TimeoutError"));

/**
 * One attempt's abort handle: aborts on the caller's signal, after `timeoutMs`, or by `abort()`
 * (the client closing), and tells which one happened.
 *
 * @example
 * ```ts
 * const a = new Attempt(5_000, userSignal);
 * try { await fetch(url, { signal: a.signal }); } finally { a.done(); }
 * ```
 */
export class Attempt {
  /** Set once the attempt was aborted. */
  cause: AbortCause | undefined;
  readonly #pooled: Pooled;
  readonly #pool: Pooled[] | undefined;
  readonly #user: AbortSignal | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `pool`: reuse a controller from it and give it back on `done()` (buffered calls without `user`). */
  constructor(timeoutMs: number | undefined, user?: AbortSignal, pool?: Pooled[]) {
    this.#pool = user ? undefined : pool;
    this.#pooled = this.#pool?.pop() ?? { controller: new AbortController(), uses: 0 };
    this.#user = user;
    if (user?.aborted) this.abort("user", user.reason);
    else user?.addEventListener("abort", this);
    if (timeoutMs && timeoutMs > 0 && timeoutMs < 2 ** 31) this.#timer = setTimeout(onTimeout, timeoutMs, this, timeoutMs);
  }

  get signal(): AbortSignal {
    return this.#pooled.controller.signal;
  }

  /** The caller's signal fired. @internal */
  handleEvent(): void {
    this.abort("user", this.#user?.reason);
  }

  abort(cause: AbortCause, reason: unknown): void {
    if (this.cause) return;
    this.cause = cause;
    this.stopClock();
    this.#pooled.controller.abort(reason);
  }

  /** Stops the clock (stream headers arrived). */
  stopClock(): void {
    clearTimeout(this.#timer);
  }

  /** The attempt is over: clock and listener gone, the controller back in the pool when it can be reused. */
  done(): void {
    this.stopClock();
    this.#user?.removeEventListener("abort", this);
    const p = this.#pooled;
    if (this.#pool && !p.controller.signal.aborted && ++p.uses < REUSES && this.#pool.length < 8) this.#pool.push(p);
  }
}
