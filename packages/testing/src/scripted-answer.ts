/**
 * Scripted answers: what the real server streams on `/event` while it answers a prompt, built from
 * a short description (deltas, a tool call, a permission request, an error, a dropped connection).
 * Pure: an answer and its context in, the steps to play out. The shapes follow the recorded real
 * streams (`fixtures/sse`), and the unit tests check every event against the spec's `Event` schema.
 */
import { newAscendingId } from "@ocsdk/sdk/internal";

/** A tool call in a scripted answer. */
export interface ScriptedToolCall {
  /** Tool name, e.g. `"bash"`, `"read"`, `"edit"`. */
  tool: string;
  input: Record<string, unknown>;
  /** Output of a completed call (default `""`). */
  output?: string;
  /** Fail the call with this message instead. */
  error?: string;
  /** Ask for this permission before running; the answer waits for the reply (`POST /permission/{id}/reply`). */
  permission?: { permission: string; patterns: string[]; always?: string[]; metadata?: Record<string, unknown> };
}

/** One scripted answer to a prompt. */
export interface ScriptedAnswer {
  /** Text, streamed as one delta per array item (a string is split in words). */
  text?: string | string[];
  /** Reasoning deltas streamed before the text. */
  reasoning?: string[];
  /** Tool calls, run in a first step before the text. */
  toolCalls?: ScriptedToolCall[];
  /** End the answer with this session error (`session.error` plus the error on the assistant message). */
  error?: {
    name: "ProviderAuthError" | "UnknownError" | "APIError" | "MessageAbortedError";
    message: string;
    data?: Record<string, unknown>;
  };
  /** Drop every event-stream connection after this many text deltas (the client must reconnect). */
  dropAfterDeltas?: number;
  /** Pause between events (default 0). */
  delayMs?: number;
}

/** Where a scripted answer plays: the session, the user's message (id and text) and the model. */
export interface AnswerContext {
  sessionID: string;
  userMessageID: string;
  userText: string;
  model?: { providerID: string; modelID: string };
  agent?: string;
  directory?: string;
  now?: () => number;
}

/** One event as the server sends it on `/event`. */
export interface ServerEvent {
  id: string;
  type: string;
  properties: Record<string, unknown>;
}

/** One step of a played answer. */
export type AnswerStep =
  | { kind: "event"; event: ServerEvent }
  | { kind: "await-permission"; requestID: string; onReply: (reply: string) => AnswerStep[] }
  | { kind: "drop" }
  | { kind: "pause"; ms: number };

const splitWords = (text: string | string[] | undefined): string[] =>
  text === undefined ? [] : Array.isArray(text) ? text : (text.match(/\S+\s*|\s+/g) ?? [text]);

/**
 * The steps the server would stream for `answer` to the prompt described by `ctx`.
 *
 * @example
 * ```ts
 * const steps = answerSteps({ sessionID: "ses_1", userMessageID: "msg_1", userText: "hi" }, { text: "Hello there" });
 * ```
 */
export function answerSteps(ctx: AnswerContext, answer: ScriptedAnswer): AnswerStep[] {
  const now = ctx.now ?? Date.now;
  const { sessionID } = ctx;
  const model = ctx.model ?? { providerID: "mock", modelID: "mock-model" };
  const agent = ctx.agent ?? "build";
  const directory = ctx.directory ?? "/mock/project";
  const out: AnswerStep[] = [];
  const event = (type: string, properties: Record<string, unknown>): AnswerStep => ({
    kind: "event",
    event: { id: newAscendingId("evt"), type, properties: { sessionID, ...properties } },
  });
  const partUpdated = (part: Record<string, unknown>) => event("message.part.updated", { part, time: now() });
  const created = now();

  out.push(
    event("message.updated", {
      info: { id: ctx.userMessageID, role: "user", sessionID, time: { created }, agent, model },
    }),
    partUpdated({ id: newAscendingId("prt"), messageID: ctx.userMessageID, sessionID, type: "text", text: ctx.userText }),
    event("session.status", { status: { type: "busy" } }),
  );

  const assistantInfo = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    parentID: ctx.userMessageID,
    role: "assistant",
    mode: agent,
    agent,
    path: { cwd: directory, root: directory },
    cost: 0,
    tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
    modelID: model.modelID,
    providerID: model.providerID,
    time: { created: now() },
    sessionID,
    ...extra,
  });
  const stepFinish = (messageID: string, reason: string, output: number) =>
    partUpdated({
      id: newAscendingId("prt"),
      reason,
      messageID,
      sessionID,
      type: "step-finish",
      tokens: { total: 10 + output, input: 10, output, reasoning: 0, cache: { read: 0, write: 0 } },
      cost: 0,
    });
  const finished = (messageID: string, finish: string, output: number, extra: Record<string, unknown> = {}) =>
    event("message.updated", {
      info: assistantInfo(messageID, {
        tokens: { total: 10 + output, input: 10, output, reasoning: 0, cache: { read: 0, write: 0 } },
        time: { created, completed: now() },
        finish,
        ...extra,
      }),
    });
  const end = (): AnswerStep[] => [event("session.status", { status: { type: "idle" } }), event("session.idle", {})];

  // Step 1: tool calls, each possibly behind a permission request; a rejected one fails.
  const toolCalls = answer.toolCalls ?? [];
  if (toolCalls.length) {
    const messageID = newAscendingId("msg");
    out.push(event("message.updated", { info: assistantInfo(messageID) }));
    out.push(partUpdated({ id: newAscendingId("prt"), messageID, sessionID, type: "step-start" }));
    const runCall = (i: number, into: AnswerStep[]) => {
      const call = toolCalls[i];
      if (!call) {
        into.push(stepFinish(messageID, "tool-calls", toolCalls.length), finished(messageID, "tool-calls", toolCalls.length));
        into.push(...answerText());
        return;
      }
      const callID = `call_mock_${i}`;
      const partID = newAscendingId("prt");
      const start = now();
      const tool = (state: Record<string, unknown>) =>
        partUpdated({ id: partID, messageID, sessionID, type: "tool", tool: call.tool, callID, state });
      into.push(tool({ status: "pending", input: {}, raw: "" }));
      into.push(tool({ status: "running", input: call.input, time: { start } }));
      const complete = (rejected: boolean, to: AnswerStep[]) => {
        const error = rejected ? "The user rejected permission to use this specific tool call." : call.error;
        to.push(
          error !== undefined
            ? tool({ status: "error", input: call.input, error, time: { start, end: now() } })
            : tool({
                status: "completed",
                input: call.input,
                output: call.output ?? "",
                title: call.tool,
                metadata: {},
                time: { start, end: now() },
              }),
        );
        runCall(i + 1, to);
      };
      if (call.permission) {
        const requestID = newAscendingId("per");
        into.push(
          event("permission.asked", {
            id: requestID,
            permission: call.permission.permission,
            patterns: call.permission.patterns,
            metadata: call.permission.metadata ?? {},
            always: call.permission.always ?? [],
            tool: { messageID, callID },
          }),
        );
        into.push({
          kind: "await-permission",
          requestID,
          onReply: (reply) => {
            const after: AnswerStep[] = [event("permission.replied", { requestID, reply })];
            complete(reply === "reject", after);
            return after;
          },
        });
        return;
      }
      complete(false, into);
    };
    runCall(0, out);
    return out;
  }
  out.push(...answerText());
  return out;

  // Step 2 (or the only one): reasoning, text, then the end or the error.
  function answerText(): AnswerStep[] {
    const steps: AnswerStep[] = [];
    const messageID = newAscendingId("msg");
    steps.push(event("message.updated", { info: assistantInfo(messageID) }));
    steps.push(partUpdated({ id: newAscendingId("prt"), messageID, sessionID, type: "step-start" }));
    const push = (s: AnswerStep) => {
      if (answer.delayMs) steps.push({ kind: "pause", ms: answer.delayMs });
      steps.push(s);
    };
    const reasoning = answer.reasoning ?? [];
    if (reasoning.length) {
      const id = newAscendingId("prt");
      const start = now();
      push(partUpdated({ id, messageID, sessionID, type: "reasoning", text: "", time: { start } }));
      for (const delta of reasoning) push(event("message.part.delta", { messageID, partID: id, field: "text", delta }));
      push(partUpdated({ id, messageID, sessionID, type: "reasoning", text: reasoning.join(""), time: { start, end: now() } }));
    }
    const deltas = splitWords(answer.text);
    if (deltas.length) {
      const id = newAscendingId("prt");
      const start = now();
      push(partUpdated({ id, messageID, sessionID, type: "text", text: "", time: { start } }));
      for (const [i, delta] of deltas.entries()) {
        push(event("message.part.delta", { messageID, partID: id, field: "text", delta }));
        if (answer.dropAfterDeltas === i + 1) steps.push({ kind: "drop" });
      }
      push(partUpdated({ id, messageID, sessionID, type: "text", text: deltas.join(""), time: { start, end: now() } }));
    }
    if (answer.error) {
      const error = { name: answer.error.name, data: { message: answer.error.message, ...answer.error.data } };
      steps.push(finished(messageID, "error", deltas.length, { error }));
      steps.push(event("session.error", { error }));
    } else {
      steps.push(stepFinish(messageID, "stop", deltas.length), finished(messageID, "stop", deltas.length));
    }
    steps.push(...end());
    return steps;
  }
}
