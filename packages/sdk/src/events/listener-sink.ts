/**
 * The push counterpart of the subscriber queue: a producer hands items to a synchronous callback
 * as they come (no buffer, no await per item). The callback's error (thrown, or a rejected promise
 * it returns) ends the sink with that error; `done` settles once when the sink ends, whatever the reason.
 */

/** Options of {@link ListenerSink}. */
export interface ListenerSinkOptions {
  /** Ends the sink without an error. */
  signal?: AbortSignal | undefined;
  /** Called once when the sink ends, for whatever reason. */
  onClose?: () => void;
}

/**
 * Calls `listener` with every pushed item until it ends. `done` never becomes an unhandled rejection:
 * its error is there for whoever awaits it.
 *
 * @example
 * ```ts
 * const sink = new ListenerSink<number>((n) => console.log(n));
 * sink.push(1); // logs 1
 * sink.end();
 * await sink.done;
 * ```
 */
export class ListenerSink<T> {
  readonly #listener: (item: T) => unknown;
  readonly #options: ListenerSinkOptions;
  #closed = false;
  #settle!: (error?: unknown) => void;
  /** Settles when the sink ended: resolves on `end()`, rejects with the error of `fail()` or of the listener. */
  readonly done: Promise<void>;
  readonly #onAbort = () => this.end();
  readonly #onRejected = (error: unknown) => this.fail(error);

  constructor(listener: (item: T) => unknown, options: ListenerSinkOptions = {}) {
    this.#listener = listener;
    this.#options = options;
    this.done = new Promise<void>((resolve, reject) => {
      this.#settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.done.catch(() => {});
    if (options.signal?.aborted) this.end();
    else options.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** The sink ended: pushes are ignored. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Calls the listener with `item`; never throws. Returns false: a listener never falls behind. */
  push(item: T): boolean {
    if (this.#closed) return false;
    try {
      const result = this.#listener(item) as { then?: unknown } | undefined;
      if (result && typeof result.then === "function") (result as Promise<unknown>).then(undefined, this.#onRejected);
    } catch (error) {
      this.fail(error);
    }
    return false;
  }

  /** Ends the sink; `done` resolves. */
  end(): void {
    this.#close(undefined);
  }

  /** Ends the sink; `done` rejects with `error` (undefined counts as an error too). */
  fail(error: unknown): void {
    this.#close(error ?? new Error("listener sink failed without a reason"));
  }

  #close(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    this.#settle(error);
    this.#options.onClose?.();
  }
}
