/** The retry policy with an injected fetch and sleep: which calls are retried, how long between, prompts never resent. */
import { APIConnectionError, type APIError, InternalServerError, RateLimitError, withRetry } from "@ocsdk/sdk";
import { retryDelayMs } from "@ocsdk/sdk/internal";
import { describe, expect, it } from "vitest";
import { client, json, refused, reset, SESSION } from "../../helpers/scripted-client.ts";

describe("retries", () => {
  it("retries idempotent calls on 5xx, 408, 409, 429 with capped exponential backoff", async () => {
    const sleeps: number[] = [];
    const { oc, requests } = client([json(503, {}), json(408, {}), json(429, {}), json(409, {}), json(200, SESSION)], {
      maxRetries: 4,
      retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0, initialDelayMs: 100, maxDelayMs: 300 },
    });
    expect(await oc.session.get({ path: { sessionID: "ses_1" } })).toEqual(SESSION);
    expect(requests).toHaveLength(5);
    expect(sleeps).toEqual([100, 200, 300, 300]);
  });

  it("defaults to 2 retries, then throws with the attempt count", async () => {
    const { oc, requests } = client([json(500, { message: "down" })]);
    const e = (await oc.session.list().catch((x: unknown) => x)) as APIError;
    expect(requests).toHaveLength(3);
    expect(e.attempts).toBe(3);
  });

  it("jitter only shortens the delay, by at most 25 %", () => {
    expect(retryDelayMs(1, undefined, { random: () => 0 })).toBe(500);
    expect(retryDelayMs(1, undefined, { random: () => 0.999_999 })).toBe(375);
    expect(retryDelayMs(10, undefined, { random: () => 0 })).toBe(8_000);
  });

  it("honours Retry-After seconds, HTTP date and retry-after-ms, within the cap", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const date = new Date(now + 7_000).toUTCString();
    const sleeps: number[] = [];
    const { oc } = client([json(429, {}, { "retry-after": "3" }), json(503, {}, { "retry-after": date }), json(200, SESSION)], {
      retry: { sleep: async (ms) => void sleeps.push(ms), now: () => now },
    });
    await oc.session.get({ path: { sessionID: "ses_1" } });
    expect(sleeps).toEqual([3_000, 7_000]);
    expect(retryDelayMs(1, new Headers({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    // Longer than maxRetryAfterMs: not waited for, the error is thrown at once.
    const { oc: oc2, requests } = client([json(429, {}, { "retry-after": "3600" }), json(200, SESSION)]);
    await expect(oc2.session.get({ path: { sessionID: "ses_1" } })).rejects.toBeInstanceOf(RateLimitError);
    expect(requests).toHaveLength(1);
  });

  it("never resends a prompt that may have reached the server", async () => {
    const cases = [
      [json(500, {}), InternalServerError],
      [json(429, {}, { "retry-after": "1" }), RateLimitError],
      [reset(), APIConnectionError],
    ] as const;
    for (const [answer, expected] of cases) {
      const { oc, requests } = client([answer, new Response(null, { status: 204 })]);
      const body = { parts: [{ type: "text" as const, text: "hi" }] };
      await expect(oc.session.prompt_async({ path: { sessionID: "ses_1" }, body })).rejects.toBeInstanceOf(expected);
      expect(requests).toHaveLength(1);
    }
  });

  it("resends a prompt only when the connection was never established", async () => {
    const { oc, requests, bodies } = client([refused(), new Response(null, { status: 204 })]);
    await oc.session.prompt_async({ path: { sessionID: "ses_1" }, body: { parts: [{ type: "text", text: "hi" }] } });
    expect(requests).toHaveLength(2);
    expect(JSON.parse(bodies[1] ?? "")).toEqual({ parts: [{ type: "text", text: "hi" }] });
  });

  it("retries connection errors of idempotent calls and reports a connection error at the end", async () => {
    const { oc, requests } = client([reset()]);
    const e = await oc.session.list().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(APIConnectionError);
    expect((e as APIConnectionError).neverSent).toBe(false);
    expect(requests).toHaveLength(3);
  });

  it("per-request maxRetries wins", async () => {
    const { oc, requests } = client([json(503, {})]);
    await expect(oc.session.list({ maxRetries: 0 })).rejects.toBeInstanceOf(InternalServerError);
    expect(requests).toHaveLength(1);
  });

  it("withRetry applies the same policy to user code", async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw refused();
        return "ok";
      },
      { sleep: async (ms) => void delays.push(ms), random: () => 0 },
    );
    expect(result).toBe("ok");
    expect(delays).toEqual([500, 1_000]);
    // Not idempotent (default): an error after sending is not retried.
    calls = 0;
    const thrown = reset();
    await expect(
      withRetry(async () => {
        calls++;
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(calls).toBe(1);
  });
});
