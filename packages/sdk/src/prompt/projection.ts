/**
 * The pure part of a prompt handle: the server's events and stored messages in, the prompt's own
 * high-level events out. Idempotent by part: a part seen live, again after a reconnect and again in
 * the store emits each of its events once, and its deltas add up to its stored text.
 */
import type {
  AssistantMessage,
  EventMessagePartDelta,
  EventMessagePartUpdated,
  EventMessageUpdated,
  EventPermissionAsked,
  EventSessionStatus,
  Message,
  Part,
  PermissionRequest,
  ToolPart,
} from "@ocsdk/client";
import type { OpencodeError } from "../core/errors.js";
import { PartText } from "./part-text.js";

/** A stored message with its parts, as the server returns it. */
export interface MessageWithParts {
  info: Message;
  parts: Part[];
}

/** Token counts of a step, as the server reports them. */
export interface StepTokens {
  input: number;
  output: number;
  reasoning: number;
  cache: { read: number; write: number };
}

/** High-level events of one prompt. Each is emitted once, however often the server repeats itself. */
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
  | { type: "step.finished"; messageID: string; reason: string; cost: number; tokens: StepTokens }
  | { type: "retrying"; attempt: number; message: string; nextAt: number }
  | { type: "error"; error: OpencodeError }
  | {
      type: "done";
      message: MessageWithParts;
      /** The answer was cut before it completed (e.g. the server restarted); `message` is what it stored. */
      interrupted: boolean;
    };

/** The server events a prompt's projection reads (the handle subscribes to these types only). */
export type PromptSourceEvent =
  | EventMessageUpdated
  | EventMessagePartUpdated
  | EventMessagePartDelta
  | EventPermissionAsked
  | EventSessionStatus;

const FILE_TOOLS = new Set(["edit", "write", "multiedit", "patch", "apply_patch"]);

type StreamedPart = Extract<Part, { type: "text" | "reasoning" }>;
const isStreamed = (part: Part): part is StreamedPart => part.type === "text" || part.type === "reasoning";

/**
 * Projects one prompt's answer out of its session's events and stored messages.
 *
 * @example
 * ```ts
 * const events: PromptEvent[] = [];
 * const projection = new PromptProjection(messageID, (e) => events.push(e));
 * for (const e of serverEvents) projection.apply(e);
 * projection.applyStored(await session.messages());
 * ```
 */
export class PromptProjection {
  /** Our user message. */
  readonly messageID: string;
  readonly #emit: (event: PromptEvent) => void;
  readonly #answers = new Map<string, AssistantMessage>();
  readonly #parts = new Map<string, Part>();
  readonly #text = new Map<string, PartText>();
  /** Keys of the events emitted so far (`<partID>:start`, `<partID>:end`, …): each at most once. */
  readonly #emitted = new Set<string>();
  /** Delta event ids per streaming part: a repeated delta is dropped (the set goes when the part ends). */
  readonly #deltaIds = new Map<string, Set<string>>();
  /** Parts whose deltas may have a hole: they wait for their final snapshot. */
  readonly #frozen = new Set<string>();
  /** Permission requests of tool calls in messages not known to be ours (yet). */
  readonly #unplaced = new Map<string, PermissionRequest>();
  #gap = false;
  #userStored = false;

  constructor(messageID: string, emit: (event: PromptEvent) => void) {
    this.messageID = messageID;
    this.#emit = emit;
  }

  /** The server has our user message (seen live or in the store). */
  get userStored(): boolean {
    return this.#userStored;
  }

  /** The server started on this prompt: our user message or an answer of ours was seen. */
  get active(): boolean {
    return this.#userStored || this.#answers.size > 0;
  }

  /** Our assistant messages so far, oldest first. */
  get answers(): AssistantMessage[] {
    return [...this.#answers.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The latest assistant message answering this prompt. */
  lastAnswer(): AssistantMessage | undefined {
    let last: AssistantMessage | undefined;
    for (const m of this.#answers.values()) if (!last || m.id > last.id) last = m;
    return last;
  }

  /** Whether an assistant message answers this prompt. */
  isOurs(info: Message): info is AssistantMessage {
    return info.role === "assistant" && info.parentID === this.messageID;
  }

  /**
   * Events may have been lost (the stream reconnected): parts streaming now wait for their final
   * snapshot, and deltas of parts never seen cannot be placed.
   */
  markGap(): void {
    this.#gap = true;
    for (const [id, part] of this.#parts) if (isStreamed(part) && !part.time?.end) this.#frozen.add(id);
  }

  /** Applies one live server event. */
  apply(event: PromptSourceEvent): void {
    switch (event.type) {
      case "message.updated":
        this.#applyMessage(event.properties.info);
        return;
      case "message.part.updated":
        this.#applyPart(event.properties.part, false);
        return;
      case "message.part.delta":
        this.#applyDelta(event);
        return;
      case "permission.asked":
        this.applyPermissions([event.properties]);
        return;
      case "session.status": {
        const status = event.properties.status;
        if (status.type !== "retry" || !this.active) return;
        this.#once(`retry:${status.attempt}:${status.next}`, () => ({
          type: "retrying",
          attempt: status.attempt,
          message: status.message,
          nextAt: status.next,
        }));
        return;
      }
    }
  }

  /** Applies what the server stored (the session's messages, in its order). */
  applyStored(messages: readonly MessageWithParts[]): void {
    for (const m of messages) {
      if (m.info.role === "user" && m.info.id === this.messageID) this.#userStored = true;
      if (!this.isOurs(m.info)) continue;
      this.#addAnswer(m.info);
      for (const part of m.parts) this.#applyPart(part, true);
    }
  }

  /**
   * Applies permission requests: asked live, or still pending when listed after a reconnect (a request
   * asked during the gap is not in the stored messages). Ours are those of our answer's tool calls,
   * or of the session while it works on our prompt.
   */
  applyPermissions(requests: readonly PermissionRequest[]): void {
    for (const request of requests) {
      const messageID = request.tool?.messageID;
      // A tool call's request may come before we know its message is ours (missed in a gap): kept until then.
      if (messageID && !this.#answers.has(messageID)) this.#unplaced.set(request.id, request);
      else if (messageID || this.active) this.#once(`permission:${request.id}`, () => ({ type: "permission.asked", request }));
    }
  }

  #addAnswer(info: AssistantMessage): void {
    this.#answers.set(info.id, info);
    for (const [id, request] of this.#unplaced) {
      if (request.tool?.messageID !== info.id) continue;
      this.#unplaced.delete(id);
      this.applyPermissions([request]);
    }
  }

  #applyMessage(info: Message): void {
    if (info.role === "user" && info.id === this.messageID) this.#userStored = true;
    if (this.isOurs(info)) this.#addAnswer(info);
  }

  #applyDelta(event: EventMessagePartDelta): void {
    const { messageID, partID, field, delta } = event.properties;
    if (field !== "text" || !this.#answers.has(messageID)) return;
    // Deltas cannot be placed after a hole: the part's final snapshot brings the rest.
    if (this.#frozen.has(partID)) return;
    if (this.#gap && !this.#parts.has(partID)) {
      this.#frozen.add(partID);
      return;
    }
    if (typeof event.id === "string") {
      let ids = this.#deltaIds.get(partID);
      if (!ids) {
        ids = new Set();
        this.#deltaIds.set(partID, ids);
      }
      if (ids.has(event.id)) return;
      ids.add(event.id);
    }
    const kind = this.#parts.get(partID)?.type === "reasoning" ? "reasoning.delta" : "text.delta";
    this.#emitText(kind, messageID, partID, delta);
  }

  #applyPart(part: Part, fromStore: boolean): void {
    if (!this.#answers.has(part.messageID)) return;
    const isNew = !this.#parts.has(part.id);
    this.#parts.set(part.id, part);
    if (isStreamed(part)) this.#applyStreamed(part, isNew, fromStore);
    else if (part.type === "tool") this.#applyTool(part);
    else if (part.type === "step-finish") {
      this.#once(part.id, () => ({
        type: "step.finished",
        messageID: part.messageID,
        reason: part.reason,
        cost: part.cost,
        tokens: part.tokens,
      }));
    }
  }

  #applyStreamed(part: StreamedPart, isNew: boolean, fromStore: boolean): void {
    if (part.time?.end === undefined) {
      // An in-between snapshot: a stored one may be older than the deltas we have, and a part first
      // seen in the store has live deltas we do not know of. Either waits for the final snapshot.
      if (!isNew || this.#frozen.has(part.id)) return;
      if (fromStore) {
        this.#frozen.add(part.id);
        return;
      }
    }
    this.#frozen.delete(part.id);
    // A snapshot: emit what the deltas did not bring (a lost delta, or a part first seen here).
    const known = this.#text.get(part.id)?.value ?? "";
    if (part.text.length > known.length && part.text.startsWith(known)) {
      this.#emitText(
        part.type === "text" ? "text.delta" : "reasoning.delta",
        part.messageID,
        part.id,
        part.text.slice(known.length),
      );
    } else if (!part.text.startsWith(known)) {
      // The final text disagrees with the deltas: later events build on it, earlier ones keep theirs.
      this.#text.set(part.id, new PartText(part.text));
    }
    if (part.time?.end !== undefined) this.#deltaIds.delete(part.id);
  }

  #applyTool(part: ToolPart): void {
    const { state, callID, tool, messageID } = part;
    if (state.status === "pending") return;
    const input = state.input;
    this.#once(`${part.id}:start`, () => ({ type: "tool.started", messageID, callID, tool, input }));
    if (state.status === "completed") {
      this.#once(`${part.id}:end`, () => ({
        type: "tool.completed",
        messageID,
        callID,
        tool,
        input,
        output: state.output,
        title: state.title,
        metadata: state.metadata,
      }));
      const file = input.filePath ?? input.path;
      if (FILE_TOOLS.has(tool) && typeof file === "string") {
        this.#once(`${part.id}:file`, () => ({ type: "file.edited", messageID, file, tool }));
      }
    } else if (state.status === "error") {
      this.#once(`${part.id}:end`, () => ({ type: "tool.failed", messageID, callID, tool, input, error: state.error }));
    }
  }

  #emitText(type: "text.delta" | "reasoning.delta", messageID: string, partID: string, delta: string): void {
    let text = this.#text.get(partID);
    if (!text) {
      text = new PartText();
      this.#text.set(partID, text);
    }
    this.#emit(text.attachView({ type, messageID, partID, delta }, text.append(delta)) as PromptEvent);
  }

  #once(key: string, make: () => PromptEvent): void {
    if (this.#emitted.has(key)) return;
    this.#emitted.add(key);
    this.#emit(make());
  }
}

// ── settle rules: pure decisions of the handle, on what the projection and the server say ─────

/**
 * An assistant message that will change no more: it completed or failed.
 *
 * @example
 * ```ts
 * if (ended(projection.lastAnswer())) settle();
 * ```
 */
export function ended(info: Message | undefined): boolean {
  return info?.role === "assistant" && (info.error !== undefined || info.time.completed !== undefined);
}

/**
 * The later user message whose answer covered `messageID`, when the session answered past it
 * (opencode answers only the latest of the prompts waiting in a session); with `byIdOrder` (servers
 * before 1.18), else the prompt of an answer whose id sorts after `messageID`.
 *
 * @example
 * ```ts
 * const by = passedOverBy(await port.messages(sessionID, signal), messageID);
 * ```
 */
export function passedOverBy(messages: readonly MessageWithParts[], messageID: string, byIdOrder = false): string | undefined {
  const at = messages.findIndex((m) => m.info.id === messageID);
  if (at < 0) return undefined;
  const answered = new Set(messages.flatMap((m) => (m.info.role === "assistant" ? [m.info.parentID] : [])));
  if (answered.has(messageID)) return undefined;
  const later = messages.slice(at + 1).find((m) => m.info.role === "user" && answered.has(m.info.id));
  if (later || !byIdOrder) return later?.info.id;
  // Servers before 1.18 take a user message as answered once an answer's id sorts after it.
  const after = messages.find((m) => m.info.role === "assistant" && m.info.id > messageID);
  return after?.info.role === "assistant" ? after.info.parentID : undefined;
}

/**
 * How long an aborted session must stay idle, with no answer of ours and no run of it seen, before
 * nothing is taken to run: the longest opencode was seen to take from accepting a prompt to starting
 * it (a cold instance) is most of a second.
 */
export const ABORT_QUIET_MS = 1_000;

/** What the handle knows after the server accepted its abort (see {@link stoppedOnServer}). */
export interface AbortView {
  /** The session is idle now. */
  idle: boolean;
  /** How long the session has been seen idle without a break (no busy status in between). */
  idleForMs: number;
  /** The session was seen busy since the prompt was sent: the server started on it. */
  ranSinceSent: boolean;
  /** The last answer of ours, if one started. */
  lastAnswer: AssistantMessage | undefined;
  /** A session error arrived while no answer of ours had started: the server gave up on the prompt. */
  refused: boolean;
  /** Sent with `noReply`: the server runs nothing for it. */
  noReply: boolean;
}

/**
 * After an accepted abort: will nothing more run for the prompt? Only with the session idle, and:
 * our answer ended; or no answer of ours started and the server gave up on the prompt, wanted no
 * answer, started its run and was stopped (opencode aborts a run before its first step without any
 * answer, and starts a prompt once), or stayed idle for {@link ABORT_QUIET_MS} (a prompt it does
 * start after an abort that overtook it turns the session busy, and is aborted again).
 *
 * @example
 * ```ts
 * stoppedOnServer({ idle: true, idleForMs: 0, ranSinceSent: true, lastAnswer: undefined, refused: false, noReply: false }); // true
 * ```
 */
export function stoppedOnServer(view: AbortView): boolean {
  if (!view.idle) return false;
  if (view.lastAnswer) return ended(view.lastAnswer);
  return view.refused || view.noReply || view.ranSinceSent || view.idleForMs >= ABORT_QUIET_MS;
}
