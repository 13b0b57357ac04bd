/** A liveness timer for a long-lived connection: fires when nothing was seen for `timeoutMs`. */

/**
 * `touch()` records activity (cheap: one clock read, no timer work); a single timer checks the last
 * activity when it is due and re-arms itself for the rest of the period.
 *
 * @example
 * ```ts
 * const dog = new Watchdog(25_000, Date.now, () => connection.abort());
 * for await (const chunk of body) { dog.touch(); handle(chunk); }
 * dog.stop();
 * ```
 */
export class Watchdog {
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #onTimeout: () => void;
  #last: number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Starts watching; `timeoutMs` 0 (or less) never fires. */
  constructor(timeoutMs: number, now: () => number, onTimeout: () => void) {
    this.#timeoutMs = timeoutMs;
    this.#now = now;
    this.#onTimeout = onTimeout;
    this.#last = now();
    if (timeoutMs > 0) this.#arm(timeoutMs);
  }

  /** Something arrived. */
  touch(): void {
    this.#last = this.#now();
  }

  /** Stops watching (idempotent). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(this.#check, ms);
  }

  readonly #check = (): void => {
    this.#timer = undefined;
    const idle = this.#now() - this.#last;
    if (idle >= this.#timeoutMs) this.#onTimeout();
    else this.#arm(this.#timeoutMs - idle);
  };
}
