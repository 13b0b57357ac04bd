/** The listener sink: synchronous delivery, ending by end/fail/signal, and the listener's own errors. */
import { recordUnhandledRejections } from "@ocsdk/test-kit";
import { describe, expect, it } from "vitest";
import { ListenerSink } from "../../../src/events/listener-sink.js";

describe("ListenerSink", () => {
  it("calls the listener synchronously per push, in order, until it ends; done resolves once", async () => {
    const got: number[] = [];
    let closes = 0;
    const sink = new ListenerSink<number>((n) => void got.push(n), { onClose: () => closes++ });
    expect(sink.push(1)).toBe(false); // a listener is never behind
    sink.push(2);
    expect(got).toEqual([1, 2]); // no await in between
    sink.end();
    sink.end();
    sink.push(3); // after the end: ignored
    sink.fail(new Error("late")); // after the end: no effect
    await expect(sink.done).resolves.toBeUndefined();
    expect(got).toEqual([1, 2]);
    expect(closes).toBe(1);
    expect(sink.closed).toBe(true);
  });

  it("a listener that throws ends the sink with its error; push itself never throws", async () => {
    const boom = new Error("boom");
    const got: number[] = [];
    const sink = new ListenerSink<number>((n) => {
      if (n === 2) throw boom;
      got.push(n);
    });
    sink.push(1);
    expect(() => sink.push(2)).not.toThrow();
    sink.push(3);
    await expect(sink.done).rejects.toBe(boom);
    expect(got).toEqual([1]);
  });

  it("a listener's rejected promise ends the sink with its reason, not as an unhandled rejection", async () => {
    const unhandled = recordUnhandledRejections();
    try {
      const reason = new Error("async boom");
      const sink = new ListenerSink<number>(async (n) => {
        if (n === 1) throw reason;
      });
      sink.push(1);
      await expect(sink.done).rejects.toBe(reason);
      expect(sink.closed).toBe(true);
      await new Promise((r) => setTimeout(r, 0));
      expect(unhandled.reasons).toEqual([]);
    } finally {
      unhandled.stop();
    }
  });

  it("fail() ends it with the error, kept for whoever awaits done later (never unhandled)", async () => {
    const unhandled = recordUnhandledRejections();
    try {
      const error = new Error("stream gave up");
      const sink = new ListenerSink<number>(() => {});
      sink.fail(error);
      await new Promise((r) => setTimeout(r, 0));
      expect(unhandled.reasons).toEqual([]);
      await expect(sink.done).rejects.toBe(error);
    } finally {
      unhandled.stop();
    }
  });

  it("an abort signal ends it without an error, also when aborted before", async () => {
    const ac = new AbortController();
    const got: number[] = [];
    const sink = new ListenerSink<number>((n) => void got.push(n), { signal: ac.signal });
    sink.push(1);
    ac.abort();
    sink.push(2);
    await expect(sink.done).resolves.toBeUndefined();
    expect(got).toEqual([1]);

    let closed = false;
    const early = new ListenerSink<number>(() => {}, { signal: AbortSignal.abort(), onClose: () => (closed = true) });
    expect(early.closed).toBe(true);
    expect(closed).toBe(true);
    await expect(early.done).resolves.toBeUndefined();
  });
});
