/** The one backoff rule, and that request retries and event-stream reconnects both follow it. */
import { createServer } from "node:http";
import { createOpencodeClient, EventStream } from "@ocsdk/sdk";
import { retryDelayMs } from "@ocsdk/sdk/internal";
import { closeServer, listenLoopback } from "@ocsdk/test-kit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "../../../src/core/backoff.ts";

describe("backoffDelayMs", () => {
  it("doubles from the initial delay up to the cap", () => {
    const o = { initialDelayMs: 250, maxDelayMs: 10_000, random: () => 0 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n, o))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it("takes off at most 25 % as jitter, and never goes over the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialDelayMs, maxDelayMs, r) => {
          const ms = backoffDelayMs(attempt, { initialDelayMs, maxDelayMs, random: () => r });
          const base = Math.min(initialDelayMs * 2 ** (attempt - 1), maxDelayMs);
          expect(ms).toBeLessThanOrEqual(base);
          expect(ms).toBeGreaterThanOrEqual(Math.floor(base * 0.75));
        },
      ),
    );
  });
});

describe("one rule for requests and events", () => {
  it("retryDelayMs without Retry-After is backoffDelayMs", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 1, max: 30_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, initialDelayMs, maxDelayMs, r) => {
          const o = { initialDelayMs, maxDelayMs, random: () => r };
          expect(retryDelayMs(retry, undefined, o)).toBe(backoffDelayMs(retry, o));
        },
      ),
    );
  });

  it("the event stream waits backoffDelayMs(1), (2), … between failed connections", async () => {
    const server = createServer((req) => req.socket.destroy());
    const baseUrl = await listenLoopback(server);
    try {
      const oc = createOpencodeClient({ baseUrl, logLevel: "off" });
      const o = { initialDelayMs: 7, maxDelayMs: 50, random: () => 0.5 };
      const delays: number[] = [];
      const s = new EventStream(oc, { ...o, maxAttempts: 5, sleep: async (ms) => void delays.push(ms) });
      await expect(s.subscribe().next()).rejects.toThrow(/gave up/);
      expect(delays).toEqual([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, o)));
    } finally {
      await closeServer(server);
    }
  });
});
