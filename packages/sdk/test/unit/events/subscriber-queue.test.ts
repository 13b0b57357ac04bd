/** The subscriber queue: order, waiting consumers, overflow policies, ending by end/fail/return/signal. */
import { describe, expect, it } from "vitest";
import { SubscriberQueue, type SubscriberQueueOptions } from "../../../src/events/subscriber-queue.js";

class Full extends Error {}
const queue = (o: Partial<SubscriberQueueOptions> = {}) =>
  new SubscriberQueue<number>({ capacity: 100, overflow: "error", overflowError: (n) => new Full(`full at ${n}`), ...o });

async function drain(q: AsyncIterable<number>): Promise<number[]> {
  const out: number[] = [];
  for await (const n of q) out.push(n);
  return out;
}

describe("SubscriberQueue", () => {
  it("delivers buffered and later items in order, to a consumer that waits or one that is behind", async () => {
    const q = queue();
    q.push(1);
    q.push(2);
    const got = drain(q);
    await Promise.resolve();
    q.push(3);
    q.push(4);
    q.end();
    q.push(5); // after the end: ignored
    expect(await got).toEqual([1, 2, 3, 4]);
  });

  it("keeps order across many items read while others arrive (no shift, no loss)", async () => {
    const q = queue({ capacity: 10_000 });
    const got = drain(q);
    for (let i = 0; i < 5_000; i++) {
      q.push(i);
      if (i % 7 === 0) await Promise.resolve();
    }
    q.end();
    expect(await got).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });

  it("overflow 'error': the buffered items first, then the error; onClose once", async () => {
    let closed = 0;
    const q = queue({ capacity: 2, onClose: () => closed++ });
    for (let i = 1; i <= 4; i++) q.push(i);
    expect(q.closed).toBe(true);
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const n of q) out.push(n);
      })(),
    ).rejects.toThrow("full at 2");
    expect(out).toEqual([1, 2]);
    expect(closed).toBe(1);
  });

  it("push reports a buffer half full, so a producer can let the consumer catch up", async () => {
    const q = queue({ capacity: 4 });
    expect([q.push(1), q.push(2), q.push(3)]).toEqual([false, true, true]);
    await q.next();
    await q.next();
    expect(q.push(4)).toBe(true); // 3, 4 buffered: half of 4
    const waiting = queue({ capacity: 4 });
    const next = waiting.next();
    expect(waiting.push(1)).toBe(false); // handed over, nothing buffered
    expect(await next).toEqual({ value: 1, done: false });
  });

  it("with a large capacity, push reports a consumer 256 behind (not only half full)", async () => {
    const q = queue({ capacity: 10_000 });
    const reports = Array.from({ length: 300 }, (_, i) => q.push(i));
    expect(reports.indexOf(true)).toBe(255); // the 256th buffered item
    for (let i = 0; i < 100; i++) await q.next();
    expect(q.push(300)).toBe(false); // 201 behind again
  });

  it("onDrained: called when a read takes the last buffered item, not for an item handed over", async () => {
    let drained = 0;
    const q = queue({ capacity: 10_000, onDrained: () => drained++ });
    const waiting = q.next();
    q.push(1); // handed to the waiting read: nothing was buffered
    await waiting;
    expect(drained).toBe(0);
    for (let i = 2; i <= 1_500; i++) q.push(i); // enough to compact the array while it is read
    for (let i = 2; i < 1_500; i++) await q.next();
    expect(drained).toBe(0);
    expect(await q.next()).toEqual({ value: 1_500, done: false });
    expect(drained).toBe(1);
  });

  it("overflow 'drop-oldest' keeps the newest", async () => {
    const q = queue({ capacity: 3, overflow: "drop-oldest" });
    for (let i = 1; i <= 2_000; i++) q.push(i);
    q.end();
    expect(await drain(q)).toEqual([1998, 1999, 2000]);
  });

  it("fail() reaches a waiting consumer at once", async () => {
    const q = queue();
    const pending = q.next();
    q.fail(new Full("gone"));
    await expect(pending).rejects.toThrow("gone");
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it("break (return) drops what is buffered and closes", async () => {
    let closed = 0;
    const q = queue({ onClose: () => closed++ });
    q.push(1);
    q.push(2);
    for await (const _ of q) break;
    expect(q.closed).toBe(true);
    expect(q.size).toBe(0);
    expect(await q.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it("an abort signal ends the iteration without an error, also when aborted before", async () => {
    const ac = new AbortController();
    const q = queue({ signal: ac.signal });
    const pending = q.next();
    ac.abort(new Error("stop"));
    expect(await pending).toEqual({ value: undefined, done: true });
    const late = queue({ signal: ac.signal });
    expect(late.closed).toBe(true);
  });
});
