/** The default transport outside Node: the platform's fetch, looked up at each call. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultTransport, optionTransport } from "../../../src/core/default-transport.ts";
import { isMarkedNeverSent } from "../../../src/core/transport.ts";

afterEach(() => vi.unstubAllGlobals());

describe("defaultTransport (platform fetch)", () => {
  it("uses the fetch installed after it was made (a polyfill loaded later counts)", async () => {
    const t = defaultTransport();
    const calls: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      calls.push(url);
      return new Response("{}", { headers: { "content-type": "application/json" } });
    });
    const res = await t.send(
      {
        method: "GET",
        url: "http://127.0.0.1:1/global/health",
        headers: {},
        body: undefined,
        signal: new AbortController().signal,
      },
      "buffer",
    );
    expect(calls).toEqual(["http://127.0.0.1:1/global/health"]);
    expect(await res.text()).toBe("{}");
  });

  it("takes no fetch error as never sent (browsers' fetch errors carry no connect-phase codes)", async () => {
    const error = Object.assign(new TypeError("Failed to fetch"), { code: "ECONNREFUSED" });
    const t = optionTransport((async () => Promise.reject(error)) as typeof fetch);
    const signal = new AbortController().signal;
    await expect(t.send({ method: "POST", url: "http://127.0.0.1:1/x", headers: {}, body: "b", signal }, "buffer")).rejects.toBe(
      error,
    );
    expect(isMarkedNeverSent(error)).toBe(false);
  });
});
