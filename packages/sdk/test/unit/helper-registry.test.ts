/** What a client owns besides its runner: helpers made once per client, closed with it. */
import { createOpencodeClient, EventStream } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { HelperRegistry } from "../../src/helper-registry.ts";
import { scriptedFetch } from "../helpers/scripted-client.ts";

const newClient = (options: Parameters<typeof createOpencodeClient>[0] = {}) =>
  createOpencodeClient({ baseUrl: "http://127.0.0.1:1", fetch: scriptedFetch([]).fetch, ...options });

describe("HelperRegistry", () => {
  it("makes a helper once per key, and closes each once, in order, awaiting async closers", async () => {
    const registry = new HelperRegistry();
    const calls: string[] = [];
    let made = 0;
    const key = Symbol("k");
    const a = registry.shared(
      key,
      () => ({ n: ++made }),
      async () => {
        await Promise.resolve();
        calls.push("a closed");
      },
    );
    expect(registry.shared(key, () => ({ n: ++made }))).toBe(a);
    expect(made).toBe(1);
    registry.onClose(() => {
      calls.push("b closed");
    });
    const closing = registry.close();
    expect(calls).toEqual(["b closed"]); // started in order; the async one ends later
    await closing;
    expect(calls).toEqual(["b closed", "a closed"]);
    await registry.close();
    expect(calls).toEqual(["b closed", "a closed"]);
  });

  it("a closer that throws does not keep the others open, and close() never rejects", async () => {
    const registry = new HelperRegistry();
    const calls: string[] = [];
    registry.onClose(() => {
      throw new Error("broken");
    });
    registry.onClose(async () => {
      throw new Error("broken too");
    });
    registry.onClose(() => void calls.push("closed"));
    await expect(registry.close()).resolves.toBeUndefined();
    expect(calls).toEqual(["closed"]);
  });

  it("a closer registered after close runs at once", async () => {
    const registry = new HelperRegistry();
    await registry.close();
    const calls: string[] = [];
    registry.onClose(() => void calls.push("late"));
    expect(calls).toEqual(["late"]);
  });
});

describe("a client's registry", () => {
  it("holds the client's shared event stream, made with its `events` option, closed by `await oc.close()`", async () => {
    const events = { path: "/global/event", watchdogMs: 0 };
    const oc = newClient({ events });
    const other = newClient();
    expect(oc.eventOptions).toBe(events);
    const stream = EventStream.of(oc);
    expect(EventStream.of(oc)).toBe(stream);
    expect(EventStream.of(other)).not.toBe(stream);
    expect(() => EventStream.of(oc, { watchdogMs: 1 })).toThrow("has its event stream already");
    const states: string[] = [];
    stream.onState((s) => states.push(s.state));
    const subscription = stream.subscribe();
    const ended = subscription.next();
    await oc.close();
    expect(await ended).toEqual({ done: true, value: undefined });
    expect(stream.state.state).toBe("closed");
    expect(stream.subscriberCount).toBe(0);
    await other.close();
  });

  it("`await using` closes the client and its helpers", async () => {
    let stream: EventStream | undefined;
    {
      await using oc = newClient();
      stream = EventStream.of(oc);
      stream.subscribe();
      expect(stream.subscriberCount).toBe(1);
    }
    expect(stream.subscriberCount).toBe(0);
  });
});
