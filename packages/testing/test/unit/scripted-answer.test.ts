/**
 * Scripted answers produce the events the real server sends: every event valid against the spec's
 * `Event` schema, in the order of the recorded streams, and a store that ends where the stream says.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { ConversationStore } from "../../src/conversation.ts";
import { type AnswerStep, answerSteps, type ServerEvent } from "../../src/scripted-answer.ts";
import { SPEC_PATH } from "../../src/spec.ts";

const text = readFileSync(SPEC_PATH, "utf8").replaceAll('"#/components/', '"spec#/components/');
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
ajv.addSchema(JSON.parse(text), "spec");
const validateEvent = ajv.compile({ $ref: "spec#/components/schemas/Event" });

const ctx = { sessionID: "ses_test1", userMessageID: "msg_00000000000100000000000000", userText: "hi" };

/** Plays steps as the mock does, answering each permission request with `reply`. */
function play(steps: AnswerStep[], reply = "once"): { events: ServerEvent[]; drops: number } {
  const events: ServerEvent[] = [];
  let drops = 0;
  const run = (list: AnswerStep[]) => {
    for (const s of list) {
      if (s.kind === "event") events.push(s.event);
      if (s.kind === "drop") drops++;
      if (s.kind === "await-permission") run(s.onReply(reply));
    }
  };
  run(steps);
  return { events, drops };
}

function expectValid(events: ServerEvent[]) {
  for (const e of events) {
    const ok = validateEvent(e);
    expect(ok, `${e.type}: ${JSON.stringify(validateEvent.errors?.slice(0, 3))}`).toBe(true);
  }
}

describe("answerSteps", () => {
  it("a text answer: busy, deltas that add up to the stored text, idle", () => {
    const { events } = play(answerSteps(ctx, { text: ["The ", "answer ", "is 42."], reasoning: ["think"] }));
    expectValid(events);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("message.updated");
    expect(types).toContain("session.status");
    expect(types.slice(-2)).toEqual(["session.status", "session.idle"]);
    const deltas = events.filter((e) => e.type === "message.part.delta").map((e) => e.properties.delta);
    expect(deltas).toEqual(["think", "The ", "answer ", "is 42."]);

    const store = new ConversationStore();
    for (const e of events) store.apply(e);
    const [user, assistant] = store.messages(ctx.sessionID);
    expect(user?.info.id).toBe(ctx.userMessageID);
    expect(assistant?.info.parentID).toBe(ctx.userMessageID);
    expect(assistant?.info.finish).toBe("stop");
    const stored = assistant?.parts.filter((p) => p.type === "text").map((p) => p.text);
    expect(stored).toEqual(["The answer is 42."]);
    expect(store.statuses()).toEqual({});
  });

  it("a tool call behind a permission request waits for the reply; a rejection fails the call", () => {
    const answer = {
      toolCalls: [
        { tool: "bash", input: { command: "ls" }, output: "a\nb", permission: { permission: "bash", patterns: ["ls"] } },
      ],
      text: "done",
    };
    const steps = answerSteps(ctx, answer);
    const waitAt = steps.findIndex((s) => s.kind === "await-permission");
    expect(waitAt).toBeGreaterThan(0);
    expect(steps.slice(0, waitAt).some((s) => s.kind === "event" && s.event.type === "permission.asked")).toBe(true);

    const allowed = play(steps, "once").events;
    expectValid(allowed);
    const toolStates = (evts: ServerEvent[]) =>
      evts
        .filter((e) => e.type === "message.part.updated" && (e.properties.part as { type: string }).type === "tool")
        .map((e) => (e.properties.part as { state: { status: string } }).state.status);
    expect(toolStates(allowed)).toEqual(["pending", "running", "completed"]);

    const rejected = play(answerSteps(ctx, answer), "reject").events;
    expectValid(rejected);
    expect(toolStates(rejected)).toEqual(["pending", "running", "error"]);
    expect(rejected.find((e) => e.type === "permission.replied")?.properties.reply).toBe("reject");

    const store = new ConversationStore();
    for (const e of steps.slice(0, waitAt)) if (e.kind === "event") store.apply(e.event);
    expect(store.pendingPermissions()).toHaveLength(1);
    expect(store.statuses()[ctx.sessionID]).toEqual({ type: "busy" });
  });

  it("an error answer ends with session.error and the error on the assistant message", () => {
    const { events } = play(answerSteps(ctx, { text: "partial", error: { name: "UnknownError", message: "boom" } }));
    expectValid(events);
    const error = events.find((e) => e.type === "session.error");
    expect(error?.properties.error).toEqual({ name: "UnknownError", data: { message: "boom" } });
    expect(events.at(-1)?.type).toBe("session.idle");
  });

  it("a dropped connection comes after the given number of deltas", () => {
    const steps = answerSteps(ctx, { text: ["a", "b", "c"], dropAfterDeltas: 2 });
    const kinds = steps.map((s) => (s.kind === "event" ? s.event.type : s.kind));
    const drop = kinds.indexOf("drop");
    expect(kinds.slice(0, drop).filter((k) => k === "message.part.delta")).toHaveLength(2);
    expect(play(steps).drops).toBe(1);
  });
});
