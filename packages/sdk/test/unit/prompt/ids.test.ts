/** Client-made ids in opencode's format: prefix, 12 hex digits of time and counter, 14 base-62 characters. */
import { describe, expect, it } from "vitest";
import { newAscendingId, newMessageId } from "../../../src/prompt/ids.ts";

const FORMAT = /^msg_[0-9a-f]{12}[0-9A-Za-z]{14}$/;

describe("newAscendingId", () => {
  it("has opencode's format", () => {
    expect(newAscendingId("msg")).toMatch(FORMAT);
    expect(newAscendingId("prt")).toMatch(/^prt_[0-9a-f]{12}[0-9A-Za-z]{14}$/);
    expect(newMessageId()).toMatch(FORMAT);
  });

  it("sorts in creation order, within one millisecond and across milliseconds", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const ids = [
      newAscendingId("msg", now),
      newAscendingId("msg", now),
      newAscendingId("msg", now),
      newAscendingId("msg", now + 1),
      newAscendingId("msg", now + 1_000),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("encodes the time: ms × 4096 + a counter that restarts at 1 each millisecond", () => {
    const now = Date.parse("2026-06-01T00:00:00Z");
    const time = (id: string) => BigInt(`0x${id.slice(4, 16)}`);
    const first = time(newAscendingId("msg", now));
    expect(first).toBe((BigInt(now) * 4096n + 1n) & 0xffffffffffffn);
    expect(time(newAscendingId("msg", now)) - first).toBe(1n);
    expect(time(newAscendingId("msg", now + 1)) - first).toBe(4096n);
  });
});
