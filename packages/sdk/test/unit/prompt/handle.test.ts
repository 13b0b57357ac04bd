/**
 * The prompt handle's whole lifecycle against an in-memory server on a manual clock: answers, a lost
 * send, a refusal, a prompt passed over, abort in every phase, a failed reconcile, a restart. No
 * server, no model, no real sleep: time moves only when a test advances it.
 */
import {
  APIConnectionError,
  EventStreamClosedError,
  PromptAbortedError,
  type PromptEvent,
  PromptPassedOverError,
  type PromptPhase,
  SessionError,
} from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { PENDING_TASKS, PromptHandle, type PromptOptions } from "../../../src/prompt/handle.ts";
import { ABORT_QUIET_MS } from "../../../src/prompt/projection.ts";
import { flush, lostAnswer, PromptServer } from "../../helpers/prompt-server.ts";

const SES = "ses_1";

/** A handle on `server`, with its outcome and events recorded as they happen. */
async function start(server: PromptServer, options: PromptOptions = {}, input = "hi") {
  const run = new PromptHandle(server, SES, input, options);
  const events: PromptEvent[] = [];
  let outcome: { value?: unknown; error?: unknown } | undefined;
  run.finalMessage().then(
    (value) => {
      outcome = { value };
    },
    (error: unknown) => {
      outcome = { error };
    },
  );
  // What iterating the handle ends with: undefined after `done`, or what it threw.
  const iterated = (async () => {
    for await (const e of run) events.push(e);
  })().then(
    () => undefined,
    (error: unknown) => error,
  );
  await flush();
  return { run, events, iterated, outcome: () => outcome };
}

/** Nothing of a settled handle is left: no task, no sleep, no call in flight, no listener. */
async function expectReleased(server: PromptServer, run: PromptHandle) {
  await flush();
  expect(run.phase).toBe("settled");
  expect(run[PENDING_TASKS]).toBe(0);
  expect(server.clock.pending).toBe(0);
  expect(server.inFlight).toBe(0);
  expect(server.listenerCount).toBe(0);
}

/** The session turns busy and an answer to `parentID` starts with `first`, as opencode streams one. */
function startStreaming(server: PromptServer, parentID: string, first: string) {
  server.setBusy(SES);
  const ids = server.startAnswer(SES, parentID);
  server.delta(SES, ids, first);
  return ids;
}

/** Stores, answers `text` in two deltas, ends the answer and goes idle, as opencode does. */
async function answer(server: PromptServer, parentID: string, text: [string, string]) {
  const ids = startStreaming(server, parentID, text[0]);
  server.delta(SES, ids, text[1]);
  server.endAnswer(SES, ids.messageID);
  server.setIdle(SES);
  await flush();
  return ids;
}

describe("a prompt answered", () => {
  it("streams the deltas and resolves with the stored message; then nothing of it runs", async () => {
    const server = new PromptServer();
    const { run, events, outcome } = await start(server);
    expect(run.phase).toBe("streaming");
    expect(server.calls).toEqual([`send ${SES}`]);
    const ids = await answer(server, run.messageID, ["Hel", "lo"]);
    expect(await run.finalText()).toBe("Hello");
    expect(outcome()).toMatchObject({ value: { info: { id: ids.messageID } } });
    expect(events.map((e) => (e.type === "text.delta" ? e.delta : e.type))).toEqual(["Hel", "lo", "done"]);
    await expectReleased(server, run);
  });
});

describe("a lost send", () => {
  it("whose prompt the server stored goes on to its answer (looked up, never sent again)", async () => {
    const server = new PromptServer();
    server.onSend = (sessionID, body) => {
      server.storeUser(sessionID, body);
      throw lostAnswer();
    };
    const { run } = await start(server);
    expect(run.phase).toBe("streaming");
    await answer(server, run.messageID, ["a", "b"]);
    expect(await run.finalText()).toBe("ab");
    expect(server.calls.filter((c) => c.startsWith("send"))).toHaveLength(1);
    await expectReleased(server, run);
  });

  it("whose prompt the server never stored rejects with the connection error, after the lookups", async () => {
    const server = new PromptServer();
    server.onSend = () => {
      throw lostAnswer();
    };
    const { run, outcome } = await start(server);
    expect(outcome()).toBeUndefined();
    await server.clock.advance(3_750); // the lookup delays: 250 + 500 + 1000 + 2000
    expect(outcome()?.error).toBeInstanceOf(APIConnectionError);
    expect(server.calls.filter((c) => c.startsWith("message "))).toHaveLength(5);
    expect(server.calls.filter((c) => c.startsWith("send"))).toHaveLength(1);
    await expectReleased(server, run);
  });
});

describe("a refused prompt", () => {
  it("a session error while our prompt is not stored is its refusal: typed rejection", async () => {
    const server = new PromptServer();
    server.onSend = () => undefined; // accepted on the wire, never stored
    const { run, iterated, outcome } = await start(server);
    server.emit("session.error", { sessionID: SES, error: { name: "UnknownError", data: { message: "agent nope not found" } } });
    await flush();
    const error = outcome()?.error;
    expect(error).toBeInstanceOf(SessionError);
    expect((error as Error).message).toMatch(/agent nope not found/);
    expect(await iterated).toBe(error);
    await expectReleased(server, run);
  });

  it("a session error after our prompt was stored is not a refusal by itself", async () => {
    const server = new PromptServer();
    const { run, outcome } = await start(server);
    server.emit("session.error", { sessionID: SES, error: { name: "UnknownError", data: { message: "someone else's" } } });
    await flush();
    expect(outcome()).toBeUndefined();
    await answer(server, run.messageID, ["o", "k"]);
    expect(await run.finalText()).toBe("ok");
  });
});

describe("passed over", () => {
  it("a steered prompt whose session answered a later one rejects with PromptPassedOverError", async () => {
    const server = new PromptServer();
    const first = await start(server, { delivery: "steer" }, "first");
    const second = await start(server, { delivery: "steer" }, "second");
    await answer(server, second.run.messageID, ["2", "!"]);
    const error = first.outcome()?.error;
    expect(error).toBeInstanceOf(PromptPassedOverError);
    expect((error as PromptPassedOverError).message).toContain(second.run.messageID);
    expect(await second.run.finalText()).toBe("2!");
    await expectReleased(server, first.run);
  });
});

describe("abort", () => {
  it("unsent (waiting for the session's turn): settles at once and is never sent", async () => {
    const server = new PromptServer();
    const first = await start(server);
    const second = await start(server);
    expect(second.run.phase).toBe("unsent");
    await second.run.abort();
    expect(second.outcome()?.error).toBeInstanceOf(PromptAbortedError);
    expect(server.calls.filter((c) => c.startsWith("send"))).toHaveLength(1);
    await answer(server, first.run.messageID, ["x", "y"]);
    await expectReleased(server, second.run);
  });

  it("sent, the run overtaken (it never starts): settles once the session stayed idle ABORT_QUIET_MS, not at the bound", async () => {
    const server = new PromptServer();
    let release!: () => void;
    server.onSend = (sessionID, body) =>
      new Promise<void>((resolve) => {
        release = () => {
          server.storeUser(sessionID, body);
          resolve();
        };
      });
    const { run, outcome } = await start(server, { abortTimeoutMs: 10_000 });
    expect(run.phase).toBe("sent");
    const aborting = run.abort();
    release();
    await flush();
    expect(server.calls).toContain(`abort ${SES}`);
    const confirmedAt = server.clock.now(); // the server said idle, with nothing of ours run
    await server.clock.advance(ABORT_QUIET_MS - 100);
    expect(outcome()).toBeUndefined();
    await server.clock.advance(200);
    await aborting;
    expect(outcome()?.error).toBeInstanceOf(PromptAbortedError);
    expect(server.clock.now() - confirmedAt).toBeLessThanOrEqual(1_000 + 100);
    await expectReleased(server, run);
  });

  it("sent, the run started and stopped before any answer: settles as soon as the session is idle", async () => {
    const server = new PromptServer();
    server.onSend = (sessionID, body) => {
      server.storeUser(sessionID, body);
      server.setBusy(sessionID); // opencode's run starts with the send
    };
    let release!: () => void;
    const held = server.onSend;
    server.onSend = (sessionID, body) =>
      new Promise<void>((resolve) => {
        release = () => {
          held(sessionID, body);
          resolve();
        };
      });
    const { run, outcome } = await start(server);
    const aborting = run.abort();
    release();
    await aborting;
    expect(outcome()?.error).toBeInstanceOf(PromptAbortedError);
    expect(server.busy.has(SES)).toBe(false);
    await expectReleased(server, run);
  });

  it("sent, the run starting after the abort overtook it: aborted again, settles once its answer ended", async () => {
    const server = new PromptServer();
    server.onAbort = () => true; // the first abort finds nothing to stop
    const { run, outcome } = await start(server);
    const aborting = run.abort();
    await flush();
    expect(server.calls.filter((c) => c.startsWith("abort"))).toHaveLength(1);
    server.onAbort = (sessionID) => server.stopRun(sessionID);
    startStreaming(server, run.messageID, "partial");
    await server.clock.advance(100); // the next poll sees the session busy
    expect(outcome()).toBeUndefined();
    await server.clock.advance(100); // and aborts again
    await aborting;
    expect(server.calls.filter((c) => c.startsWith("abort"))).toHaveLength(2);
    expect(outcome()?.error).toBeInstanceOf(PromptAbortedError);
    expect(server.busy.has(SES)).toBe(false);
    await expectReleased(server, run);
  });

  it("streaming: the answer ends aborted, the handle settles aborted", async () => {
    const server = new PromptServer();
    const { run, events, iterated, outcome } = await start(server);
    startStreaming(server, run.messageID, "par");
    await flush();
    expect(run.phase).toBe("streaming");
    await run.abort();
    expect(outcome()?.error).toBeInstanceOf(PromptAbortedError);
    expect(events.map((e) => e.type)).toEqual(["text.delta"]);
    expect(await iterated).toBeInstanceOf(PromptAbortedError);
    expect(run.signal.aborted).toBe(true);
    await expectReleased(server, run);
  });

  it("the aborted answer's update arriving while the status read is out: settles at once, the read is cancelled, nothing after", async () => {
    const server = new PromptServer();
    const { run, outcome } = await start(server);
    startStreaming(server, run.messageID, "par");
    server.onAbort = () => undefined; // accepted; the run stops only while the status read is out
    server.onRead = (what) => {
      if (what !== "statuses") return;
      server.stopRun(SES);
      return new Promise(() => {}); // its answer never comes: only the settle ends the read
    };
    await run.abort();
    expect(outcome()?.error).toBeInstanceOf(PromptAbortedError);
    const settledCalls = server.calls.length;
    expect(server.calls.slice(-2)).toEqual([`abort ${SES}`, "statuses"]);
    await expectReleased(server, run);
    await server.clock.advance(10_000);
    expect(server.calls.length).toBe(settledCalls);
  });

  it("settling (idle with our answer unfinished): settles aborted once the cut answer is read", async () => {
    const server = new PromptServer();
    const { run, outcome } = await start(server);
    server.setBusy(SES);
    server.startAnswer(SES, run.messageID);
    server.setIdle(SES); // idle before the answer's final update
    await flush();
    const phases: PromptPhase[] = [run.phase];
    const aborting = run.abort();
    await server.clock.advance(1_100);
    await aborting;
    expect(phases).toEqual(["settling"]);
    expect(outcome()?.error).toBeInstanceOf(PromptAbortedError);
    await expectReleased(server, run);
  });

  it("a server that never answers the abort: settles at abortTimeoutMs, not before", async () => {
    const server = new PromptServer();
    const { run, outcome } = await start(server, { abortTimeoutMs: 5_000 });
    server.setBusy(SES);
    server.onAbort = () => new Promise(() => {});
    const aborting = run.abort();
    await server.clock.advance(4_999);
    expect(outcome()).toBeUndefined();
    await server.clock.advance(1);
    await aborting;
    expect(outcome()?.error).toBeInstanceOf(PromptAbortedError);
    await expectReleased(server, run);
  });

  it("after it settled: a no-op", async () => {
    const server = new PromptServer();
    const { run } = await start(server);
    await answer(server, run.messageID, ["d", "one"]);
    await run.abort();
    expect(await run.finalText()).toBe("done");
    expect(server.calls.filter((c) => c.startsWith("abort"))).toEqual([]);
  });
});

describe("reconnects", () => {
  it("a reconcile that fails settles the handle with its error", async () => {
    const server = new PromptServer();
    const { run, outcome } = await start(server);
    server.setBusy(SES);
    server.startAnswer(SES, run.messageID);
    const failure = new APIConnectionError({ method: "GET", path: "/permission", cause: new Error("refused"), neverSent: true });
    await server.reconnect(() => {
      server.onRead = (what) => {
        if (what === "permissions") throw failure;
      };
    });
    await flush();
    expect(outcome()?.error).toBe(failure);
    await expectReleased(server, run);
  });

  it("a restart during the answer: what ended unseen is taken from the store, and the handle resolves", async () => {
    const server = new PromptServer();
    const { run, events } = await start(server);
    const ids = startStreaming(server, run.messageID, "before ");
    await flush();
    await server.reconnect(() => {
      server.delta(SES, ids, "and after");
      server.endAnswer(SES, ids.messageID);
      server.setIdle(SES);
    });
    await flush();
    expect(await run.finalText()).toBe("before and after");
    expect(events.filter((e) => e.type === "text.delta").map((e) => e.type === "text.delta" && e.delta)).toEqual([
      "before ",
      "and after",
    ]);
    await expectReleased(server, run);
  });

  it("a restart that cut the answer: resolves with what was stored, marked interrupted", async () => {
    const server = new PromptServer();
    const { run, events } = await start(server);
    startStreaming(server, run.messageID, "cut");
    await server.reconnect(() => {
      server.busy.delete(SES); // the restarted server runs nothing, and never ends the answer
    });
    await server.clock.advance(1_100);
    expect(await run.finalText()).toBe("cut");
    expect(events.at(-1)).toMatchObject({ type: "done", interrupted: true });
    await expectReleased(server, run);
  });

  it("the event stream giving up fails the handle with its error", async () => {
    const server = new PromptServer();
    const { run, outcome } = await start(server);
    const error = new EventStreamClosedError("gave up");
    server.giveUp(error);
    await flush();
    expect(outcome()?.error).toBe(error);
    await expectReleased(server, run);
  });
});
