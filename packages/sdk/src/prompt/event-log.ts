/** An append-only log that any number of async iterations read from the start, each at its own pace. */

/**
 * Events kept for replay, plus wake-ups for readers waiting at the end.
 *
 * @example
 * ```ts
 * const log = new EventLog<number>();
 * log.push(1);
 * log.close();
 * for await (const n of log.read()) console.log(n);
 * ```
 */
export class EventLog<T> {
  readonly #items: T[] = [];
  #waiters: (() => void)[] = [];
  #closed = false;

  /** Items so far. */
  get items(): readonly T[] {
    return this.#items;
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(item: T): void {
    if (this.#closed) return;
    this.#items.push(item);
    this.#wake();
  }

  /** No more items; readers at the end finish. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /** Every item from the first, then the ones still to come, until closed. */
  async *read(): AsyncGenerator<T> {
    for (let i = 0; ; ) {
      while (i < this.#items.length) yield this.#items[i++] as T;
      if (this.#closed) return;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
