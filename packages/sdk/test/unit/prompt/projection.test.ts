/**
 * The prompt projection, fed the real streams recorded from the pinned server and hand-made
 * interleavings: every event once per part, deltas adding up to the stored text, whatever the gaps,
 * repeats and store reads in between (property tests over random interleavings).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Message, Part } from "@ocsdk/client";
import type { MessageWithParts, PromptEvent } from "@ocsdk/sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ABORT_QUIET_MS,
  type AbortView,
  ended,
  PromptProjection,
  type PromptSourceEvent,
  passedOverBy,
  stoppedOnServer,
} from "../../../src/prompt/projection.ts";

const FIXTURES = fileURLToPath(new URL("../../../../client/test/fixtures/sse/", import.meta.url));
const SOURCE = new Set(["message.updated", "message.part.updated", "message.part.delta", "permission.asked", "session.status"]);

interface Recording {
  name: string;
  /** The prompt's user message. */
  messageID: string;
  events: PromptSourceEvent[];
}

function load(name: string): Recording {
  const events = readFileSync(`${FIXTURES}${name}.event.sse`, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => JSON.parse(l.slice(6)) as { type: string })
    .filter((e): e is PromptSourceEvent => SOURCE.has(e.type));
  const user = events.find((e) => e.type === "message.updated" && e.properties.info.role === "user");
  if (user?.type !== "message.updated") throw new Error(`${name}: no user message`);
  return { name, messageID: user.properties.info.id, events };
}

const RECORDINGS = ["text", "tool", "permission"].map(load);

/**
 * What the server holds after the first `upto` events: the latest info per message and snapshot per
 * part; with `withDeltas`, a streaming part's text also has the deltas after its snapshot (the
 * server's memory rather than its last write).
 */
function storeAt(events: readonly PromptSourceEvent[], upto: number, withDeltas: boolean): MessageWithParts[] {
  const infos = new Map<string, Message>();
  const parts = new Map<string, Part>();
  for (const e of events.slice(0, upto)) {
    if (e.type === "message.updated") infos.set(e.properties.info.id, e.properties.info);
    else if (e.type === "message.part.updated") parts.set(e.properties.part.id, e.properties.part);
    else if (e.type === "message.part.delta" && withDeltas) {
      const p = parts.get(e.properties.partID);
      if (p && (p.type === "text" || p.type === "reasoning")) parts.set(p.id, { ...p, text: p.text + e.properties.delta });
    }
  }
  return [...infos.values()]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((info) => ({ info, parts: [...parts.values()].filter((p) => p.messageID === info.id) }));
}

/** The answer's parts as finally stored. */
function finalParts(r: Recording): Part[] {
  return storeAt(r.events, r.events.length, false)
    .filter((m) => m.info.role === "assistant" && m.info.parentID === r.messageID)
    .flatMap((m) => m.parts);
}

function project(messageID: string, feed: (p: PromptProjection) => void): PromptEvent[] {
  const out: PromptEvent[] = [];
  feed(new PromptProjection(messageID, (e) => out.push(e)));
  return out;
}

/**
 * The invariants that must hold once the final store was applied, whatever came before. Permission
 * requests are not stored: those `delivered` live (or listed as pending) appear once each.
 */
function expectConsistent(r: Recording, events: PromptEvent[], delivered = r.events): void {
  const parts = finalParts(r);
  for (const part of parts) {
    if (part.type === "text" || part.type === "reasoning") {
      const kind = part.type === "text" ? "text.delta" : "reasoning.delta";
      const deltas = events.filter((e) => e.type === kind && e.partID === part.id);
      expect(deltas.map((e) => (e.type === kind ? e.delta : "")).join("")).toBe(part.text);
      // The view of the last delta is the whole text.
      if (deltas.length > 0) expect((deltas.at(-1) as { text: string }).text).toBe(part.text);
    }
  }
  const steps = parts.filter((p) => p.type === "step-finish");
  expect(events.filter((e) => e.type === "step.finished")).toHaveLength(steps.length);
  const tools = parts.filter((p) => p.type === "tool" && p.state.status !== "pending");
  expect(events.filter((e) => e.type === "tool.started")).toHaveLength(tools.length);
  expect(events.filter((e) => e.type === "tool.completed" || e.type === "tool.failed")).toHaveLength(tools.length);
  const permissions = new Set(delivered.flatMap((e) => (e.type === "permission.asked" ? [e.properties.id] : [])));
  expect(events.filter((e) => e.type === "permission.asked")).toHaveLength(permissions.size);
}

describe("prompt projection over recorded streams", () => {
  for (const r of RECORDINGS) {
    it(`${r.name}: live events alone give each event once and the stored text`, () => {
      const events = project(r.messageID, (p) => {
        for (const e of r.events) p.apply(e);
      });
      expectConsistent(r, events);
      expect(events.some((e) => e.type === "step.finished")).toBe(true);
    });

    it(`${r.name}: the store read again and again (idle, idle status, reconcile) emits nothing twice`, () => {
      const live = project(r.messageID, (p) => {
        for (const e of r.events) p.apply(e);
      });
      const repeated = project(r.messageID, (p) => {
        for (const e of r.events) p.apply(e);
        for (let i = 0; i < 3; i++) p.applyStored(storeAt(r.events, r.events.length, false));
      });
      expect(repeated.map((e) => e.type)).toEqual(live.map((e) => e.type));
      expectConsistent(r, repeated);
    });

    it(`${r.name}: the store alone (no live event seen) gives the whole answer`, () => {
      const events = project(r.messageID, (p) => p.applyStored(storeAt(r.events, r.events.length, false)));
      expectConsistent(r, events, []);
    });
  }

  it("the tool recording shows the read as started, then completed with its output", () => {
    const r = RECORDINGS[1] as Recording;
    const events = project(r.messageID, (p) => {
      for (const e of r.events) p.apply(e);
    });
    const types = events.map((e) => e.type);
    expect(types.indexOf("tool.started")).toBeLessThan(types.indexOf("tool.completed"));
    const completed = events.find((e) => e.type === "tool.completed");
    expect(completed).toMatchObject({ tool: "read" });
  });
});

describe("prompt projection: random interleavings (property)", () => {
  /** A gap drops events [from, to) and marks it; a store read happens at `readAt` (>= to) with or without deltas. */
  const plan = (n: number) =>
    fc.record({
      gaps: fc.array(
        fc.record({ from: fc.nat(n), len: fc.nat(Math.max(1, Math.floor(n / 4))), read: fc.nat(n), withDeltas: fc.boolean() }),
        { maxLength: 4 },
      ),
      repeats: fc.array(fc.nat(n), { maxLength: 6 }),
      extraReads: fc.array(fc.record({ at: fc.nat(n), withDeltas: fc.boolean() }), { maxLength: 3 }),
    });

  for (const r of RECORDINGS) {
    it(`${r.name}: gaps, repeated events and store reads at random points`, () => {
      const n = r.events.length;
      fc.assert(
        fc.property(plan(n), ({ gaps, repeats, extraReads }) => {
          const dropped = new Set<number>();
          const gapEnds = new Map<number, { read: number; withDeltas: boolean }>();
          for (const g of gaps) {
            const to = Math.min(n, g.from + g.len);
            for (let i = g.from; i < to; i++) dropped.add(i);
            gapEnds.set(to, { read: Math.max(to, g.read), withDeltas: g.withDeltas });
          }
          const reads = new Map<number, boolean[]>();
          const addRead = (at: number, withDeltas: boolean) => reads.set(at, [...(reads.get(at) ?? []), withDeltas]);
          for (const x of extraReads) addRead(x.at, x.withDeltas);
          const events = project(r.messageID, (p) => {
            for (let i = 0; i <= n; i++) {
              const end = gapEnds.get(i);
              if (end) {
                p.markGap(); // the reconnect: the store is read once the stream is back
                addRead(end.read, end.withDeltas);
              }
              for (const withDeltas of reads.get(i) ?? []) p.applyStored(storeAt(r.events, i, withDeltas));
              if (i === n) break;
              if (dropped.has(i)) continue;
              const e = r.events[i] as PromptSourceEvent;
              p.apply(e);
              if (repeats.includes(i)) p.apply(e);
            }
            // The settle read: the final store.
            p.applyStored(storeAt(r.events, n, false));
          });
          expectConsistent(
            r,
            events,
            r.events.filter((_, i) => !dropped.has(i)),
          );
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe("prompt projection: hand-made interleavings", () => {
  const ours = "msg_b";
  const info = (id: string, parentID: string, completed?: number): Message =>
    ({
      id,
      role: "assistant",
      parentID,
      sessionID: "ses_1",
      time: { created: 1, ...(completed ? { completed } : {}) },
    }) as Message;
  const updated = (m: Message): PromptSourceEvent => ({
    id: `evt_u_${m.id}_${m.role === "assistant" ? (m.time.completed ?? 0) : 0}`,
    type: "message.updated",
    properties: { sessionID: "ses_1", info: m },
  });
  const textPart = (id: string, messageID: string, text: string, end?: number): Part =>
    ({ id, messageID, sessionID: "ses_1", type: "text", text, time: { start: 1, ...(end ? { end } : {}) } }) as Part;
  const partEvent = (part: Part, n: number): PromptSourceEvent => ({
    id: `evt_p_${part.id}_${n}`,
    type: "message.part.updated",
    properties: { sessionID: "ses_1", part, time: n },
  });
  let seq = 0;
  const delta = (messageID: string, partID: string, d: string): PromptSourceEvent => ({
    id: `evt_d_${seq++}`,
    type: "message.part.delta",
    properties: { sessionID: "ses_1", messageID, partID, field: "text", delta: d },
  });
  const texts = (events: PromptEvent[]) => events.flatMap((e) => (e.type === "text.delta" ? [e.delta] : []));

  it("a reconnect mid-part: deltas after the hole wait for the final snapshot, which brings the rest once", () => {
    const events = project(ours, (p) => {
      p.apply(updated(info("msg_c", ours)));
      p.apply(partEvent(textPart("prt_1", "msg_c", ""), 1));
      p.apply(delta("msg_c", "prt_1", "one "));
      p.markGap(); // "two " lost
      p.apply(delta("msg_c", "prt_1", "three"));
      p.apply(partEvent(textPart("prt_1", "msg_c", "one two three", 5), 2));
      p.applyStored([{ info: info("msg_c", ours, 9), parts: [textPart("prt_1", "msg_c", "one two three", 5)] }]);
    });
    expect(texts(events)).toEqual(["one ", "two three"]);
  });

  it("a part first seen in the store while streaming is taken from its final snapshot, not doubled", () => {
    const events = project(ours, (p) => {
      p.apply(updated(info("msg_c", ours)));
      p.applyStored([{ info: info("msg_c", ours), parts: [textPart("prt_1", "msg_c", "Hel")] }]);
      p.apply(delta("msg_c", "prt_1", "lo")); // racing the read: may or may not be in "Hel"
      p.apply(partEvent(textPart("prt_1", "msg_c", "Hello", 5), 2));
    });
    expect(texts(events).join("")).toBe("Hello");
  });

  it("another prompt's answer in the same session (a queued prompt) is not ours", () => {
    const events = project(ours, (p) => {
      p.apply(updated(info("msg_x", "msg_a")));
      p.apply(partEvent(textPart("prt_x", "msg_x", ""), 1));
      p.apply(delta("msg_x", "prt_x", "not ours"));
      p.apply(updated(info("msg_c", ours)));
      p.apply(partEvent(textPart("prt_1", "msg_c", ""), 2));
      p.apply(delta("msg_c", "prt_1", "ours"));
    });
    expect(texts(events)).toEqual(["ours"]);
  });

  it("a step finish seen live, then in two store reads, is one step.finished", () => {
    const step = {
      id: "prt_s",
      messageID: "msg_c",
      sessionID: "ses_1",
      type: "step-finish",
      reason: "stop",
      cost: 0.5,
      tokens: { input: 3, output: 4, reasoning: 0, cache: { read: 0, write: 0 } },
    } as Part;
    const events = project(ours, (p) => {
      p.apply(updated(info("msg_c", ours)));
      p.apply(partEvent(step, 1));
      p.applyStored([{ info: info("msg_c", ours, 9), parts: [step] }]);
      p.applyStored([{ info: info("msg_c", ours, 9), parts: [step] }]);
    });
    expect(events.filter((e) => e.type === "step.finished")).toEqual([
      { type: "step.finished", messageID: "msg_c", reason: "stop", cost: 0.5, tokens: expect.objectContaining({ output: 4 }) },
    ]);
  });

  it("a repeated delta event (same id) is applied once", () => {
    const d = delta("msg_c", "prt_1", "x");
    const events = project(ours, (p) => {
      p.apply(updated(info("msg_c", ours)));
      p.apply(partEvent(textPart("prt_1", "msg_c", ""), 1));
      p.apply(d);
      p.apply(d);
    });
    expect(texts(events)).toEqual(["x"]);
  });

  it("deltas without an event id are all applied (nothing to tell a repeat by)", () => {
    const events = project(ours, (p) => {
      p.apply(updated(info("msg_c", ours)));
      p.apply(partEvent(textPart("prt_1", "msg_c", ""), 1));
      for (const d of ["a", "b", "c"]) p.apply({ ...delta("msg_c", "prt_1", d), id: undefined } as unknown as PromptSourceEvent);
    });
    expect(texts(events)).toEqual(["a", "b", "c"]);
  });

  it("retries are reported once per retry, only once the prompt is active", () => {
    const retry = (attempt: number, next: number): PromptSourceEvent => ({
      id: `evt_r_${attempt}_${next}`,
      type: "session.status",
      properties: { sessionID: "ses_1", status: { type: "retry", attempt, message: "overloaded", next } },
    });
    const events = project(ours, (p) => {
      p.apply(retry(1, 100)); // another prompt's, before ours started
      p.apply(updated({ id: ours, role: "user", sessionID: "ses_1", time: { created: 1 } } as Message));
      p.apply(retry(1, 200));
      p.apply({ ...retry(1, 200), id: "evt_other" });
      p.apply(retry(2, 300));
    });
    expect(events).toEqual([
      { type: "retrying", attempt: 1, message: "overloaded", nextAt: 200 },
      { type: "retrying", attempt: 2, message: "overloaded", nextAt: 300 },
    ]);
  });
});

describe("settle rules", () => {
  const user = (id: string) => ({ info: { id, role: "user" }, parts: [] }) as unknown as MessageWithParts;
  const assistant = (id: string, parentID: string, done: { completed?: number; error?: object } = { completed: 1 }) =>
    ({
      info: { id, role: "assistant", parentID, time: { created: 0, completed: done.completed }, error: done.error },
      parts: [],
    }) as unknown as MessageWithParts;

  it("ended: an assistant message that completed or failed", () => {
    expect(ended(assistant("msg_2", "msg_1").info)).toBe(true);
    expect(ended(assistant("msg_2", "msg_1", { error: { name: "MessageAbortedError" } }).info)).toBe(true);
    expect(ended(assistant("msg_2", "msg_1", {}).info)).toBe(false);
    expect(ended(user("msg_1").info)).toBe(false);
    expect(ended(undefined)).toBe(false);
  });

  it("passedOverBy: the later user message whose answer covered ours, only when ours got none", () => {
    const mine = "msg_1";
    expect(passedOverBy([user(mine), user("msg_2"), assistant("msg_3", "msg_2")], mine)).toBe("msg_2");
    expect(
      passedOverBy([user(mine), assistant("msg_2", mine), user("msg_3"), assistant("msg_4", "msg_3")], mine),
    ).toBeUndefined();
    expect(passedOverBy([user(mine), user("msg_2")], mine)).toBeUndefined(); // nothing answered yet
    expect(passedOverBy([user("msg_2"), assistant("msg_3", "msg_2")], mine)).toBeUndefined(); // ours not stored
  });

  it("stoppedOnServer: never while busy; our answer ended; or no answer and the run stopped, refused, noReply, or quiet long enough", () => {
    const base: AbortView = {
      idle: true,
      idleForMs: 0,
      ranSinceSent: false,
      lastAnswer: undefined,
      refused: false,
      noReply: false,
    };
    const answer = (done: { completed?: number }) => assistant("msg_2", "msg_1", done).info as never;
    expect(stoppedOnServer(base)).toBe(false);
    expect(stoppedOnServer({ ...base, idleForMs: ABORT_QUIET_MS - 1 })).toBe(false);
    expect(stoppedOnServer({ ...base, idleForMs: ABORT_QUIET_MS })).toBe(true);
    expect(stoppedOnServer({ ...base, ranSinceSent: true })).toBe(true);
    expect(stoppedOnServer({ ...base, refused: true })).toBe(true);
    expect(stoppedOnServer({ ...base, noReply: true })).toBe(true);
    expect(stoppedOnServer({ ...base, idle: false, ranSinceSent: true, idleForMs: 10_000 })).toBe(false);
    expect(stoppedOnServer({ ...base, lastAnswer: answer({ completed: 5 }) })).toBe(true);
    // An answer of ours that has not ended: only its end says nothing more runs, however quiet.
    expect(stoppedOnServer({ ...base, lastAnswer: answer({}), ranSinceSent: true, idleForMs: 10_000 })).toBe(false);
    expect(ABORT_QUIET_MS).toBeLessThanOrEqual(1_000);
  });
});
