/** What helpers made for a full client share with it: its `events` option, and release on close. */
import { createOpencodeClient } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { eventOptionsOf, onClose } from "../../../src/core/lifecycle.ts";
import { scriptedFetch } from "../../helpers/scripted-client.ts";

const newClient = (options: Parameters<typeof createOpencodeClient>[0] = {}) =>
  createOpencodeClient({ baseUrl: "http://127.0.0.1:1", fetch: scriptedFetch([]).fetch, ...options });

describe("client lifecycle of helpers", () => {
  it("runs what helpers registered once, in order, when their client closes, and only for that client", () => {
    const oc = newClient();
    const other = newClient();
    const calls: string[] = [];
    onClose(oc, () => calls.push("first"));
    onClose(oc, () => calls.push("second"));
    onClose(other, () => calls.push("other"));
    expect(calls).toEqual([]);
    oc.close();
    expect(calls).toEqual(["first", "second"]);
    oc.close();
    expect(calls).toEqual(["first", "second"]);
    other.close();
    expect(calls).toEqual(["first", "second", "other"]);
  });

  it("keeps the client's `events` option for its event stream", () => {
    const events = { path: "/global/event" };
    expect(eventOptionsOf(newClient({ events }))).toBe(events);
    expect(eventOptionsOf(newClient())).toBeUndefined();
  });
});
