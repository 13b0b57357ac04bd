/**
 * What a prompt handle needs from a client, and nothing else: six calls, the session's events, the
 * session's line of prompts and a clock. A handle talks to this port, so its whole lifecycle runs
 * against an in-memory server in unit tests; {@link clientPort} is the port of a real client.
 */
import type { PermissionRequest } from "@ocsdk/client";
import type { OpencodeClient, OperationArgs } from "../client.js";
import { defaultSleep } from "../core/retry.js";
import {
  type ConnectionState,
  type EventListenerHandle,
  EventStream,
  type ListenOptions,
  type StreamEvent,
} from "../events/stream.js";
import { answersByIdOrder, serverSupport } from "../server/support.js";
import type { MessageWithParts } from "./projection.js";
import type { SessionLines } from "./session-queue.js";

/** The body of `session.prompt_async`. */
export type PromptBody = OperationArgs<"session.prompt_async"> extends { body?: infer B } ? NonNullable<B> : never;

/** The part of an event stream a handle reads: one session's events, its connection state, its liveness. */
export interface PromptEventSource {
  listen(options: ListenOptions, listener: (event: StreamEvent) => void): EventListenerHandle;
  onState(listener: (state: ConnectionState) => void): () => void;
  ready(signal?: AbortSignal): Promise<void>;
}

/** Time as the handle sees it: injectable, so its waits run on a test's clock. */
export interface PromptClock {
  now(): number;
  /** Resolves after `ms`; rejects with `signal`'s reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * What a prompt handle needs from a server. Every call gets the handle's signal, aborted when it settles.
 *
 * @example
 * ```ts
 * const port = clientPort(oc);
 * const stored = await port.messages(sessionID, signal);
 * ```
 */
export interface PromptPort extends PromptClock {
  /** Sends the prompt (`session.prompt_async`); resolves once the server accepted it. */
  send(sessionID: string, body: PromptBody, signal: AbortSignal): Promise<unknown>;
  /** Stops whatever the session runs (`session.abort`). */
  abort(sessionID: string, signal: AbortSignal): Promise<unknown>;
  /** The session's stored messages (`session.messages`). */
  messages(sessionID: string, signal: AbortSignal): Promise<MessageWithParts[]>;
  /** One stored message (`session.message`); a NotFoundError when it is not stored. */
  message(sessionID: string, messageID: string, signal: AbortSignal): Promise<MessageWithParts>;
  /** The status of every session that is not idle (`session.status`). */
  statuses(signal: AbortSignal): Promise<Record<string, { type: string }>>;
  /** Pending permission requests (`permission.list`). */
  permissions(signal: AbortSignal): Promise<PermissionRequest[]>;
  /** The client's shared event stream. */
  readonly events: PromptEventSource;
  /** The client's lines of prompts, per session (see `takeTurn`). */
  readonly lines: SessionLines;
  /**
   * Whether the server takes a user message as answered once an answer's id sorts after it (opencode
   * before 1.18): read from its version, once per client, only when that rule would decide.
   */
  answersByIdOrder(signal: AbortSignal): Promise<boolean>;
}

/** The registry key of a client's session lines. */
const LINES = Symbol("prompt lines");

/**
 * The port of a client: its operations, its shared event stream, its session lines, and the wall
 * clock (or `clock`).
 *
 * @example
 * ```ts
 * const handle = new PromptHandle(clientPort(oc), sessionID, "hi");
 * ```
 */
export function clientPort(oc: OpencodeClient, clock: PromptClock = { now: Date.now, sleep: defaultSleep }): PromptPort {
  return {
    now: clock.now,
    sleep: clock.sleep,
    send: (sessionID, body, signal) => oc.session.prompt_async({ path: { sessionID }, body, signal }),
    abort: (sessionID, signal) => oc.session.abort({ path: { sessionID }, signal }),
    messages: async (sessionID, signal) => (await oc.session.messages({ path: { sessionID }, signal })) as MessageWithParts[],
    message: async (sessionID, messageID, signal) =>
      (await oc.session.message({ path: { sessionID, messageID }, signal })) as MessageWithParts,
    statuses: async (signal) => (await oc.session.status({ signal })) as Record<string, { type: string }>,
    permissions: async (signal) => (await oc.permission.list({ signal })) as PermissionRequest[],
    events: EventStream.of(oc),
    lines: oc.helpers.shared(LINES, (): SessionLines => new Map()),
    answersByIdOrder: async () => answersByIdOrder(await serverSupport(oc)),
  };
}
