/** The prompt's append-only log: every reader starts at the first item, each at its own pace. */
import { describe, expect, it } from "vitest";
import { EventLog } from "../../../src/prompt/event-log.ts";

async function readAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("EventLog", () => {
  it("a reader that starts late still gets every item from the first", async () => {
    const log = new EventLog<number>();
    log.push(1);
    log.push(2);
    const early = readAll(log.read());
    log.push(3);
    const late = readAll(log.read());
    log.close();
    expect(await early).toEqual([1, 2, 3]);
    expect(await late).toEqual([1, 2, 3]);
    expect(log.items).toEqual([1, 2, 3]);
  });

  it("a reader waiting at the end wakes for the next item and finishes on close", async () => {
    const log = new EventLog<string>();
    const reader = log.read();
    const next = reader.next();
    log.push("a");
    expect(await next).toEqual({ done: false, value: "a" });
    const end = reader.next();
    log.close();
    expect(await end).toEqual({ done: true, value: undefined });
  });

  it("ignores pushes after close", async () => {
    const log = new EventLog<number>();
    log.push(1);
    log.close();
    log.push(2);
    expect(log.closed).toBe(true);
    expect(await readAll(log.read())).toEqual([1]);
  });
});
