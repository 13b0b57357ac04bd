/**
 * The buffer between a producer that pushes and a consumer that iterates: a bounded queue that is
 * an async iterator, ended by `end()`, `return()` (a `break`) or an abort signal, failed by `fail()`.
 */

/** Items buffered after which {@link SubscriberQueue.push} asks the producer to yield. */
const BEHIND = 256;

/** What a queue does when it is full. */
export type QueueOverflow = "error" | "drop-oldest";

/** Options of {@link SubscriberQueue}. */
export interface SubscriberQueueOptions {
  /** Items kept for a consumer that is behind. */
  capacity: number;
  /** `"error"`: fail with `overflowError(capacity)`; `"drop-oldest"`: make room. */
  overflow: QueueOverflow;
  overflowError: (capacity: number) => unknown;
  /** Ends the iteration without an error. */
  signal?: AbortSignal;
  /** Called once when the queue ends, for whatever reason. */
  onClose?: () => void;
  /** Called when a read takes the last buffered item: a producer waiting for its consumer can go on. */
  onDrained?: () => void;
}

/**
 * A bounded push queue consumed with `for await`. Buffered items are delivered before an error.
 *
 * @example
 * ```ts
 * const q = new SubscriberQueue<number>({ capacity: 100, overflow: "error", overflowError: () => new Error("full") });
 * q.push(1);
 * q.end();
 * for await (const n of q) console.log(n); // 1
 * ```
 */
export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  readonly #options: SubscriberQueueOptions;
  // Items live in #items from #head on: shift() would copy a long array on every read.
  #items: T[] = [];
  #head = 0;
  // The consumer's pending read, as two fields filled by one executor shared by every queue: a
  // consumer that keeps up waits on every event, and a closure and an object per wait showed in the
  // fan-out bench (1 000 subscribers, each event to one of them); a closure per queue weighs on
  // every subscription.
  #resolve: ((r: IteratorResult<T>) => void) | undefined;
  #reject: ((e: unknown) => void) | undefined;
  /** The queue whose `next()` is making its promise (the executor runs synchronously inside it). */
  static #waiting: SubscriberQueue<unknown> | undefined;
  static readonly #wait = (resolve: (r: IteratorResult<unknown>) => void, reject: (e: unknown) => void): void => {
    const queue = SubscriberQueue.#waiting as SubscriberQueue<unknown>;
    queue.#resolve = resolve;
    queue.#reject = reject;
  };
  #error: unknown;
  #closed = false;
  /** Items buffered at which `push` reports the consumer behind: BEHIND, or half the capacity if less. */
  readonly #behind: number;
  /** Made only for a queue with a signal. */
  readonly #onAbort: (() => void) | undefined;

  constructor(options: SubscriberQueueOptions) {
    this.#options = options;
    this.#behind = Math.min(BEHIND, Math.ceil(options.capacity / 2));
    const signal = options.signal;
    if (signal?.aborted) this.end();
    else if (signal) {
      this.#onAbort = () => this.end();
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** The queue ended: pushes are ignored. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Items buffered, not yet read. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /**
   * Hands `item` to a waiting consumer, or buffers it. Returns true once the consumer is behind
   * (256 items, or half the capacity if less): a producer should then give the consumer a turn
   * before it produces more, so what is buffered stays young garbage instead of being promoted.
   */
  push(item: T): boolean {
    if (this.#closed) return false;
    const resolve = this.#resolve;
    if (resolve) {
      this.#resolve = undefined;
      this.#reject = undefined;
      resolve({ value: item, done: false });
      return false;
    }
    let behind = this.size;
    const capacity = this.#options.capacity;
    if (behind >= capacity) {
      if (this.#options.overflow !== "drop-oldest") {
        this.fail(this.#options.overflowError(capacity));
        return false;
      }
      this.#take();
      behind--;
    }
    this.#items.push(item);
    return behind + 1 >= this.#behind;
  }

  /** Ends the queue with `error`, thrown to the consumer after the buffered items. */
  fail(error: unknown): void {
    if (this.#closed) return;
    this.#error = error;
    this.#close();
  }

  /** Ends the queue; the consumer still reads the buffered items. */
  end(): void {
    this.#close();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#take();
      if (this.#items.length === 0) this.#options.onDrained?.(); // #take empties the array once all is read
      return Promise.resolve({ value, done: false });
    }
    if (this.#closed) {
      const error = this.#error;
      if (error !== undefined) {
        this.#error = undefined;
        return Promise.reject(error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    SubscriberQueue.#waiting = this as SubscriberQueue<unknown>;
    const waiting = new Promise(SubscriberQueue.#wait) as Promise<IteratorResult<T>>;
    SubscriberQueue.#waiting = undefined;
    return waiting;
  }

  /** The consumer stopped (`break`): drop what is buffered and end. */
  return(): Promise<IteratorResult<T>> {
    this.#items = [];
    this.#head = 0;
    this.#error = undefined;
    this.#close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #take(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head++] = undefined as T; // no reference kept to what was read
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#onAbort) this.#options.signal?.removeEventListener("abort", this.#onAbort);
    const resolve = this.#resolve;
    const reject = this.#reject;
    this.#resolve = undefined;
    this.#reject = undefined;
    if (resolve && reject) {
      // Waiting means the buffer is empty: the error (if any) is next.
      const error = this.#error;
      this.#error = undefined;
      if (error !== undefined) reject(error);
      else resolve({ value: undefined, done: true });
    }
    this.#options.onClose?.();
  }
}
