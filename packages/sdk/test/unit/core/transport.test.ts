/** The transport seam: telling a request that never left from one that may have reached the server, and the fetch adapter. */
import { describe, expect, it } from "vitest";
import { fetchTransport, isConnectionReset, isMarkedNeverSent, isNeverSent, markNeverSent } from "../../../src/core/transport.ts";

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe("isNeverSent", () => {
  it("a connect-phase code anywhere in the cause chain or in every member of an AggregateError", () => {
    expect(isNeverSent(withCode("ECONNREFUSED"))).toBe(true);
    expect(isNeverSent(new TypeError("fetch failed", { cause: withCode("ENOTFOUND") }))).toBe(true);
    expect(isNeverSent(new AggregateError([withCode("ECONNREFUSED"), withCode("EHOSTUNREACH")]))).toBe(true);
    expect(isNeverSent(new AggregateError([withCode("ECONNREFUSED"), withCode("ECONNRESET")]))).toBe(false);
    expect(isNeverSent(new TypeError("fetch failed", { cause: withCode("ECONNRESET") }))).toBe(false);
    expect(isNeverSent(new Error("plain"))).toBe(false);
    expect(isNeverSent(undefined)).toBe(false);
  });

  it("a transport's own mark wins over the codes", () => {
    const refused = withCode("ECONNREFUSED");
    markNeverSent(refused, false);
    expect(isNeverSent(refused)).toBe(false);
    const reset = withCode("ECONNRESET");
    markNeverSent(reset, true);
    expect(isNeverSent(reset)).toBe(true);
    // A frozen error cannot be marked; marking it does not throw.
    expect(() => markNeverSent(Object.freeze(new Error("frozen")), true)).not.toThrow();
  });
});

describe("isConnectionReset", () => {
  it("a reset or peer-closed code anywhere in the cause chain", () => {
    expect(isConnectionReset(withCode("ECONNRESET"))).toBe(true);
    expect(isConnectionReset(new TypeError("fetch failed", { cause: withCode("UND_ERR_SOCKET") }))).toBe(true);
    expect(isConnectionReset(new Error("x", { cause: new Error("y", { cause: withCode("EPIPE") }) }))).toBe(true);
    expect(isConnectionReset(new TypeError("fetch failed", { cause: withCode("ECONNREFUSED") }))).toBe(false);
    expect(isConnectionReset(new Error("plain"))).toBe(false);
    expect(isConnectionReset(undefined)).toBe(false);
  });
});

describe("fetchTransport", () => {
  it("passes the request through and buffers or streams the answer", async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const t = fetchTransport((async (url: string, init?: RequestInit) => {
      seen.push({ url, init });
      return new Response("hello", { status: 201, statusText: "Created", headers: { "x-a": "1" } });
    }) as typeof fetch);
    const signal = new AbortController().signal;
    const req = { method: "POST", url: "http://127.0.0.1:1/x", headers: { "x-h": "v" }, body: "b", signal };
    const buffered = await t.send(req, "buffer");
    expect(seen[0]).toMatchObject({ url: req.url, init: { method: "POST", headers: { "x-h": "v" }, body: "b", signal } });
    expect([buffered.status, buffered.statusText, buffered.header("x-a")]).toEqual([201, "Created", "1"]);
    expect(await buffered.text()).toBe("hello");
    // Buffered: the body can be read again, as text or as a Response.
    expect(await buffered.toResponse().text()).toBe("hello");
    const streamed = await t.send(req, "stream");
    expect(await streamed.toResponse().text()).toBe("hello");
  });

  it("marks fetch errors by its neverSent rule for the runner, and none without a rule", async () => {
    const req = { method: "POST", url: "http://127.0.0.1:1/x", headers: {}, body: "b", signal: new AbortController().signal };
    const failing = (error: Error) => (async () => Promise.reject(error)) as typeof fetch;
    const sendError = (t: ReturnType<typeof fetchTransport>) => t.send(req, "buffer").catch((e: unknown) => e);
    const refused = withCode("ECONNREFUSED");
    expect(await sendError(fetchTransport(failing(refused), isNeverSent))).toBe(refused);
    expect(isMarkedNeverSent(refused)).toBe(true);
    const reset = withCode("ECONNRESET");
    await sendError(fetchTransport(failing(reset), isNeverSent));
    expect(isMarkedNeverSent(reset)).toBe(false);
    const unruled = withCode("ECONNREFUSED");
    await sendError(fetchTransport(failing(unruled)));
    expect(isMarkedNeverSent(unruled)).toBe(false);
    expect([isMarkedNeverSent(undefined), isMarkedNeverSent("text")]).toEqual([false, false]);
  });

  it("a buffered 204 becomes a Response without a body", async () => {
    const t = fetchTransport((async () => new Response(null, { status: 204 })) as typeof fetch);
    const res = await t.send(
      { method: "GET", url: "http://127.0.0.1:1/", headers: {}, body: undefined, signal: new AbortController().signal },
      "buffer",
    );
    expect(res.toResponse().status).toBe(204);
    expect(res.toResponse().body).toBeNull();
  });
});
