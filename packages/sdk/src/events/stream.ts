/**
 * The typed event stream: one lazily opened `/event` connection per client, shared by every
 * subscriber, reconnected with capped backoff, guarded by a watchdog, deduplicated by event id.
 */
import type { Event } from "@ocsdk/client";
import { AuthenticationError, NotFoundError, OpencodeError, PermissionDeniedError } from "../core/errors.js";
import { defaultSleep } from "../core/retry.js";
import { parseSse } from "../core/sse.js";

/** An event whose type this SDK's spec does not describe: passed through, never dropped. */
export interface UnknownEvent {
  id?: string;
  type: string;
  properties?: unknown;
  [key: string]: unknown;
}

/** Every event of the spec's `Event` union, discriminated by `type`. */
export type OpencodeEvent = Event;
/** What a subscriber receives: a typed event, or an unknown one passed through. */
export type StreamEvent = OpencodeEvent | UnknownEvent;
/** The event of one type. @example `type Idle = EventOfType<"session.idle">;` */
export type EventOfType<T extends OpencodeEvent["type"]> = Extract<OpencodeEvent, { type: T }>;

/** Connection states, in the order they usually happen. */
export type ConnectionState =
  | { state: "connecting"; attempt: number }
  | { state: "open"; attempt: number }
  | { state: "reconnecting"; attempt: number; delayMs: number; cause: unknown }
  | { state: "closed"; error?: OpencodeError };

/** What a subscriber does when it falls `bufferSize` events behind. */
export type OverflowPolicy = "error" | "drop-oldest";

/** Options of {@link EventStream}. */
export interface EventStreamOptions {
  /** Route to read (default `/event`). */
  path?: string;
  /** First reconnect delay (default 250 ms), doubled per attempt. */
  initialDelayMs?: number;
  /** Cap of the reconnect delay (default 10 s). */
  maxDelayMs?: number;
  /** Give up after this many failed attempts in a row (default: no limit, see `giveUpAfterMs`). */
  maxAttempts?: number;
  /**
   * Give up when no connection was healthy for this long (default 2 min; `Infinity` retries forever).
   * Subscribers then get {@link EventStreamClosedError}, so nothing waits on a server that is gone.
   */
  giveUpAfterMs?: number;
  /** Reconnect when nothing (not even a heartbeat) arrived for this long (default 25 s; 0 = off). */
  watchdogMs?: number;
  /** Give up on a connection attempt whose response headers did not come in this time (default 10 s; 0 = off). */
  connectTimeoutMs?: number;
  /** Event ids remembered for deduplication (default 2 000). */
  dedupSize?: number;
  /** Injectable for exact tests. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** Options of {@link EventStream.subscribe}. */
export interface SubscribeOptions<T extends string = string> {
  /** Only events of this session (by `properties.sessionID`, `info.sessionID` or `part.sessionID`). */
  sessionID?: string;
  /** Only these event types. */
  types?: readonly T[];
  /** Ends the iteration (without an error) and frees the subscription. */
  signal?: AbortSignal;
  /** Events kept for a slow consumer (default 10 000). */
  bufferSize?: number;
  /** Default `"error"`: the iteration throws {@link EventBufferOverflowError}; or drop the oldest. */
  overflow?: OverflowPolicy;
}

/** A slow subscriber fell more than `bufferSize` events behind (overflow policy `"error"`). */
export class EventBufferOverflowError extends OpencodeError {
  override name = "EventBufferOverflowError";
  constructor(readonly bufferSize: number) {
    super(`event subscriber fell more than ${bufferSize} events behind`);
  }
}

/** The stream gave up: too many failed attempts, or `giveUpAfterMs` without a healthy connection (`cause`: the last error). */
export class EventStreamClosedError extends OpencodeError {
  override name = "EventStreamClosedError";
}

/** What the stream needs from the client. */
export interface EventSource {
  streamFetch(path: string, init: { signal?: AbortSignal }): Promise<Response>;
}

const FATAL = [AuthenticationError, PermissionDeniedError, NotFoundError];

class WatchdogTimeout extends Error {
  override name = "WatchdogTimeout";
}

/** Session id an event is about, if any. */
export function sessionIdOf(event: StreamEvent): string | undefined {
  const p = (event as { properties?: Record<string, unknown> }).properties;
  if (!p || typeof p !== "object") return undefined;
  if (typeof p.sessionID === "string") return p.sessionID;
  const nested = (p.info ?? p.part) as { sessionID?: unknown } | undefined;
  return typeof nested?.sessionID === "string" ? nested.sessionID : undefined;
}

class Subscriber<T extends StreamEvent> implements AsyncIterableIterator<T> {
  readonly #queue: T[] = [];
  #waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  #error: unknown;
  #done = false;
  readonly #onAbort = () => this.end();

  constructor(
    private readonly options: SubscribeOptions,
    private readonly detach: (s: Subscriber<T>) => void,
  ) {
    options.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  accepts(event: StreamEvent): boolean {
    if (this.options.types && !this.options.types.includes(event.type)) return false;
    if (this.options.sessionID !== undefined && sessionIdOf(event) !== this.options.sessionID) return false;
    return true;
  }

  push(event: T): void {
    if (this.#done) return;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w.resolve({ value: event, done: false });
      return;
    }
    const size = this.options.bufferSize ?? 10_000;
    if (this.#queue.length >= size) {
      if (this.options.overflow !== "drop-oldest") {
        this.fail(new EventBufferOverflowError(size));
        return;
      }
      this.#queue.shift();
    }
    this.#queue.push(event);
  }

  fail(error: unknown): void {
    if (this.#done) return;
    this.#error = error;
    this.#finish();
  }

  end(): void {
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.options.signal?.removeEventListener("abort", this.#onAbort);
    this.detach(this);
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      if (this.#error !== undefined && this.#queue.length === 0) w.reject(this.#error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.#queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.#done) {
      if (this.#error !== undefined) {
        const e = this.#error;
        this.#error = undefined;
        return Promise.reject(e);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#queue.length = 0;
    this.#error = undefined;
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * One shared event connection. Get it as `oc.events`; subscribe as often as you like.
 *
 * @example
 * ```ts
 * for await (const event of oc.events.subscribe({ sessionID, signal })) {
 *   if (event.type === "session.idle") break; // frees this subscription at once
 * }
 * ```
 */
export class EventStream {
  readonly #source: EventSource;
  readonly #options: Required<Omit<EventStreamOptions, "maxAttempts">> & { maxAttempts: number };
  readonly #subscribers = new Set<Subscriber<StreamEvent>>();
  readonly #listeners = new Set<(s: ConnectionState) => void>();
  readonly #seen = new Set<string>();
  #connection: AbortController | undefined;
  #running: Promise<void> | undefined;
  #state: ConnectionState = { state: "closed" };
  /** The current connection delivered its first frame: the server has registered us. */
  #live = false;
  readonly #readyWaiters = new Set<{ resolve: () => void; reject: (error: unknown) => void }>();

  constructor(source: EventSource, options: EventStreamOptions = {}) {
    this.#source = source;
    this.#options = {
      path: options.path ?? "/event",
      initialDelayMs: options.initialDelayMs ?? 250,
      maxDelayMs: options.maxDelayMs ?? 10_000,
      maxAttempts: options.maxAttempts ?? Number.POSITIVE_INFINITY,
      giveUpAfterMs: options.giveUpAfterMs ?? 120_000,
      watchdogMs: options.watchdogMs ?? 25_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      dedupSize: options.dedupSize ?? 2_000,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? defaultSleep,
      now: options.now ?? Date.now,
    };
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Resolves once the shared connection is live (the server sent its first frame), so a request
   * made afterwards cannot produce events this stream misses. Call after `subscribe`. Rejects with
   * the stream's error when it gives up (e.g. `AuthenticationError`), with
   * {@link EventStreamClosedError} when it closes before it was live, or with `signal`'s reason.
   *
   * @example
   * ```ts
   * const events = oc.events.subscribe({ sessionID });
   * await oc.events.ready();
   * await oc.session.prompt_async({ path: { sessionID }, body });
   * ```
   */
  ready(signal?: AbortSignal): Promise<void> {
    if (this.#live) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => settle(resolve),
        reject: (error: unknown) => settle(() => reject(error)),
      };
      const settle = (fn: () => void) => {
        this.#readyWaiters.delete(waiter);
        signal?.removeEventListener("abort", onAbort);
        fn();
      };
      const onAbort = () => waiter.reject(signal?.reason);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#readyWaiters.add(waiter);
    });
  }

  /** Number of live subscriptions. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /**
   * Subscribes to events; opens the shared connection if it is not open yet. The iterable ends when
   * you `break`, call `return()`, or `signal` aborts; it throws when the stream fails for good.
   *
   * @example
   * ```ts
   * for await (const e of oc.events.subscribe({ types: ["session.idle"] })) console.log(e.properties.sessionID);
   * ```
   */
  subscribe<T extends OpencodeEvent["type"]>(
    options: SubscribeOptions<T> & { types: readonly T[] },
  ): AsyncIterableIterator<EventOfType<T>>;
  subscribe(options?: SubscribeOptions): AsyncIterableIterator<StreamEvent>;
  subscribe(options: SubscribeOptions = {}): AsyncIterableIterator<StreamEvent> {
    const sub = new Subscriber<StreamEvent>(options, (s) => this.#detach(s));
    if (options.signal?.aborted) {
      sub.end();
      return sub;
    }
    this.#subscribers.add(sub);
    this.#ensureRunning();
    return sub;
  }

  /**
   * Listens to connection state changes; returns the function that stops listening.
   *
   * @example
   * ```ts
   * const off = oc.events.onState((s) => console.log(s.state));
   * ```
   */
  onState(listener: (state: ConnectionState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Ends every subscription and the connection.
   *
   * @example
   * ```ts
   * await oc.events.close();
   * ```
   */
  async close(): Promise<void> {
    for (const s of [...this.#subscribers]) s.end();
    this.#connection?.abort(new Error("closed"));
    await this.#running;
  }

  #detach(sub: Subscriber<StreamEvent>): void {
    this.#subscribers.delete(sub);
    // The last subscriber gone: free the socket at once.
    if (this.#subscribers.size === 0) this.#connection?.abort(new Error("no subscribers"));
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    for (const l of [...this.#listeners]) {
      try {
        l(state);
      } catch {
        /* a listener must not break the stream */
      }
    }
  }

  #ensureRunning(): void {
    if (this.#running) return;
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
      // Someone subscribed while the loop was winding down.
      if (this.#subscribers.size > 0) this.#ensureRunning();
    });
  }

  #dispatch(event: StreamEvent): void {
    if (typeof event.id === "string") {
      if (this.#seen.has(event.id)) return;
      this.#seen.add(event.id);
      if (this.#seen.size > this.#options.dedupSize) this.#seen.delete(this.#seen.values().next().value as string);
    }
    for (const s of [...this.#subscribers]) if (s.accepts(event)) s.push(event);
  }

  async #run(): Promise<void> {
    const o = this.#options;
    let failures = 0;
    /** Since when no connection was healthy (the first attempt, or the end of the last healthy one). */
    let failingSince: number | undefined = o.now();
    for (let attempt = 1; this.#subscribers.size > 0; attempt++) {
      const connection = new AbortController();
      this.#connection = connection;
      this.#setState({ state: "connecting", attempt });
      let cause: unknown;
      let healthy = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        if (!o.watchdogMs) return;
        clearTimeout(timer);
        timer = setTimeout(() => connection.abort(new WatchdogTimeout(`no event for ${o.watchdogMs} ms`)), o.watchdogMs);
      };
      try {
        // A server that accepts but never answers (e.g. still starting) must not stall us.
        if (o.connectTimeoutMs) {
          timer = setTimeout(
            () => connection.abort(new WatchdogTimeout(`no response headers in ${o.connectTimeoutMs} ms`)),
            o.connectTimeoutMs,
          );
        }
        const res = await this.#source.streamFetch(o.path, { signal: connection.signal });
        this.#setState({ state: "open", attempt });
        arm();
        for await (const msg of parseSse(res.body as ReadableStream<Uint8Array>, connection.signal)) {
          arm();
          if (!this.#live) {
            this.#live = true;
            for (const waiter of [...this.#readyWaiters]) waiter.resolve();
          }
          if (msg.comment || msg.data === "") continue;
          let event: StreamEvent;
          try {
            event = JSON.parse(msg.data) as StreamEvent;
          } catch {
            continue; // a frame that is not JSON carries no event
          }
          if (!event || typeof event.type !== "string") continue;
          if (!healthy) {
            healthy = true;
            failures = 0;
          }
          failingSince = undefined;
          this.#dispatch(event);
        }
        cause = connection.signal.aborted ? connection.signal.reason : new Error("the server closed the stream");
      } catch (error) {
        cause = connection.signal.aborted ? connection.signal.reason : error;
      } finally {
        clearTimeout(timer);
        this.#live = false;
      }
      if (this.#subscribers.size === 0) break;
      if (FATAL.some((C) => cause instanceof C)) {
        this.#closeAll(cause as OpencodeError);
        return;
      }
      failures++;
      failingSince ??= o.now();
      const base = Math.min(o.initialDelayMs * 2 ** Math.max(0, failures - 1), o.maxDelayMs);
      const delayMs = Math.round(base * (1 - o.random() * 0.25));
      const downMs = o.now() - failingSince;
      if (failures > o.maxAttempts || downMs + delayMs > o.giveUpAfterMs) {
        const why = failures > o.maxAttempts ? `${o.maxAttempts} failed attempts` : `${downMs} ms without a healthy connection`;
        this.#closeAll(new EventStreamClosedError(`event stream gave up after ${why}`, { cause }));
        return;
      }
      this.#setState({ state: "reconnecting", attempt: attempt + 1, delayMs, cause });
      const wait = new AbortController();
      this.#connection = wait;
      await o.sleep(delayMs, wait.signal).catch(() => {});
    }
    this.#connection = undefined;
    this.#failReady(new EventStreamClosedError("the event stream closed before it was live"));
    this.#setState({ state: "closed" });
  }

  #failReady(error: unknown): void {
    for (const waiter of [...this.#readyWaiters]) waiter.reject(error);
  }

  #closeAll(error: OpencodeError): void {
    this.#connection = undefined;
    for (const s of [...this.#subscribers]) s.fail(error);
    this.#failReady(error);
    this.#setState({ state: "closed", error });
  }
}
