/**
 * The prompt handle's lifecycle: wait for the session's turn, subscribe, send, feed the session's
 * events to the {@link PromptProjection}, and settle once. Phases run one way
 * (unsent → sent → streaming ⇄ settling → settled); every background task goes through one guarded
 * path, and settling aborts all of them, so nothing runs or is sent after it.
 */
import type { AssistantMessage } from "@ocsdk/client";
import type { OpencodeClient } from "../client.js";
import { APIConnectionError, NotFoundError, OpencodeError } from "../core/errors.js";
import { type EventOfType, EventStreamClosedError } from "../events/stream.js";
import { PromptAbortedError, PromptPassedOverError, ProviderRetryError, SessionError, toSessionError } from "./errors.js";
import { EventLog } from "./event-log.js";
import { newMessageId } from "./ids.js";
import { clientPort, type PromptBody, type PromptPort } from "./port.js";
import { ended, type MessageWithParts, type PromptEvent, PromptProjection, passedOverBy, stoppedOnServer } from "./projection.js";
import { type SessionTurn, takeTurn } from "./session-queue.js";

export {
  PromptAbortedError,
  PromptPassedOverError,
  ProviderAuthError,
  ProviderRateLimitError,
  ProviderRetryError,
  SessionError,
} from "./errors.js";
export type { MessageWithParts, PromptEvent, StepTokens } from "./projection.js";

/** What can be sent: text, or the spec's part inputs (text, files, agents, subtasks). */
export type PromptInput = string | PromptBody["parts"];

/**
 * How a prompt meets the session's other prompts. opencode answers only the latest of the user
 * messages waiting in a session.
 * - `"queue"` (default): this client sends it once its earlier prompts in the session settled, so it
 *   gets an answer of its own.
 * - `"steer"`: sent at once. While the session is busy the running answer goes on, and the model reads
 *   this prompt in its next step; if a later prompt arrives before it was answered, it settles with
 *   {@link PromptPassedOverError}.
 */
export type PromptDelivery = "queue" | "steer";

/** Options of a prompt (the spec's body fields, plus a signal). */
export interface PromptOptions extends Partial<Omit<PromptBody, "parts" | "messageID">> {
  /** Aborts the prompt on the server and settles the handle as aborted. */
  signal?: AbortSignal;
  /** How long `abort()` works at stopping the answer on the server (default 10 s). */
  abortTimeoutMs?: number;
  /**
   * opencode retries a failing provider (429, 5xx, overloaded) by itself, without limit. After this
   * many of its retries the handle aborts the prompt and rejects with {@link ProviderRetryError}
   * (default: wait, reporting each retry as a `retrying` event).
   */
  maxProviderRetries?: number;
  /** See {@link PromptDelivery} (default `"queue"`). */
  delivery?: PromptDelivery;
}

/** Where a handle is: one way from `unsent` to `settled` (`settling` returns to `streaming` while no answer of ours ended). */
export type PromptPhase = "unsent" | "sent" | "streaming" | "settling" | "settled";

/** The event types the handle reads from the session's stream. */
const SOURCE_TYPES = [
  "message.updated",
  "message.part.updated",
  "message.part.delta",
  "permission.asked",
  "session.status",
  "session.idle",
  "session.error",
  "session.deleted",
] as const;
type SourceEvent = EventOfType<(typeof SOURCE_TYPES)[number]>;
type SessionErrorPayload = NonNullable<AssistantMessage["error"]>;

/** Delays of the lookup of a prompt whose send lost its response: was it stored? */
const STORED_LOOKUP_DELAYS_MS = [0, 250, 500, 1000, 2000];

/** How often an abort polls the session's status while it waits for nothing to run. */
const ABORT_POLL_MS = 100;

class HandleSettled extends Error {
  override name = "HandleSettled";
}

/** @internal Key of a handle's count of background tasks still running (for tests: none soon after it settled). */
export const PENDING_TASKS: unique symbol = Symbol("pendingTasks");

/**
 * A running prompt: an async iterable of {@link PromptEvent}s (every iteration replays from the start),
 * plus helpers. Create it with `session.prompt(…)` or {@link startPrompt}.
 *
 * @example
 * ```ts
 * const run = session.prompt("Summarize the README");
 * for await (const event of run) if (event.type === "text.delta") process.stdout.write(event.delta);
 * console.log(await run.finalText());
 * ```
 */
export class PromptHandle implements AsyncIterable<PromptEvent> {
  /** The session the prompt runs in. */
  readonly sessionID: string;
  #messageID: string;
  /** Fires when the prompt is aborted. */
  readonly signal: AbortSignal;

  readonly #port: PromptPort;
  readonly #log = new EventLog<PromptEvent>();
  #projection: PromptProjection;
  readonly #abort = new AbortController();
  /** Every request, sleep and subscription of the handle; aborted when it settles. */
  readonly #work = new AbortController();
  readonly #tasks = new Set<Promise<void>>();
  readonly #cleanups: (() => void)[] = [];
  readonly #abortTimeoutMs: number;
  readonly #maxProviderRetries: number;
  readonly #noReply: boolean;
  #phase: PromptPhase = "unsent";
  /** The send, once started; the server may begin the answer after it returned. */
  #sending: Promise<void> | undefined;
  /**
   * The first `session.error` since we sent, while no answer of ours had started. It names no message,
   * so it is ours only when the server never stored our prompt, or went idle without answering it.
   */
  #errorHint: SessionErrorPayload | undefined;
  #settleCheck: Promise<void> | undefined;
  #settleAgain = false;
  #givingUp = false;
  #stopping: Promise<void> | undefined;
  /** Since when the session is seen idle without a break, while an abort waits (undefined: busy, or not seen). */
  #quietSince: number | undefined;
  /** The session was seen busy since the prompt was sent. */
  #ranSinceSent = false;
  readonly #result: Promise<MessageWithParts>;
  #resolve!: (m: MessageWithParts) => void;
  #reject!: (e: unknown) => void;

  /** @internal use {@link startPrompt}; `port`: the client's ({@link clientPort}), or an in-memory server's in tests. */
  constructor(port: PromptPort, sessionID: string, input: PromptInput, options: PromptOptions = {}) {
    this.#port = port;
    this.sessionID = sessionID;
    this.#messageID = newMessageId();
    this.signal = this.#abort.signal;
    this.#abortTimeoutMs = options.abortTimeoutMs ?? 10_000;
    this.#maxProviderRetries = options.maxProviderRetries ?? Number.POSITIVE_INFINITY;
    this.#noReply = options.noReply === true;
    this.#projection = new PromptProjection(this.messageID, (e) => this.#log.push(e));
    this.#result = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#result.catch(() => {}); // observed through finalMessage()/iteration
    const turn = options.delivery === "steer" ? undefined : takeTurn(port.lines, sessionID);
    if (turn) this.#cleanups.push(() => turn.release());
    const signal = options.signal;
    if (signal?.aborted) {
      this.#abort.abort(new PromptAbortedError("aborted before it was sent"));
      this.#settle({ error: new PromptAbortedError("aborted before it was sent") });
      return;
    }
    if (signal) {
      const onAbort = () => void this.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.#cleanups.push(() => signal.removeEventListener("abort", onAbort));
    }
    this.#spawn(() => this.#run(input, options, turn));
  }

  /** Where the prompt is in its lifecycle. */
  get phase(): PromptPhase {
    return this.#phase;
  }

  /** @internal Background tasks still running (a settled handle has none soon after it settled). */
  get [PENDING_TASKS](): number {
    return this.#tasks.size;
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────────

  /** The one way background work runs: its failure settles the handle, it is never unhandled. */
  #spawn(task: () => Promise<void>): Promise<void> {
    const running = task().catch((error: unknown) => this.#fail(error));
    this.#tasks.add(running);
    void running.finally(() => this.#tasks.delete(running));
    return running;
  }

  /**
   * Id of the user message this prompt creates. A prompt that waited for earlier prompts of its
   * session gets a new one when its turn comes (final from phase `sent` on): ids sort by time, and
   * opencode before 1.18 takes a user message whose id sorts before the session's last answer as
   * answered already.
   */
  get messageID(): string {
    return this.#messageID;
  }

  /** Before anything is sent or listened to: the id sorts after every message stored while we waited. */
  #renewMessageId(): void {
    this.#messageID = newMessageId();
    this.#projection = new PromptProjection(this.#messageID, (e) => this.#log.push(e));
  }

  async #run(input: PromptInput, options: PromptOptions, turn: SessionTurn | undefined): Promise<void> {
    const { signal: _s, abortTimeoutMs: _a, maxProviderRetries: _m, delivery: _d, ...rest } = options;
    const parts = typeof input === "string" ? [{ type: "text" as const, text: input }] : input;
    await turn?.ready(this.#work.signal);
    if (turn?.waits) this.#renewMessageId();
    // Aborted before it was sent: nothing to stop on the server, so it is never sent (#stop settles).
    if (this.#abort.signal.aborted) return;
    const stream = this.#port.events;
    // Listen first, and wait until the connection is live, so no first event is missed. A listener:
    // #onEvent is synchronous, so events need no buffer (none can overflow) and no await each.
    const listening = stream.listen({ sessionID: this.sessionID, types: SOURCE_TYPES, signal: this.#work.signal }, (event) =>
      this.#onEvent(event as SourceEvent),
    );
    let reconnecting = false;
    this.#cleanups.push(
      stream.onState((s) => {
        if (s.state === "reconnecting" && !reconnecting) {
          reconnecting = true;
          this.#projection.markGap();
        } else if (s.state === "open" && reconnecting) {
          reconnecting = false;
          this.#spawn(() => this.#reconcile());
        }
      }),
    );
    this.#spawn(() => this.#watch(listening.done));
    await stream.ready(this.#work.signal);
    if (this.#abort.signal.aborted || this.#phase === "settled") return;
    this.#phase = "sent";
    this.#sending = this.#send(parts, rest);
    await this.#sending;
    if (this.#phase === "sent") this.#phase = "streaming";
    if (this.#noReply) await this.#settleWithUserMessage();
  }

  async #send(parts: PromptBody["parts"], rest: Partial<PromptBody>): Promise<void> {
    try {
      await this.#port.send(this.sessionID, { ...rest, messageID: this.messageID, parts } as PromptBody, this.#work.signal);
    } catch (error) {
      // The request may have reached the server and only its answer was lost: our message id tells.
      // Never sent again: at most it is looked up.
      if (!(error instanceof APIConnectionError) || error.neverSent || this.#work.signal.aborted) throw error;
      if (!(await this.#wasStored())) throw error;
    }
  }

  async #wasStored(): Promise<boolean> {
    for (const delayMs of STORED_LOOKUP_DELAYS_MS) {
      if (delayMs > 0) await this.#sleep(delayMs);
      if (this.#projection.userStored) return true;
      try {
        this.#projection.applyStored([await this.#message(this.messageID)]);
        return true;
      } catch (error) {
        if (!(error instanceof NotFoundError)) return false;
      }
    }
    return this.#projection.userStored;
  }

  /** The listener's end: an error (the stream's, or one of #onEvent) fails the handle; any end before settling too. */
  async #watch(listened: Promise<void>): Promise<void> {
    await listened;
    if (this.#phase !== "settled") throw new EventStreamClosedError("the event stream closed before the prompt settled");
  }

  #onEvent(event: SourceEvent): void {
    switch (event.type) {
      case "session.idle":
        if (this.#projection.active) this.#checkSettled();
        return;
      case "session.error":
        this.#onSessionError(event.properties.error);
        return;
      case "session.deleted": {
        // opencode goes on generating into a deleted session; nothing of it can be read back.
        this.#settleError(new SessionError("SessionDeletedError", { message: "the session was deleted while the prompt ran" }));
        return;
      }
      case "session.status": {
        this.#projection.apply(event);
        const status = event.properties.status;
        if (status.type !== "idle") {
          this.#quietSince = undefined;
          if (this.#phase !== "unsent") this.#ranSinceSent = true;
        }
        if (!this.#projection.active) return;
        if (status.type === "idle") this.#checkSettled();
        else if (status.type === "retry" && status.attempt > this.#maxProviderRetries) {
          this.#spawn(() => this.#giveUp(new ProviderRetryError(status.attempt, status.message)));
        }
        return;
      }
      case "message.updated": {
        this.#projection.apply(event);
        const info = event.properties.info;
        if (this.#projection.isOurs(info) && info.error) this.#settleError(toSessionError(info.error));
        return;
      }
      default:
        this.#projection.apply(event);
    }
  }

  #onSessionError(error: SessionErrorPayload | undefined): void {
    // Before we sent, it cannot be ours. An answer of ours that started reports its own errors on its
    // message; this one may be another prompt's of the same session.
    if (!error || this.#phase === "unsent" || this.#projection.answers.length > 0) return;
    // The first says why; opencode may follow it with a generic one (a stack trace).
    this.#errorHint ??= error;
    if (!this.#projection.userStored) this.#spawn(() => this.#claimRefusal());
  }

  /**
   * opencode refuses some prompts (an unknown agent, say) before it stores them, and says so only by
   * a `session.error`. Once the send returned, an accepted prompt's user message is stored, so a
   * missing one means the error was the refusal of ours.
   */
  async #claimRefusal(): Promise<void> {
    try {
      await this.#sending;
    } catch {
      return; // the send's own failure settles the handle
    }
    const error = this.#errorHint;
    if (!error || this.#projection.userStored) return;
    try {
      this.#projection.applyStored([await this.#message(this.messageID)]);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      this.#settleError(toSessionError(error));
    }
  }

  /**
   * After a reconnect: take in what the server stored meanwhile and the permission requests still
   * pending (one asked during the gap waits for a reply), and settle if the answer finished unseen.
   */
  async #reconcile(): Promise<void> {
    this.#projection.applyStored(await this.#messages());
    const pending = await this.#port.permissions(this.#work.signal);
    this.#projection.applyPermissions(pending.filter((r) => r.sessionID === this.sessionID));
    if (this.#projection.active && (await this.#sessionIdle())) this.#checkSettled();
  }

  /** The session went idle: see whether our answer ended. Checks run one at a time, none is lost. */
  #checkSettled(): void {
    if (this.#phase === "settled") return;
    if (this.#settleCheck) {
      this.#settleAgain = true;
      return;
    }
    this.#settleCheck = this.#spawn(async () => {
      try {
        while (this.#phase !== "settled") {
          this.#settleAgain = false;
          this.#phase = "settling";
          await this.#trySettle();
          if (this.#phase !== "settling") break;
          this.#phase = "streaming"; // no answer of ours ended yet
          if (!this.#settleAgain) break;
        }
      } finally {
        this.#settleCheck = undefined;
      }
    });
  }

  async #trySettle(): Promise<void> {
    const messages = await this.#messages();
    this.#projection.applyStored(messages);
    const last = this.#projection.lastAnswer();
    if (!last) return this.#idleWithoutAnswer(messages);
    let final = messages.find((m) => m.info.id === last.id);
    if (!ended(last) || !final) {
      // Idle with our last answer unfinished: opencode goes idle before it stores a provider error, so
      // wait a moment for the final update. Still unfinished then: it was cut (e.g. the server
      // restarted), and what the server stored is the result.
      for (let i = 0; i < 10 && !ended(this.#projection.lastAnswer()); i++) await this.#sleep(100);
      final = await this.#message((this.#projection.lastAnswer() ?? last).id);
      this.#projection.applyStored([final]);
    }
    const info = final.info as AssistantMessage;
    if (info.error) return this.#settleError(toSessionError(info.error));
    if (this.#abort.signal.aborted) return this.#settle({ error: new PromptAbortedError("aborted") });
    this.#log.push({ type: "done", message: final, interrupted: !info.time.completed });
    this.#settle({ message: final });
  }

  /**
   * Idle with no answer of ours: it is still to start (a cold instance takes most of a second), a later
   * prompt's answer covered it, or the server gave up on it (a model that does not exist, say) and a
   * session error said why. With such an error, and the session still idle with no answer of ours a
   * moment later, the prompt failed.
   */
  async #idleWithoutAnswer(messages: readonly MessageWithParts[]): Promise<void> {
    let answeredBy = passedOverBy(messages, this.messageID);
    // Only when an older server's rule would say so is its version read (once per client).
    const byIdOrder = answeredBy ? undefined : passedOverBy(messages, this.messageID, true);
    if (byIdOrder && (await this.#port.answersByIdOrder(this.#work.signal))) answeredBy = byIdOrder;
    if (answeredBy) return this.#settle({ error: new PromptPassedOverError(this.messageID, answeredBy) });
    const error = this.#errorHint;
    if (!error) return;
    await this.#sleep(500);
    if (this.#projection.answers.length > 0) return;
    if ((await this.#sessionIdle()) && this.#projection.answers.length === 0) this.#settleError(toSessionError(error));
  }

  /** A prompt sent with `noReply` is done once stored: its result is the user message. */
  async #settleWithUserMessage(): Promise<void> {
    const message = await this.#message(this.messageID);
    this.#log.push({ type: "done", message, interrupted: false });
    this.#settle({ message });
  }

  async #giveUp(error: OpencodeError): Promise<void> {
    if (this.#givingUp) return;
    this.#givingUp = true;
    // Stop the server's retry loop first: nothing leaves once the handle settled.
    await this.#port.abort(this.sessionID, this.#work.signal).catch(() => {});
    this.#settleError(error);
  }

  #fail(error: unknown): void {
    if (this.#phase === "settled") return; // our own cancellation, or a late failure of settled work
    this.#settle({
      error: error instanceof OpencodeError ? error : new OpencodeError(`prompt failed: ${String(error)}`, { cause: error }),
    });
  }

  #settleError(error: OpencodeError): void {
    if (this.#phase === "settled") return;
    if (error instanceof PromptAbortedError && !this.#abort.signal.aborted) this.#abort.abort(error);
    this.#log.push({ type: "error", error });
    this.#settle({ error });
  }

  /** The one settle path: resolve or reject once, stop every task, release the session's turn. */
  #settle(outcome: { message: MessageWithParts } | { error: unknown }): void {
    if (this.#phase === "settled") return;
    this.#phase = "settled";
    this.#work.abort(new HandleSettled("the prompt settled"));
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    if ("message" in outcome) this.#resolve(outcome.message);
    else {
      const { error } = outcome;
      if (error instanceof OpencodeError && !this.#log.items.some((e) => e.type === "error")) {
        this.#log.push({ type: "error", error });
      }
      this.#reject(error);
    }
    this.#log.close();
  }

  // ── reads (all bound to the handle's work: cancelled when it settles) ───────────────────────

  #sleep(ms: number): Promise<void> {
    return this.#port.sleep(ms, this.#work.signal);
  }

  #messages(): Promise<MessageWithParts[]> {
    return this.#port.messages(this.sessionID, this.#work.signal);
  }

  #message(messageID: string): Promise<MessageWithParts> {
    return this.#port.message(this.sessionID, messageID, this.#work.signal);
  }

  /** The session is idle (the server lists only sessions that are not). */
  async #sessionIdle(): Promise<boolean> {
    const status = await this.#port.statuses(this.#work.signal);
    return (status[this.sessionID]?.type ?? "idle") === "idle";
  }

  // ── abort ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Aborts the prompt on the server, waits (bounded by `abortTimeoutMs`) until its answer stopped and
   * the session is idle, and settles the handle as aborted. Safe to call more than once or after the
   * prompt finished; never rejects. A prompt not sent yet is never sent. opencode aborts per session:
   * whatever the session runs at that moment is stopped.
   *
   * @example
   * ```ts
   * setTimeout(() => run.abort(), 1_000);
   * await run.finalMessage().catch((e) => e instanceof PromptAbortedError);
   * ```
   */
  async abort(): Promise<void> {
    if (this.#phase === "settled") return;
    if (!this.#abort.signal.aborted) this.#abort.abort(new PromptAbortedError("aborted by the caller"));
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    try {
      // Never sent (#run checks the signal before sending): nothing runs on the server.
      if (!this.#sending) return;
      // Bounded by abortTimeoutMs, whatever the server does (a send or an abort it never answers).
      await Promise.race([this.#stopOnServer(), this.#sleep(this.#abortTimeoutMs)]);
    } catch {
      // Refused, settled meanwhile, or the server is gone: the handle settles as aborted all the same.
    } finally {
      this.#settle({ error: new PromptAbortedError("aborted by the caller") });
    }
  }

  /**
   * Aborts until the server confirms nothing runs for the prompt (see {@link stoppedOnServer}). The
   * server may start the answer after an abort that overtook it: then the session turns busy, and
   * is aborted again.
   */
  async #stopOnServer(): Promise<void> {
    await this.#sending;
    for (let idle = false; ; ) {
      if (!idle) {
        await this.#port.abort(this.sessionID, this.#work.signal);
        this.#quietSince = undefined;
      }
      idle = await this.#sessionIdle();
      const now = this.#port.now();
      if (idle) this.#quietSince ??= now;
      else {
        this.#quietSince = undefined;
        this.#ranSinceSent = true;
      }
      const view = {
        idle,
        idleForMs: this.#quietSince === undefined ? 0 : now - this.#quietSince,
        ranSinceSent: this.#ranSinceSent,
        lastAnswer: this.#projection.lastAnswer(),
        refused: this.#errorHint !== undefined,
        noReply: this.#noReply,
      };
      if (stoppedOnServer(view)) return;
      await this.#sleep(ABORT_POLL_MS);
    }
  }

  // ── results ────────────────────────────────────────────────────────────────────────────────

  /**
   * The final assistant message as stored on the server; rejects with the session's typed error.
   *
   * @example
   * ```ts
   * const { info, parts } = await run.finalMessage();
   * ```
   */
  finalMessage(): Promise<MessageWithParts> {
    return this.#result;
  }

  /**
   * The text of the final assistant message (its text parts, joined).
   *
   * @example
   * ```ts
   * console.log(await session.prompt("hi").finalText());
   * ```
   */
  async finalText(): Promise<string> {
    const { parts } = await this.#result;
    return parts
      .filter((p): p is Extract<typeof p, { type: "text" }> => p.type === "text" && !p.synthetic && !p.ignored)
      .map((p) => p.text)
      .join("");
  }

  /**
   * Only the text deltas, as they arrive.
   *
   * @example
   * ```ts
   * for await (const chunk of run.textStream()) process.stdout.write(chunk);
   * ```
   */
  async *textStream(): AsyncGenerator<string> {
    for await (const e of this) if (e.type === "text.delta") yield e.delta;
  }

  /** Events from the first; ends after `done`, throws the error after an `error` event. */
  async *[Symbol.asyncIterator](): AsyncGenerator<PromptEvent> {
    for await (const e of this.#log.read()) {
      if (e.type === "error") throw e.error;
      yield e;
      if (e.type === "done") return;
    }
    // Settled without an error event in the log: surface the rejection.
    await this.#result;
  }
}

/**
 * Starts a prompt in a session and returns its handle at once (sending happens in the background,
 * after the session's earlier prompts settled and the event subscription is live).
 *
 * @example
 * ```ts
 * const run = startPrompt(oc, session.id, "Run the tests", { agent: "build" });
 * console.log(await run.finalText());
 * ```
 */
export function startPrompt(oc: OpencodeClient, sessionID: string, input: PromptInput, options?: PromptOptions): PromptHandle {
  return new PromptHandle(clientPort(oc), sessionID, input, options);
}
