/** A client's prompt port: each of its six calls is the one operation, on the client's auth and scope. */
import { createOpencodeClient, EventStream } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { clientPort } from "../../../src/prompt/port.ts";
import { json, scriptedFetch } from "../../helpers/scripted-client.ts";

describe("clientPort", () => {
  it("maps send, abort, messages, message, statuses and permissions to their routes, with the handle's signal", async () => {
    const answers: Record<string, unknown> = {
      "POST /session/ses_1/prompt_async": null,
      "POST /session/ses_1/abort": true,
      "GET /session/ses_1/message": [{ info: { id: "msg_1" }, parts: [] }],
      "GET /session/ses_1/message/msg_1": { info: { id: "msg_1" }, parts: [] },
      "GET /session/status": { ses_1: { type: "busy" } },
      "GET /permission": [],
    };
    const f = scriptedFetch([
      (req) => {
        const key = `${req.method} ${new URL(req.url).pathname}`;
        if (!(key in answers)) return json(404, { name: "NotFoundError", data: { message: key } });
        return answers[key] === null ? new Response(null, { status: 204 }) : json(200, answers[key]);
      },
    ]);
    const oc = createOpencodeClient({ baseUrl: "http://127.0.0.1:1", fetch: f.fetch, directory: "/repo", maxRetries: 0 });
    const port = clientPort(oc);
    const signal = new AbortController().signal;
    await port.send("ses_1", { messageID: "msg_1", parts: [{ type: "text", text: "hi" }] }, signal);
    expect(await port.abort("ses_1", signal)).toBe(true);
    expect(await port.messages("ses_1", signal)).toEqual([{ info: { id: "msg_1" }, parts: [] }]);
    expect((await port.message("ses_1", "msg_1", signal)).info.id).toBe("msg_1");
    expect(await port.statuses(signal)).toEqual({ ses_1: { type: "busy" } });
    expect(await port.permissions(signal)).toEqual([]);
    expect(f.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(Object.keys(answers));
    expect(f.requests.every((r) => new URL(r.url).searchParams.get("directory") === "/repo")).toBe(true);
    expect(JSON.parse(f.bodies[0] ?? "")).toEqual({ messageID: "msg_1", parts: [{ type: "text", text: "hi" }] });
    await oc.close();
  });

  it("shares the client's event stream and session lines; the clock is the wall clock unless given", async () => {
    const oc = createOpencodeClient({ baseUrl: "http://127.0.0.1:1", fetch: scriptedFetch([]).fetch });
    const a = clientPort(oc);
    const b = clientPort(oc);
    expect(a.events).toBe(EventStream.of(oc));
    expect(a.lines).toBe(b.lines);
    expect(clientPort(createOpencodeClient({ baseUrl: "http://127.0.0.1:1" })).lines).not.toBe(a.lines);
    expect(a.now).toBe(Date.now);
    const slept: number[] = [];
    const clocked = clientPort(oc, { now: () => 42, sleep: async (ms) => void slept.push(ms) });
    await clocked.sleep(5);
    expect([clocked.now(), slept]).toEqual([42, [5]]);
    await oc.close();
  });
});
