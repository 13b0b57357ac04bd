/** Timeouts and aborts with an injected fetch: per-client and per-request deadlines, a caller's abort, streams unbounded after headers. */
import { APITimeoutError, APIUserAbortError } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { Attempt } from "../../../src/core/timeout.ts";
import { client } from "../../helpers/scripted-client.ts";

describe("timeouts and abort", () => {
  const hang = (req: Request) =>
    new Promise<Response>((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason)));

  it("client default and per-request timeout raise APITimeoutError (retried for GET)", async () => {
    const { oc, requests } = client([hang], { timeoutMs: 30, maxRetries: 1 });
    const e = (await oc.session.list().catch((x: unknown) => x)) as APITimeoutError;
    expect(e).toBeInstanceOf(APITimeoutError);
    expect(e.timeoutMs).toBe(30);
    expect(requests).toHaveLength(2);
    const { oc: oc2 } = client([hang], { timeoutMs: 60_000, maxRetries: 0 });
    await expect(oc2.session.list({ timeoutMs: 20 })).rejects.toBeInstanceOf(APITimeoutError);
  });

  it("a caller's abort is APIUserAbortError and is not retried", async () => {
    const { oc, requests } = client([hang]);
    const ac = new AbortController();
    const p = oc.session.list({ signal: ac.signal });
    setTimeout(() => ac.abort(new Error("user")), 10);
    await expect(p).rejects.toBeInstanceOf(APIUserAbortError);
    expect(requests).toHaveLength(1);
  });

  it("a stream has no timeout once headers arrived", async () => {
    const encoder = new TextEncoder();
    const { oc } = client(
      [
        () =>
          new Response(
            new ReadableStream({
              async start(c) {
                c.enqueue(encoder.encode("data: 1\n\n"));
                await new Promise((r) => setTimeout(r, 120));
                c.enqueue(encoder.encode("data: 2\n\n"));
                c.close();
              },
            }),
            { headers: { "content-type": "text/event-stream" } },
          ),
      ],
      { timeoutMs: 40 },
    );
    const res = await oc.streamFetch("/event");
    expect(await res.text()).toBe("data: 1\n\ndata: 2\n\n");
  });
});

describe("Attempt", () => {
  it("tells which abort happened first: the caller's signal, or abort() (the client closing)", () => {
    const user = new AbortController();
    const a = new Attempt(0, user.signal);
    user.abort(new Error("stop"));
    a.abort("closed", new Error("late"));
    expect(a.cause).toBe("user");
    expect(a.signal.reason).toEqual(new Error("stop"));
    a.done();
    const b = new Attempt(0);
    b.abort("closed", new Error("closed"));
    expect([b.cause, b.signal.aborted]).toEqual(["closed", true]);
  });

  it("a caller's signal aborted already aborts at once; done() removes its listener", () => {
    expect(new Attempt(0, AbortSignal.abort("gone")).cause).toBe("user");
    const user = new AbortController();
    const a = new Attempt(0, user.signal);
    a.done();
    user.abort();
    expect(a.cause).toBeUndefined();
  });

  it("a pooled controller is reused after a clean done(), never after an abort", () => {
    const pool: { controller: AbortController; uses: number }[] = [];
    const first = new Attempt(0, undefined, pool);
    const signal = first.signal;
    first.done();
    expect(pool).toHaveLength(1);
    const second = new Attempt(0, undefined, pool);
    expect(second.signal).toBe(signal);
    second.abort("timeout", new Error("t"));
    second.done();
    expect(pool).toHaveLength(0);
  });
});
