/**
 * The prompt handle: subscribe first, then send, then turn the session's raw events into a few
 * high-level ones, reconcile from the stored messages after a reconnect, and settle exactly once.
 */
import type { AssistantMessage, Message, Part, PermissionRequest, ToolPart } from "@ocsdk/client";
import type { OpencodeClient, OperationArgs } from "../client.js";
import { NotFoundError, OpencodeError } from "../core/errors.js";
import { defaultSleep } from "../core/retry.js";
import type { ConnectionState, StreamEvent } from "../events/stream.js";
import { newMessageId } from "./ids.js";
import { PartText } from "./part-text.js";

type PromptBody = OperationArgs<"session.prompt_async"> extends { body?: infer B } ? NonNullable<B> : never;
/** What can be sent: text, or the spec's part inputs (text, files, agents, subtasks). */
export type PromptInput = string | PromptBody["parts"];

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
}

/** A stored message with its parts, as the server returns it. */
export interface MessageWithParts {
  info: Message;
  parts: Part[];
}

/** High-level events of one prompt. */
export type PromptEvent =
  | {
      type: "text.delta";
      messageID: string;
      partID: string;
      delta: string;
      /** The part's text up to and including this delta (made when read, so keeping events is cheap). */
      text: string;
    }
  | { type: "reasoning.delta"; messageID: string; partID: string; delta: string; text: string }
  | { type: "tool.started"; messageID: string; callID: string; tool: string; input: Record<string, unknown> }
  | {
      type: "tool.completed";
      messageID: string;
      callID: string;
      tool: string;
      input: Record<string, unknown>;
      output: string;
      title?: string;
      metadata?: Record<string, unknown>;
    }
  | { type: "tool.failed"; messageID: string; callID: string; tool: string; input: Record<string, unknown>; error: string }
  | { type: "file.edited"; messageID: string; file: string; tool: string }
  | { type: "permission.asked"; request: PermissionRequest }
  | {
      type: "step.finished";
      messageID: string;
      reason: string;
      cost: number;
      tokens: { input: number; output: number; reasoning: number; cache: { read: number; write: number } };
    }
  | { type: "retrying"; attempt: number; message: string; nextAt: number }
  | { type: "error"; error: OpencodeError }
  | {
      type: "done";
      message: MessageWithParts;
      /** The answer was cut before it completed (e.g. the server restarted); `message` is what it stored. */
      interrupted: boolean;
    };

/** The session reported an error for this prompt (provider auth, rate limit, output length …). */
export class SessionError extends OpencodeError {
  override name = "SessionError";
  constructor(
    /** opencode's error name, e.g. `ProviderAuthError`, `APIError`. */
    readonly errorName: string,
    /** Its payload. */
    readonly data: Record<string, unknown>,
  ) {
    super(`${errorName}: ${String(data.message ?? "session error")}`);
  }
  /** HTTP status the provider answered, when the error came from it. */
  get statusCode(): number | undefined {
    return typeof this.data.statusCode === "number" ? this.data.statusCode : undefined;
  }
}
/** The provider rejected the credentials (`ProviderAuthError`, or a provider 401/403). */
export class ProviderAuthError extends SessionError {
  override name = "ProviderAuthError";
}
/** The provider rate-limited the request (a provider 429). */
export class ProviderRateLimitError extends SessionError {
  override name = "ProviderRateLimitError";
}
/** The provider kept failing and opencode kept retrying past `maxProviderRetries`. */
export class ProviderRetryError extends SessionError {
  override name = "ProviderRetryError";
  constructor(
    readonly attempt: number,
    message: string,
  ) {
    super("ProviderRetryError", { message: `gave up after ${attempt} provider retries: ${message}` });
  }
}
/** The prompt was aborted (by `abort()`, its signal, or on the server). */
export class PromptAbortedError extends OpencodeError {
  override name = "PromptAbortedError";
}

function toSessionError(error: NonNullable<AssistantMessage["error"]>): OpencodeError {
  const name = error.name;
  const data = (error as { data?: Record<string, unknown> }).data ?? {};
  if (name === "MessageAbortedError") return new PromptAbortedError(String(data.message ?? "aborted"));
  const status = typeof data.statusCode === "number" ? data.statusCode : undefined;
  if (name === "ProviderAuthError" || status === 401 || status === 403) return new ProviderAuthError(name, data);
  if (status === 429) return new ProviderRateLimitError(name, data);
  return new SessionError(name, data);
}

const FILE_TOOLS = new Set(["edit", "write", "multiedit", "patch", "apply_patch"]);

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
  /** Id of the user message this prompt created. */
  readonly messageID: string;
  /** Fires when the prompt is aborted. */
  readonly signal: AbortSignal;

  readonly #oc: OpencodeClient;
  readonly #events: PromptEvent[] = [];
  readonly #wakers = new Set<() => void>();
  readonly #abort = new AbortController();
  readonly #subscription = new AbortController();
  readonly #assistant = new Map<string, AssistantMessage>();
  readonly #parts = new Map<string, Part>();
  readonly #text = new Map<string, PartText>();
  readonly #toolsStarted = new Set<string>();
  readonly #toolsEnded = new Set<string>();
  /** Parts whose deltas may have a hole (a reconnect happened while they streamed): wait for their snapshot. */
  readonly #frozen = new Set<string>();
  #hadReconnect = false;
  readonly #abortTimeoutMs: number;
  readonly #maxProviderRetries: number;
  #settled = false;
  #sawActivity = false;
  /** The `prompt_async` request, once it was started; the server may begin the answer after it returned. */
  #sending: Promise<unknown> | undefined;
  /**
   * The first `session.error` since we sent, while no answer of ours had started. It names no message,
   * so it is ours only when the server never stored our prompt, or went idle without answering it.
   */
  #errorHint: NonNullable<AssistantMessage["error"]> | undefined;
  #stopping: Promise<void> | undefined;
  #detachSignal: (() => void) | undefined;
  #result: Promise<MessageWithParts>;
  #resolve!: (m: MessageWithParts) => void;
  #reject!: (e: unknown) => void;

  /** @internal use {@link startPrompt} */
  constructor(oc: OpencodeClient, sessionID: string, input: PromptInput, options: PromptOptions = {}) {
    this.#oc = oc;
    this.sessionID = sessionID;
    this.messageID = newMessageId();
    this.signal = this.#abort.signal;
    this.#abortTimeoutMs = options.abortTimeoutMs ?? 10_000;
    this.#maxProviderRetries = options.maxProviderRetries ?? Number.POSITIVE_INFINITY;
    this.#result = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#result.catch(() => {}); // observed through finalMessage()/iteration
    if (options.signal?.aborted) {
      this.#settle(undefined, new PromptAbortedError("aborted before it was sent"));
      return;
    }
    const signal = options.signal;
    if (signal) {
      const onAbort = () => void this.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.#detachSignal = () => signal.removeEventListener("abort", onAbort);
    }
    void this.#run(input, options);
  }

  async #run(input: PromptInput, options: PromptOptions): Promise<void> {
    const { signal: _s, abortTimeoutMs: _a, maxProviderRetries: _m, ...rest } = options;
    const parts = typeof input === "string" ? [{ type: "text" as const, text: input }] : input;
    const stream = this.#oc.events;
    let reconnected = false;
    const offState = stream.onState((s: ConnectionState) => {
      if (s.state === "reconnecting" && !reconnected) {
        reconnected = true;
        this.#hadReconnect = true;
        for (const [id, part] of this.#parts) {
          if ((part.type === "text" || part.type === "reasoning") && !part.time?.end) this.#frozen.add(id);
        }
      }
      if (s.state === "open" && reconnected) {
        reconnected = false;
        void this.#reconcile();
      }
    });
    try {
      // Subscribe first, and wait until the connection is live, so no first event is missed.
      const events = stream.subscribe({ sessionID: this.sessionID, signal: this.#subscription.signal });
      const pump = this.#pump(events);
      await stream.ready(this.#subscription.signal);
      // Aborted before it was sent: nothing to stop on the server, so never send it.
      if (this.#settled || this.#abort.signal.aborted) return;
      this.#sending = this.#oc.session.prompt_async({
        path: { sessionID: this.sessionID },
        body: { ...rest, messageID: this.messageID, parts } as PromptBody,
      });
      await this.#sending;
      await pump;
    } catch (error) {
      if (!this.#settled) this.#settle(undefined, error);
    } finally {
      offState();
      this.#subscription.abort();
    }
  }

  async #pump(events: AsyncIterable<StreamEvent>): Promise<void> {
    try {
      for await (const event of events) {
        this.#handle(event);
        if (this.#settled) break;
      }
    } catch (error) {
      if (!this.#settled) this.#settle(undefined, error);
    }
  }

  #emit(event: PromptEvent): void {
    this.#events.push(event);
    for (const wake of [...this.#wakers]) wake();
  }

  #emitDelta(type: "text.delta" | "reasoning.delta", messageID: string, partID: string, delta: string): void {
    let text = this.#text.get(partID);
    if (!text) {
      text = new PartText();
      this.#text.set(partID, text);
    }
    this.#emit(text.attachView({ type, messageID, partID, delta }, text.append(delta)));
  }

  #ours(messageID: string): boolean {
    return this.#assistant.has(messageID);
  }

  #handle(event: StreamEvent): void {
    const p = (event as { properties?: Record<string, unknown> }).properties ?? {};
    switch (event.type) {
      case "message.updated": {
        const info = p.info as Message;
        if (info.role === "user" && info.id === this.messageID) this.#sawActivity = true;
        if (info.role === "assistant" && info.parentID === this.messageID) {
          this.#sawActivity = true;
          this.#assistant.set(info.id, info);
          if (info.error && !this.#settled) this.#sessionError(info.error);
        }
        return;
      }
      case "message.part.updated":
        this.#applyPart(p.part as Part);
        return;
      case "message.part.delta": {
        const messageID = String(p.messageID);
        if (!this.#ours(messageID) || p.field !== "text") return;
        const partID = String(p.partID);
        // Deltas cannot be placed after a hole: the part's final snapshot brings the rest.
        if (this.#frozen.has(partID)) return;
        if (this.#hadReconnect && !this.#parts.has(partID)) {
          this.#frozen.add(partID);
          return;
        }
        const kind = this.#parts.get(partID)?.type === "reasoning" ? "reasoning.delta" : "text.delta";
        this.#emitDelta(kind, messageID, partID, String(p.delta));
        return;
      }
      case "permission.asked":
        this.#emit({ type: "permission.asked", request: p as unknown as PermissionRequest });
        return;
      case "session.error": {
        const error = p.error as AssistantMessage["error"];
        // Before we sent, it cannot be ours. An answer of ours that started reports its own errors
        // on its message; this one may be another prompt's of the same session.
        if (!error || this.#settled || !this.#sending || this.#assistant.size > 0) return;
        // The first says why; opencode may follow it with a generic one (a stack trace).
        this.#errorHint ??= error;
        // Checked once the send returned: an error that overtook the 204 is claimed then.
        if (!this.#sawActivity)
          void this.#sending.then(
            () => this.#claimRefusal(),
            () => {},
          );
        return;
      }
      case "session.idle":
        if (this.#sawActivity) void this.#finish();
        return;
      case "session.deleted": {
        // opencode goes on generating into a deleted session; nothing of it can be read back.
        const error = new SessionError("SessionDeletedError", { message: "the session was deleted while the prompt ran" });
        this.#emit({ type: "error", error });
        this.#settle(undefined, error);
        return;
      }
      case "session.status": {
        const status = p.status as { type?: string; attempt?: number; message?: string; next?: number };
        if (!this.#sawActivity) return;
        if (status?.type === "idle") void this.#finish();
        if (status?.type === "retry") {
          const attempt = Number(status.attempt ?? 0);
          const message = String(status.message ?? "");
          this.#emit({ type: "retrying", attempt, message, nextAt: Number(status.next ?? 0) });
          if (attempt > this.#maxProviderRetries) void this.#giveUp(new ProviderRetryError(attempt, message));
        }
        return;
      }
    }
  }

  #applyPart(part: Part, fromStore = false): void {
    if (!this.#ours(part.messageID)) return;
    const isNew = !this.#parts.has(part.id);
    this.#parts.set(part.id, part);
    // First seen in the store while still streaming: its live deltas so far are unknown.
    if (fromStore && isNew && (part.type === "text" || part.type === "reasoning") && !part.time?.end) {
      this.#frozen.add(part.id);
      return;
    }
    if (part.type === "text" || part.type === "reasoning") {
      // A frozen part waits for its final snapshot; an in-between one could be older than the deltas.
      if (this.#frozen.has(part.id)) {
        if (!part.time?.end) return;
        this.#frozen.delete(part.id);
      }
      // A snapshot: emit what the deltas did not bring (a lost delta, or a part first seen here).
      const known = this.#text.get(part.id)?.value ?? "";
      if (part.text.length > known.length && part.text.startsWith(known)) {
        const kind = part.type === "text" ? "text.delta" : "reasoning.delta";
        this.#emitDelta(kind, part.messageID, part.id, part.text.slice(known.length));
      } else if (!part.text.startsWith(known)) {
        // The store disagrees with the deltas: later events build on the stored text, earlier ones keep theirs.
        this.#text.set(part.id, new PartText(part.text));
      }
      return;
    }
    if (part.type === "tool") {
      this.#applyTool(part);
      return;
    }
    if (part.type === "step-finish") {
      this.#emit({
        type: "step.finished",
        messageID: part.messageID,
        reason: part.reason,
        cost: part.cost,
        tokens: part.tokens,
      });
    }
  }

  #applyTool(part: ToolPart): void {
    const { state, callID, tool, messageID } = part;
    if (state.status === "pending") return;
    const input = state.input;
    if (!this.#toolsStarted.has(callID)) {
      this.#toolsStarted.add(callID);
      this.#emit({ type: "tool.started", messageID, callID, tool, input });
    }
    if (this.#toolsEnded.has(callID)) return;
    if (state.status === "completed") {
      this.#toolsEnded.add(callID);
      this.#emit({
        type: "tool.completed",
        messageID,
        callID,
        tool,
        input,
        output: state.output,
        title: state.title,
        metadata: state.metadata,
      });
      const file = input.filePath ?? input.path;
      if (FILE_TOOLS.has(tool) && typeof file === "string") this.#emit({ type: "file.edited", messageID, file, tool });
    } else if (state.status === "error") {
      this.#toolsEnded.add(callID);
      this.#emit({ type: "tool.failed", messageID, callID, tool, input, error: state.error });
    }
  }

  #sessionError(error: NonNullable<AssistantMessage["error"]>): void {
    const typed = toSessionError(error);
    if (typed instanceof PromptAbortedError && !this.#abort.signal.aborted) this.#abort.abort(typed);
    this.#emit({ type: "error", error: typed });
    this.#settle(undefined, typed);
  }

  /**
   * opencode refuses some prompts (an unknown agent, say) before it stores them, and says so only by
   * a `session.error`. Once the send returned, an accepted prompt's user message is stored, so a
   * missing one means the error was the refusal of ours.
   */
  async #claimRefusal(): Promise<void> {
    const error = this.#errorHint;
    if (!error || this.#settled || this.#sawActivity) return;
    try {
      await this.#oc.session.message({ path: { sessionID: this.sessionID, messageID: this.messageID } });
      this.#sawActivity = true; // stored: accepted
    } catch (e) {
      if (this.#settled || this.#sawActivity) return;
      if (e instanceof NotFoundError) this.#sessionError(error);
      else this.#settle(undefined, e);
    }
  }

  /** Brings the handle in line with what the server stored (after a reconnect, and at the end). */
  async #reconcile(): Promise<MessageWithParts[]> {
    const messages = (await this.#oc.session.messages({ path: { sessionID: this.sessionID } })) as MessageWithParts[];
    const ours = messages.filter((m) => m.info.role === "assistant" && m.info.parentID === this.messageID);
    if (messages.some((m) => m.info.id === this.messageID)) this.#sawActivity = true;
    for (const m of ours) {
      this.#assistant.set(m.info.id, m.info as AssistantMessage);
      for (const part of m.parts) this.#applyPart(part, true);
    }
    if (ours.length > 0 && (await this.#sessionIdle())) void this.#finish(ours);
    return ours;
  }

  async #finish(stored?: MessageWithParts[]): Promise<void> {
    if (this.#settled) return;
    try {
      const ours = stored ?? (await this.#reconcile());
      if (this.#settled) return;
      let last = ours.at(-1);
      if (!last) return await this.#idleWithoutAnswer();
      if (!this.#ended(last.info)) {
        // Idle with our last answer unfinished: opencode goes idle before it stores a provider error,
        // so wait a moment for the final update. Still unfinished then: it was cut (e.g. the server
        // restarted), and what the server stored is the result.
        const id = last.info.id;
        for (let i = 0; i < 10 && !this.#settled && !this.#ended(this.#assistant.get(id)); i++) await defaultSleep(100);
        if (this.#settled) return;
        last = (await this.#oc.session.message({ path: { sessionID: this.sessionID, messageID: id } })) as MessageWithParts;
        if (this.#settled) return;
        for (const part of last.parts) this.#applyPart(part, true);
      }
      const info = last.info as AssistantMessage;
      if (info.error) return this.#sessionError(info.error);
      if (this.#abort.signal.aborted) return this.#settle(undefined, new PromptAbortedError("aborted"));
      this.#emit({ type: "done", message: last, interrupted: !info.time.completed });
      this.#settle(last);
    } catch (error) {
      this.#settle(undefined, error);
    }
  }

  /**
   * Idle with no answer of ours: it is queued or about to start, or the server gave up on it (a model
   * that does not exist, say) and a session error said why. With such an error, and the session still
   * idle with no answer of ours a moment later, the prompt failed.
   */
  async #idleWithoutAnswer(): Promise<void> {
    const error = this.#errorHint;
    if (!error) return;
    await defaultSleep(500);
    if (this.#settled || this.#assistant.size > 0) return;
    if ((await this.#sessionIdle()) && this.#assistant.size === 0) this.#sessionError(error);
  }

  /** The session is idle (the server lists only sessions that are not). */
  async #sessionIdle(): Promise<boolean> {
    const status = (await this.#oc.session.status()) as Record<string, { type: string }>;
    return (status[this.sessionID]?.type ?? "idle") === "idle";
  }

  #settle(message: MessageWithParts | undefined, error?: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#subscription.abort();
    this.#detachSignal?.();
    if (message) this.#resolve(message);
    else {
      if (!this.#events.some((e) => e.type === "error") && error instanceof OpencodeError) {
        this.#events.push({ type: "error", error });
      }
      this.#reject(error);
    }
    for (const wake of [...this.#wakers]) wake();
  }

  async #giveUp(error: OpencodeError): Promise<void> {
    if (this.#settled) return;
    this.#emit({ type: "error", error });
    this.#settle(undefined, error);
    // Stop the server's retry loop too; the handle is already settled.
    await this.#oc.session.abort({ path: { sessionID: this.sessionID } }).catch(() => {});
  }

  /**
   * Aborts the prompt on the server, waits (bounded by `abortTimeoutMs`) until its answer stopped and
   * the session is idle, and settles the handle as aborted. Safe to call more than once or after the
   * prompt finished. A prompt not sent yet is never sent. opencode aborts per session: whatever the
   * session runs at that moment is stopped.
   *
   * @example
   * ```ts
   * setTimeout(() => run.abort(), 1_000);
   * await run.finalMessage().catch((e) => e instanceof PromptAbortedError);
   * ```
   */
  async abort(): Promise<void> {
    if (this.#settled) return;
    if (!this.#abort.signal.aborted) this.#abort.abort(new PromptAbortedError("aborted by the caller"));
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /**
   * With the session idle, nothing more will run for this prompt: our answer ended, or the server
   * gave up on the prompt before answering. An accepted prompt with no answer yet is still to start
   * (a cold instance takes most of a second), however long the session has been idle.
   */
  #stoppedOnServer(): boolean {
    if (this.#assistant.size === 0) return this.#errorHint !== undefined;
    return this.#ended([...this.#assistant.values()].at(-1));
  }

  #ended(info: Message | undefined): boolean {
    return info?.role === "assistant" && (info.error !== undefined || info.time.completed !== undefined);
  }

  async #stop(): Promise<void> {
    try {
      // Never sent (#run checks the signal before sending), or refused: nothing runs on the server.
      if (!this.#sending) return;
      try {
        await this.#sending;
      } catch {
        return;
      }
      // The server may start the answer after an abort that overtook the send: keep aborting while
      // the session runs, until nothing more will run for this prompt.
      const path = { path: { sessionID: this.sessionID } };
      const deadline = Date.now() + this.#abortTimeoutMs;
      for (;;) {
        const idle = await this.#sessionIdle();
        if (!idle) await this.#oc.session.abort(path);
        if ((idle && this.#stoppedOnServer()) || Date.now() >= deadline) return;
        await defaultSleep(100);
      }
    } finally {
      this.#settle(undefined, new PromptAbortedError("aborted by the caller"));
    }
  }

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
      .filter((p): p is Extract<Part, { type: "text" }> => p.type === "text" && !p.synthetic && !p.ignored)
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
    let i = 0;
    for (;;) {
      while (i < this.#events.length) {
        const e = this.#events[i++] as PromptEvent;
        if (e.type === "error") throw e.error;
        yield e;
        if (e.type === "done") return;
      }
      if (this.#settled) {
        // Settled without an error event in the log: surface the rejection.
        await this.#result;
        return;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#wakers.delete(wake);
          resolve();
        };
        this.#wakers.add(wake);
      });
    }
  }
}

/**
 * Starts a prompt in a session and returns its handle at once (sending happens in the background,
 * after the event subscription is live).
 *
 * @example
 * ```ts
 * const run = startPrompt(oc, session.id, "Run the tests", { agent: "build" });
 * console.log(await run.finalText());
 * ```
 */
export function startPrompt(oc: OpencodeClient, sessionID: string, input: PromptInput, options?: PromptOptions): PromptHandle {
  return new PromptHandle(oc, sessionID, input, options);
}
