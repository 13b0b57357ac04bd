/**
 * An in-memory opencode for prompt handles: a {@link PromptPort} whose sessions store messages,
 * report their status and publish events the way the server does, on a manual clock. Tests script
 * the server's side (store the prompt, start an answer, stream, end, go idle, fail) step by step,
 * so every phase of a handle is reachable without a server, a model or a real sleep.
 */

import type { PermissionRequest } from "@ocsdk/client";
import {
  APIConnectionError,
  type ConnectionState,
  type EventListenerHandle,
  type ListenOptions,
  type MessageWithParts,
  NotFoundError,
  type StreamEvent,
} from "@ocsdk/sdk";
import { newAscendingId, type PromptPort } from "@ocsdk/sdk/internal";

type Listener = { options: ListenOptions; fn: (event: StreamEvent) => void; end: () => void; fail: (e: unknown) => void };
type Timer = { at: number; resolve: () => void };
type Body = Parameters<PromptPort["send"]>[1];

/** A clock that moves only when told: sleeps resolve in time order as it advances. */
export class ManualClock {
  #t = 1_000_000;
  readonly #timers = new Set<Timer>();

  readonly now = (): number => this.#t;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = {
        at: this.#t + ms,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers.delete(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#timers.add(timer);
    });

  /** Sleeps still waiting. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due sleeps in order and letting what they start run in between. */
  async advance(ms: number): Promise<void> {
    const end = this.#t + ms;
    for (;;) {
      await flush();
      let next: Timer | undefined;
      for (const t of this.#timers) if (t.at <= end && (!next || t.at < next.at)) next = t;
      if (!next) break;
      this.#timers.delete(next);
      this.#t = next.at;
      next.resolve();
    }
    this.#t = end;
    await flush();
  }
}

/** Lets every pending promise chain and I/O callback run (a few macrotask turns, no timer). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** One scripted server call: what it answers, and when (a gate the test opens). */
type Handler<T> = (sessionID: string, ...rest: unknown[]) => T | Promise<T>;

export class PromptServer implements PromptPort {
  readonly clock = new ManualClock();
  readonly now = this.clock.now;
  readonly sleep = this.clock.sleep;
  readonly lines = new Map<string, Promise<void>>();
  /** The server's rule for answered messages: false as opencode 1.18 on, true as before it. */
  byIdOrder = false;
  readonly stored = new Map<string, MessageWithParts[]>();
  readonly busy = new Set<string>();
  readonly pending: PermissionRequest[] = [];
  /** Every call, in order: `send ses_1`, `abort ses_1`, `messages ses_1`, … */
  readonly calls: string[] = [];
  /** Calls that have not answered yet. */
  inFlight = 0;
  readonly #listeners = new Set<Listener>();
  readonly #stateListeners = new Set<(s: ConnectionState) => void>();
  #live = true;
  readonly #readyWaiters: (() => void)[] = [];

  async answersByIdOrder(): Promise<boolean> {
    this.calls.push("version");
    return this.byIdOrder;
  }

  /** What `send` does (default: stores the user message). Replace to lose, refuse or hold it. */
  onSend: (sessionID: string, body: Body) => unknown | Promise<unknown> = (sessionID, body) => this.storeUser(sessionID, body);
  /** What `abort` does (default: stops the session's run, as opencode does). */
  onAbort: Handler<unknown> = (sessionID) => this.stopRun(sessionID);
  /** Replace to fail or hold a read. */
  onRead: (what: string) => unknown | Promise<unknown> = () => undefined;

  readonly events = {
    listen: (options: ListenOptions, fn: (event: StreamEvent) => void): EventListenerHandle => {
      let end!: () => void;
      let fail!: (e: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        end = resolve;
        fail = reject;
      });
      done.catch(() => {});
      const l: Listener = {
        options,
        fn,
        end: () => {
          this.#listeners.delete(l);
          end();
        },
        fail: (e) => {
          this.#listeners.delete(l);
          fail(e);
        },
      };
      if (options.signal?.aborted) l.end();
      else {
        this.#listeners.add(l);
        options.signal?.addEventListener("abort", () => l.end(), { once: true });
      }
      return { close: l.end, done, [Symbol.dispose]: l.end };
    },
    onState: (listener: (s: ConnectionState) => void): (() => void) => {
      this.#stateListeners.add(listener);
      return () => this.#stateListeners.delete(listener);
    },
    ready: (signal?: AbortSignal): Promise<void> => {
      if (this.#live) return Promise.resolve();
      return new Promise((resolve, reject) => {
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        this.#readyWaiters.push(resolve);
      });
    },
  };

  /** Subscribers listening now. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  // ── the port ────────────────────────────────────────────────────────────────────────────────

  send = (sessionID: string, body: Body, signal: AbortSignal) =>
    this.#call(`send ${sessionID}`, signal, () => this.onSend(sessionID, body));
  abort = (sessionID: string, signal: AbortSignal) => this.#call(`abort ${sessionID}`, signal, () => this.onAbort(sessionID));
  messages = (sessionID: string, signal: AbortSignal) =>
    this.#call(`messages ${sessionID}`, signal, async () => {
      await this.onRead("messages");
      return structuredClone(this.stored.get(sessionID) ?? []);
    });
  message = (sessionID: string, messageID: string, signal: AbortSignal) =>
    this.#call(`message ${sessionID}`, signal, async () => {
      await this.onRead("message");
      const found = this.stored.get(sessionID)?.find((m) => m.info.id === messageID);
      if (!found) throw notFound(`/session/${sessionID}/message/${messageID}`);
      return structuredClone(found);
    });
  statuses = (signal: AbortSignal) =>
    this.#call("statuses", signal, async () => {
      await this.onRead("statuses");
      return Object.fromEntries([...this.busy].map((id) => [id, { type: "busy" }]));
    });
  permissions = (signal: AbortSignal) =>
    this.#call("permissions", signal, async () => {
      await this.onRead("permissions");
      return [...this.pending];
    });

  async #call<T>(name: string, signal: AbortSignal, run: () => T | Promise<T>): Promise<Awaited<T>> {
    this.calls.push(name);
    this.inFlight++;
    try {
      if (signal.aborted) throw signal.reason;
      // Like a real request: the caller's signal ends the wait for the answer.
      let onAbort!: () => void;
      return await new Promise<Awaited<T>>((resolve, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        Promise.resolve()
          .then(run)
          .then((v) => resolve(v as Awaited<T>), reject);
      }).finally(() => signal.removeEventListener("abort", onAbort));
    } finally {
      this.inFlight--;
    }
  }

  // ── the server's side, scripted by tests ───────────────────────────────────────────────────

  /** Publishes an event to the listeners it matches. */
  emit(type: string, properties: Record<string, unknown>): void {
    const event = { id: newAscendingId("evt"), type, properties } as StreamEvent;
    const sessionID = (properties.sessionID ??
      (properties.info as { sessionID?: string })?.sessionID ??
      (properties.part as { sessionID?: string })?.sessionID) as string | undefined;
    for (const l of [...this.#listeners]) {
      if (l.options.sessionID !== undefined && l.options.sessionID !== sessionID) continue;
      if (l.options.types && !l.options.types.includes(type)) continue;
      try {
        l.fn(event);
      } catch (error) {
        l.fail(error);
      }
    }
  }

  #store(sessionID: string, message: MessageWithParts): void {
    const list = this.stored.get(sessionID) ?? [];
    const at = list.findIndex((m) => m.info.id === message.info.id);
    if (at >= 0) list[at] = message;
    else list.push(message);
    this.stored.set(sessionID, list);
  }

  /** Stores the prompt's user message and publishes it. */
  storeUser(sessionID: string, body: Body): void {
    const info = { id: body.messageID as string, sessionID, role: "user", time: { created: this.now() } };
    this.#store(sessionID, { info, parts: [] } as unknown as MessageWithParts);
    this.emit("message.updated", { sessionID, info });
  }

  setBusy(sessionID: string): void {
    this.busy.add(sessionID);
    this.emit("session.status", { sessionID, status: { type: "busy" } });
  }

  setIdle(sessionID: string): void {
    this.busy.delete(sessionID);
    this.emit("session.status", { sessionID, status: { type: "idle" } });
    this.emit("session.idle", { sessionID });
  }

  /** Starts an assistant message answering `parentID`, with one text part; returns its ids. */
  startAnswer(sessionID: string, parentID: string): { messageID: string; partID: string } {
    const messageID = newAscendingId("msg");
    const partID = newAscendingId("prt");
    const info = { id: messageID, sessionID, role: "assistant", parentID, time: { created: this.now() } };
    this.#store(sessionID, { info, parts: [] } as unknown as MessageWithParts);
    this.emit("message.updated", { sessionID, info });
    const part = { id: partID, messageID, sessionID, type: "text", text: "", time: { start: this.now() } };
    this.#update(sessionID, messageID, (m) => {
      m.parts = [part as never];
    });
    this.emit("message.part.updated", { sessionID, part });
    return { messageID, partID };
  }

  /** Streams `delta` into an answer's text part. */
  delta(sessionID: string, ids: { messageID: string; partID: string }, delta: string): void {
    this.#update(sessionID, ids.messageID, (m) => {
      const part = m.parts[0] as unknown as { text: string };
      part.text += delta;
    });
    this.emit("message.part.delta", { sessionID, messageID: ids.messageID, partID: ids.partID, field: "text", delta });
  }

  /** Ends an answer: completed, or with `error` (e.g. opencode's MessageAbortedError). */
  endAnswer(sessionID: string, messageID: string, error?: { name: string; data: Record<string, unknown> }): void {
    this.#update(sessionID, messageID, (m) => {
      const info = m.info as unknown as { time: { completed?: number }; error?: unknown };
      if (error) info.error = error;
      else info.time.completed = this.now();
      for (const p of m.parts as unknown as { time?: { end?: number } }[]) if (p.time) p.time.end = this.now();
    });
    const m = this.stored.get(sessionID)?.find((x) => x.info.id === messageID) as MessageWithParts;
    for (const part of m.parts) this.emit("message.part.updated", { sessionID, part });
    this.emit("message.updated", { sessionID, info: m.info });
  }

  /** What opencode does on `session.abort`: a running answer ends aborted, the session goes idle. */
  stopRun(sessionID: string): boolean {
    if (!this.busy.has(sessionID)) return true;
    for (const m of this.stored.get(sessionID) ?? []) {
      const info = m.info as unknown as { role: string; time: { completed?: number }; error?: unknown; id: string };
      if (info.role === "assistant" && !info.time.completed && !info.error) {
        this.endAnswer(sessionID, info.id, { name: "MessageAbortedError", data: { message: "aborted" } });
      }
    }
    this.setIdle(sessionID);
    return true;
  }

  /** The connection drops (`reconnecting`) and comes back (`open`) after `during` ran: events meanwhile are lost. */
  async reconnect(during: () => void | Promise<void>): Promise<void> {
    this.#live = false;
    this.#state({ state: "reconnecting", attempt: 2, delayMs: 250, cause: new Error("dropped") });
    const listeners = [...this.#listeners];
    for (const l of listeners) this.#listeners.delete(l);
    await during();
    for (const l of listeners) this.#listeners.add(l);
    this.#live = true;
    this.#state({ state: "open", attempt: 2 });
    for (const resolve of this.#readyWaiters.splice(0)) resolve();
  }

  /** The stream gives up: every listener fails with `error`. */
  giveUp(error: unknown): void {
    for (const l of [...this.#listeners]) l.fail(error);
  }

  #state(s: ConnectionState): void {
    for (const l of [...this.#stateListeners]) l(s);
  }

  #update(sessionID: string, messageID: string, change: (m: MessageWithParts) => void): void {
    const m = this.stored.get(sessionID)?.find((x) => x.info.id === messageID);
    if (m) change(m);
  }
}

/** The server's 404 for what it does not store. */
export const notFound = (path: string) =>
  new NotFoundError({
    status: 404,
    method: "GET",
    path,
    body: { name: "NotFoundError", data: { message: "not found" } },
    headers: new Headers(),
  });

/** A connection error after the request went out: the server may have acted (a lost answer). */
export const lostAnswer = () =>
  new APIConnectionError({ method: "POST", path: "/session/ses_1/prompt_async", cause: new Error("socket hang up") });
