// Symbol.dispose / AsyncDisposable in our .d.ts: a consumer on lib ES2022 without @types/node gets them too.
/// <reference lib="esnext.disposable" preserve="true" />
/**
 * The typed event stream: one lazily opened `/event` connection per client, shared by every
 * subscriber, reconnected with the shared backoff, guarded by a connect timeout and then a watchdog,
 * deduplicated by event id.
 *
 * Hot path: bytes → push parser → JSON.parse → dedup → the subscribers of the event's session (an
 * index, no scan) → their queues (`subscribe`) or listeners (`listen`). One await per network chunk,
 * none per event; with subscribers of many sessions, a chunk is parsed whole before it is handed on.
 */
import type { Event } from "@ocsdk/client";
import { backoffDelayMs } from "../core/backoff.js";
import { AuthenticationError, NotFoundError, OpencodeError, PermissionDeniedError } from "../core/errors.js";
import { defaultSleep } from "../core/retry.js";
import type { HelperRegistry } from "../helper-registry.js";
import { ListenerSink } from "./listener-sink.js";
import { type SseMessage, SseParser } from "./sse.js";
import { SubscriberQueue } from "./subscriber-queue.js";
import { Watchdog } from "./watchdog.js";

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
  /**
   * Reconnect when nothing (not even a heartbeat) arrived for this long (default 25 s; 0 = off). Off or
   * above 300 s, Node's fetch (which reads event streams on Node) still ends a body silent for 300 s:
   * the stream then reconnects as after any drop.
   */
  watchdogMs?: number;
  /** Give up on a connection attempt whose response headers did not come in this time (default 10 s; 0 = off). */
  connectTimeoutMs?: number;
  /** Event ids remembered for deduplication: at least the last this many (default 2 000; 0 = off). */
  dedupSize?: number;
  /** Injectable for exact tests. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/**
 * Options of {@link EventStream.listen}: which events, and a signal that stops the listener.
 *
 * @example
 * ```ts
 * const options: ListenOptions<"message.part.delta"> = { sessionID, types: ["message.part.delta"], signal };
 * ```
 */
export interface ListenOptions<T extends string = string> {
  /** Only events of this session (by `properties.sessionID`, `info.sessionID` or `part.sessionID`). */
  sessionID?: string;
  /** Only these event types. */
  types?: readonly T[];
  /** Ends the subscription (without an error) and frees it. */
  signal?: AbortSignal;
}

/** Options of {@link EventStream.subscribe}. */
export interface SubscribeOptions<T extends string = string> extends ListenOptions<T> {
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

/** A client that keeps one shared stream: its registry and its `events` option (what {@link EventStream.of} reads). */
export interface EventStreamHost extends EventSource {
  /** @internal */
  readonly helpers: HelperRegistry;
  /** @internal */
  readonly eventOptions?: EventStreamOptions | undefined;
}

/** The registry key of a client's shared stream. */
const SHARED = Symbol("EventStream.of");

const FATAL = [AuthenticationError, PermissionDeniedError, NotFoundError];

// setImmediate where the runtime has it: setTimeout(0) waits a millisecond or more per yield.
const timers = globalThis as { setImmediate?: (fn: () => void) => unknown; clearImmediate?: (id: unknown) => void };
const setMacrotask = (fn: () => void): unknown => (timers.setImmediate ? timers.setImmediate(fn) : setTimeout(fn, 0));
const clearMacrotask = (id: unknown): void =>
  timers.clearImmediate ? timers.clearImmediate(id) : clearTimeout(id as ReturnType<typeof setTimeout>);
/**
 * Waits for consumers that may end without a macrotask in between; then one is taken anyway. V8
 * runs its scheduled young-generation GC as a task: at 16 the burst bench's peak heap rose from
 * 0.87x to 1.00x the official SDK's, the garbage waiting for a turn.
 */
const MICROTASK_WAITS = 3;

class WatchdogTimeout extends Error {
  override name = "WatchdogTimeout";
}

class ConnectTimeout extends Error {
  override name = "ConnectTimeout";
}

/** Abort reason when the last subscriber left: not a failure, nothing to back off from. */
class NoSubscribers extends Error {
  override name = "NoSubscribers";
}

/** Session id an event is about, if any. */
export function sessionIdOf(event: StreamEvent): string | undefined {
  const p = (event as { properties?: Record<string, unknown> }).properties;
  if (!p || typeof p !== "object") return undefined;
  if (typeof p.sessionID === "string") return p.sessionID;
  const nested = (p.info ?? p.part) as { sessionID?: unknown } | undefined;
  return typeof nested?.sessionID === "string" ? nested.sessionID : undefined;
}

/**
 * A running listener of {@link EventStream.listen}.
 *
 * @example
 * ```ts
 * const listening = events.listen({ sessionID }, (e) => console.log(e.type));
 * listening.close();
 * await listening.done;
 * ```
 */
export interface EventListenerHandle {
  /** Stops the listener and frees its subscription (`done` resolves). Idempotent. */
  close(): void;
  /**
   * Settles once the listener stopped: resolves after `close()`, the `signal` or `events.close()`;
   * rejects with the stream's error when it gives up (e.g. `EventStreamClosedError`,
   * `AuthenticationError`), or with what the listener threw (or its returned promise rejected with).
   * Not awaiting it is safe: it is never an unhandled rejection.
   */
  readonly done: Promise<void>;
  /** `using listening = events.listen(…)` stops it at the end of the scope. */
  [Symbol.dispose](): void;
}

/** Where a subscription's events go: a queue its consumer iterates, or a listener called at once. */
interface Sink {
  /** Hands an event on; true when the consumer fell behind and the reader should let it catch up. */
  push(event: StreamEvent): boolean;
  end(): void;
  fail(error: unknown): void;
}

/** One subscription: its filter and its sink. */
interface Subscription {
  readonly sink: Sink;
  readonly sessionID: string | undefined;
  /** The one type of a filter of one type, compared in place (most filters; no array to visit per event). */
  readonly type: string | undefined;
  /**
   * A filter of more types. A short list is compared in place (a parsed type is a new string: a Set
   * would hash it per event).
   */
  readonly types: readonly string[] | ReadonlySet<string> | undefined;
}

/**
 * The subscriptions of one session: one, or several. Most sessions have one, kept without an array:
 * with many sessions each event reaches a subscription visited long ago (out of the CPU's caches),
 * and every object on the way costs a memory read.
 */
type Group = Subscription | readonly Subscription[];

/** Sessions with subscribers from which a chunk's events are parsed first, then handed on (see `#dispatchParsed`). */
const BATCH_FROM_SESSIONS = 32;

/** Types up to this many are kept as an array. */
const TYPE_LIST_MAX = 8;

/** One function for every subscription (a closure each would weigh on each of them). */
const overflowError = (size: number) => new EventBufferOverflowError(size);
const isMany = (group: Group): group is readonly Subscription[] => Array.isArray(group);
const membersOf = (group: Group): readonly Subscription[] => (isMany(group) ? group : [group]);

function hasType(types: readonly string[] | ReadonlySet<string>, type: string): boolean {
  if (!Array.isArray(types)) return (types as ReadonlySet<string>).has(type);
  for (let i = 0; i < types.length; i++) if (types[i] === type) return true;
  return false;
}

/**
 * Event ids seen lately, at least the last `size`. opencode's ids ascend, so an id above the greatest
 * seen is new without a lookup, and is only written to a ring (no hashing: this is the hot path).
 * The first id that does not ascend (a duplicate, or a server whose ids do not) switches for good to
 * hashing: two generations of sets, the older dropped whole when the newer is full (no per-event
 * delete, which makes a churning Set rehash).
 */
class RecentIds {
  readonly #size: number;
  #max = "";
  #ring: (string | undefined)[];
  #next = 0;
  #hashed: { current: Set<string>; previous: Set<string> } | undefined;

  constructor(size: number) {
    this.#size = Math.max(0, size);
    this.#ring = new Array(this.#size);
  }

  /** Records `id`; false when it was seen already. */
  add(id: string): boolean {
    if (this.#size === 0) return true;
    if (!this.#hashed) {
      if (id > this.#max) {
        this.#max = id;
        this.#ring[this.#next] = id;
        this.#next = this.#next + 1 === this.#size ? 0 : this.#next + 1;
        return true;
      }
      const current = new Set<string>();
      for (const seen of this.#ring) if (seen !== undefined) current.add(seen);
      this.#hashed = { current, previous: new Set() };
      this.#ring = [];
    }
    const h = this.#hashed;
    if (h.current.has(id) || h.previous.has(id)) return false;
    h.current.add(id);
    if (h.current.size >= this.#size) {
      h.previous = h.current;
      h.current = new Set();
    }
    return true;
  }
}

/**
 * A typed event connection. Usually the client's shared one, `EventStream.of(oc)`: every helper of a
 * client reads it, and `oc.close()` closes it. `new EventStream(oc)` opens a connection of its own,
 * which you close yourself. Subscribe as often as you like.
 *
 * @example
 * ```ts
 * const events = EventStream.of(oc);
 * for await (const event of events.subscribe({ sessionID, signal })) {
 *   if (event.type === "session.idle") break; // frees this subscription at once
 * }
 * ```
 */
export class EventStream {
  readonly #source: EventSource;
  readonly #options: Required<Omit<EventStreamOptions, "maxAttempts">> & { maxAttempts: number };
  // Groups are replaced, never changed in place (copy on subscribe and leave, not per event): a
  // dispatch iterates the array it started with while subscribers come and go.
  /** Subscribers without a session filter: they see every event. */
  #everySession: readonly Subscription[] = [];
  /** Subscribers of one session, by session id: an event reaches only its session's. */
  readonly #bySession = new Map<string, Group>();
  /** The last session looked up and its group: events come in runs of one session (no hashing then). */
  #lastSession: string | undefined;
  #lastGroup: Group | undefined;
  #count = 0;
  readonly #listeners = new Set<(s: ConnectionState) => void>();
  readonly #seen: RecentIds;
  #connection: AbortController | undefined;
  #running: Promise<void> | undefined;
  #state: ConnectionState = { state: "closed" };
  /** The current connection delivered its first frame: the server has registered us. */
  #live = false;
  /** The current connection delivered an event: failures in a row are over. */
  #healthy = false;
  /** The events parsed from the current network chunk, not yet handed on (see #dispatchParsed). */
  readonly #parsed: StreamEvent[] = [];
  /** Queues whose consumers fell behind (256 events, or half their buffer) during the current chunk. */
  readonly #behind = new Set<Sink>();
  /** Ends the wait for the consumers behind; set while the reader waits. */
  #caughtUp: (() => void) | undefined;
  /** Waits in a row that ended without a macrotask. */
  #microtaskWaits = 0;
  readonly #readyWaiters = new Set<{ resolve: () => void; reject: (error: unknown) => void }>();

  /**
   * The client's shared stream, made on first use with `options` or else the client's `events`
   * option, and closed when the client closes. Every call for a client gives the same stream.
   *
   * @example
   * ```ts
   * const events = EventStream.of(oc);
   * events.onState((s) => console.log(s.state));
   * ```
   */
  static of(oc: EventStreamHost, options?: EventStreamOptions): EventStream {
    let made = false;
    const stream = oc.helpers.shared(
      SHARED,
      () => {
        made = true;
        return new EventStream(oc, options ?? oc.eventOptions);
      },
      (s) => s.close(),
    );
    if (options && !made)
      throw new OpencodeError(
        "this client has its event stream already: pass its options once, or as createOpencodeClient({ events })",
      );
    return stream;
  }

  /** A stream of its own on `source` (see {@link EventStream.of} for a client's shared one). */
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
    this.#seen = new RecentIds(this.#options.dedupSize);
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
   * const subscription = events.subscribe({ sessionID });
   * await events.ready();
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
    return this.#count;
  }

  /**
   * Subscribes to events; opens the shared connection if it is not open yet. The iterable ends when
   * you `break`, call `return()`, or `signal` aborts; it throws when the stream fails for good.
   *
   * @example
   * ```ts
   * for await (const e of events.subscribe({ types: ["session.idle"] })) console.log(e.properties.sessionID);
   * ```
   */
  subscribe<T extends OpencodeEvent["type"]>(
    options: SubscribeOptions<T> & { types: readonly T[] },
  ): AsyncIterableIterator<EventOfType<T>>;
  subscribe(options?: SubscribeOptions): AsyncIterableIterator<StreamEvent>;
  subscribe(options: SubscribeOptions = {}): AsyncIterableIterator<StreamEvent> {
    if (options.signal?.aborted) {
      const ended = new SubscriberQueue<StreamEvent>({ capacity: 0, overflow: "error", overflowError: () => undefined });
      ended.end();
      return ended;
    }
    const queue = new SubscriberQueue<StreamEvent>({
      capacity: options.bufferSize ?? 10_000,
      overflow: options.overflow ?? "error",
      overflowError: overflowError,
      signal: options.signal,
      onClose: () => this.#detach(sub),
      onDrained: () => this.#drained(queue),
    });
    const sub = this.#attach(queue, options);
    return queue;
  }

  /**
   * Calls `listener` synchronously with every matching event, as it is parsed: no buffer and no
   * await per event, so the cheapest way to follow a busy stream (e.g. rendering deltas). The
   * listener must not block; an event it throws on (or whose returned promise rejects) ends it, with
   * that error in `done`. Prefer {@link EventStream.subscribe} (a `for await` with backpressure) when
   * the consumer awaits per event. Opens the shared connection if it is not open yet.
   *
   * @example
   * ```ts
   * let text = "";
   * const listening = events.listen({ sessionID, types: ["message.part.delta"] }, (e) => {
   *   text += e.properties.delta;
   * });
   * // …later
   * listening.close();
   * ```
   */
  listen<T extends OpencodeEvent["type"]>(
    options: ListenOptions<T> & { types: readonly T[] },
    listener: (event: EventOfType<T>) => void,
  ): EventListenerHandle;
  listen(options: ListenOptions, listener: (event: StreamEvent) => void): EventListenerHandle;
  listen(options: ListenOptions, listener: (event: never) => void): EventListenerHandle {
    if (typeof listener !== "function") throw new OpencodeError("events.listen: the listener must be a function");
    let sub: Subscription | undefined;
    // An aborted signal ends the sink in its constructor: nothing attached, nothing to detach.
    const sink = new ListenerSink(listener as (event: StreamEvent) => void, {
      signal: options.signal,
      onClose: () => this.#detach(sub),
    });
    if (!sink.closed) sub = this.#attach(sink, options);
    const close = () => sink.end();
    return { close, done: sink.done, [Symbol.dispose]: close };
  }

  #attach(sink: Sink, options: ListenOptions): Subscription {
    const types = options.types && [...new Set(options.types)];
    const one = types?.length === 1;
    const sub: Subscription = {
      sink,
      sessionID: options.sessionID,
      type: one ? types[0] : undefined,
      types: one || !types ? undefined : types.length > TYPE_LIST_MAX ? new Set(types) : types,
    };
    if (sub.sessionID === undefined) this.#everySession = [...this.#everySession, sub];
    else {
      const group = this.#bySession.get(sub.sessionID);
      this.#bySession.set(sub.sessionID, group === undefined ? sub : [...membersOf(group), sub]);
    }
    this.#lastSession = undefined;
    this.#count++;
    this.#ensureRunning();
    return sub;
  }

  /**
   * Listens to connection state changes; returns the function that stops listening.
   *
   * @example
   * ```ts
   * const off = events.onState((s) => console.log(s.state));
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
   * await events.close();
   * ```
   */
  async close(): Promise<void> {
    for (const sub of this.#subscriptions()) sub.sink.end();
    this.#connection?.abort(new Error("closed"));
    await this.#running;
  }

  /** A snapshot of every subscription (for the rare paths that end them all). */
  #subscriptions(): Subscription[] {
    const all = [...this.#everySession];
    for (const group of this.#bySession.values()) all.push(...membersOf(group));
    return all;
  }

  /** A consumer read everything buffered for it. */
  #drained(sink: Sink): void {
    if (this.#behind.delete(sink) && this.#behind.size === 0) this.#caughtUp?.();
  }

  #detach(sub: Subscription | undefined): void {
    if (!sub) return;
    this.#drained(sub.sink);
    const group = sub.sessionID === undefined ? this.#everySession : this.#bySession.get(sub.sessionID);
    const members = group === undefined ? [] : membersOf(group);
    if (!members.includes(sub)) return;
    const rest = members.filter((s) => s !== sub);
    if (sub.sessionID === undefined) this.#everySession = rest;
    else if (rest.length > 0) this.#bySession.set(sub.sessionID, rest.length === 1 ? (rest[0] as Subscription) : rest);
    else this.#bySession.delete(sub.sessionID);
    this.#lastSession = undefined;
    // The last subscriber gone: free the socket at once.
    if (--this.#count === 0) this.#connection?.abort(new NoSubscribers("no subscribers"));
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
      if (this.#count > 0) this.#ensureRunning();
    });
  }

  /** One parsed frame of the current connection. */
  readonly #onMessage = (msg: SseMessage): void => {
    this.#markLive();
    if (msg.data === "") return;
    let event: StreamEvent;
    try {
      event = JSON.parse(msg.data) as StreamEvent;
    } catch {
      return; // a frame that is not JSON carries no event
    }
    if (!event || typeof event.type !== "string") return;
    this.#healthy = true;
    if (typeof event.id === "string" && !this.#seen.add(event.id)) return;
    if (this.#bySession.size < BATCH_FROM_SESSIONS) this.#dispatch(event);
    else this.#parsed.push(event);
  };

  /**
   * With subscribers of many sessions, the events of a network chunk are handed on once all of it is
   * parsed: parsing them back to back keeps the parser's data in the CPU's caches, where delivering
   * each in between (to subscribers each visited long ago) would push it out. With few, each is
   * handed on as it is parsed, while it is still in the caches itself.
   */
  #dispatchParsed(): void {
    const events = this.#parsed;
    try {
      for (let i = 0; i < events.length; i++) this.#dispatch(events[i] as StreamEvent);
    } finally {
      events.length = 0;
    }
  }

  #dispatch(event: StreamEvent): void {
    const every = this.#everySession;
    for (let i = 0; i < every.length; i++) this.#deliver(every[i] as Subscription, event);
    if (this.#bySession.size === 0) return;
    const sessionID = sessionIdOf(event);
    if (sessionID === undefined) return;
    let group = this.#lastGroup;
    if (sessionID !== this.#lastSession) {
      group = this.#bySession.get(sessionID);
      this.#lastSession = sessionID;
      this.#lastGroup = group;
    }
    if (group === undefined) return;
    if (isMany(group)) for (let i = 0; i < group.length; i++) this.#deliver(group[i] as Subscription, event);
    else this.#deliver(group, event);
  }

  #deliver(sub: Subscription, event: StreamEvent): void {
    const type = sub.type;
    const wanted = type !== undefined ? type === event.type : sub.types === undefined || hasType(sub.types, event.type);
    if (wanted && sub.sink.push(event)) this.#behind.add(sub.sink);
  }

  /**
   * Lets the consumers behind catch up before reading on: a body that is already buffered resolves
   * reads at once, faster than consumers take events. Ends when every one of them has read all it
   * was given (a consumer that keeps up does so within microtasks: no event-loop turn, no poll), or
   * after one macrotask for a consumer that waits on something else; every few waits a macrotask
   * anyway, so neither the GC's tasks nor timers and I/O wait long (a body read from memory would
   * otherwise hold them off to its end).
   */
  #letConsumersCatchUp(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearMacrotask(macrotask);
        this.#caughtUp = undefined;
        this.#behind.clear();
        resolve();
      };
      const macrotask = setMacrotask(() => {
        this.#microtaskWaits = 0;
        done();
      });
      if (this.#microtaskWaits++ < MICROTASK_WAITS) this.#caughtUp = done;
    });
  }

  readonly #markLive = (): void => {
    if (this.#live) return;
    this.#live = true;
    for (const waiter of [...this.#readyWaiters]) waiter.resolve();
  };

  async #run(): Promise<void> {
    const o = this.#options;
    let failures = 0;
    /** Since when no connection was healthy (the first attempt, or the end of the last healthy one). */
    let failingSince: number | undefined = o.now();
    for (let attempt = 1; this.#count > 0; attempt++) {
      const cause = await this.#connectAndRead(attempt);
      if (this.#healthy) {
        failures = 0;
        failingSince = undefined;
      }
      if (this.#count === 0) break;
      if (cause instanceof NoSubscribers) {
        // Everyone left and someone came back before this loop noticed: connect again at once.
        attempt = 0;
        continue;
      }
      if (FATAL.some((C) => cause instanceof C)) {
        this.#closeAll(cause as OpencodeError);
        return;
      }
      failures++;
      failingSince ??= o.now();
      const downMs = o.now() - failingSince;
      if (failures > o.maxAttempts || downMs >= o.giveUpAfterMs) {
        const why = failures > o.maxAttempts ? `${o.maxAttempts} failed attempts` : `${downMs} ms without a healthy connection`;
        this.#closeAll(new EventStreamClosedError(`event stream gave up after ${why}`, { cause }));
        return;
      }
      // The last wait is cut to the limit: one more attempt at it, then give up (not a backoff early).
      const delayMs = Math.min(backoffDelayMs(failures, o), o.giveUpAfterMs - downMs);
      this.#setState({ state: "reconnecting", attempt: attempt + 1, delayMs, cause });
      const wait = new AbortController();
      this.#connection = wait;
      await o.sleep(delayMs, wait.signal).catch(() => {});
    }
    this.#connection = undefined;
    this.#failReady(new EventStreamClosedError("the event stream closed before it was live"));
    this.#setState({ state: "closed" });
  }

  /** One connection, from connect to its end; resolves with why it ended (never rejects). */
  async #connectAndRead(attempt: number): Promise<unknown> {
    const o = this.#options;
    const connection = new AbortController();
    const { signal } = connection;
    this.#connection = connection;
    this.#healthy = false;
    this.#setState({ state: "connecting", attempt });
    let body: ReadableStream<Uint8Array>;
    // Phase 1, guarded by the connect timeout: a server that accepts but never answers (e.g. still starting).
    const connectTimer = o.connectTimeoutMs
      ? setTimeout(
          () => connection.abort(new ConnectTimeout(`no response headers in ${o.connectTimeoutMs} ms`)),
          o.connectTimeoutMs,
        )
      : undefined;
    try {
      const res = await this.#source.streamFetch(o.path, { signal });
      if (!res.body) throw new Error("the event stream response has no body");
      body = res.body;
    } catch (error) {
      return signal.aborted ? signal.reason : error;
    } finally {
      clearTimeout(connectTimer);
    }
    if (signal.aborted) {
      body.cancel().catch(() => {});
      return signal.reason;
    }
    this.#setState({ state: "open", attempt });
    // Phase 2, guarded by the watchdog: any byte counts as liveness, so a long event streaming in is not cut.
    const watchdog = new Watchdog(o.watchdogMs, o.now, () =>
      connection.abort(new WatchdogTimeout(`nothing received for ${o.watchdogMs} ms`)),
    );
    const reader = body.getReader();
    const onAbort = () => {
      reader.cancel(signal.reason).catch(() => {});
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    const parser = new SseParser({ onMessage: this.#onMessage, onComment: this.#markLive });
    try {
      while (!signal.aborted) {
        const { value, done } = await reader.read();
        if (done) break;
        watchdog.touch();
        try {
          parser.feed(decoder.decode(value, { stream: true }));
        } finally {
          this.#dispatchParsed();
        }
        if (this.#behind.size > 0) await this.#letConsumersCatchUp();
      }
      return signal.aborted ? signal.reason : new Error("the server closed the stream");
    } catch (error) {
      return signal.aborted ? signal.reason : error;
    } finally {
      watchdog.stop();
      signal.removeEventListener("abort", onAbort);
      reader.cancel().catch(() => {});
      try {
        reader.releaseLock();
      } catch {
        /* a read was still pending */
      }
      this.#live = false;
    }
  }

  #failReady(error: unknown): void {
    for (const waiter of [...this.#readyWaiters]) waiter.reject(error);
  }

  #closeAll(error: OpencodeError): void {
    this.#connection = undefined;
    for (const sub of this.#subscriptions()) sub.sink.fail(error);
    this.#failReady(error);
    this.#setState({ state: "closed", error });
  }
}
