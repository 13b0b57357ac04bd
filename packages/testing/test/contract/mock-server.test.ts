/**
 * The mock server as a user's tests see it, driven through the SDK: Prism validation with its
 * message, per-test overrides, the request record, scripted prompt answers on the event stream
 * (deltas, a permission request, an error, a dropped connection) and replayed recordings.
 */
import {
  APITimeoutError,
  applyPermissionPolicy,
  BadRequestError,
  createOpencodeClient,
  EventStream,
  NotFoundError,
  RateLimitError,
  SessionError,
  Sessions,
} from "@ocsdk/sdk";
import { type MockServer, MockViolationError, recordedStream, startMockServer } from "@ocsdk/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ heartbeatMs: 0 });
});
afterAll(async () => {
  await mock?.close();
});
afterEach(() => mock.reset());

const client = (extra: Parameters<typeof createOpencodeClient>[0] = {}) =>
  createOpencodeClient({ baseUrl: mock.url, logLevel: "off", maxRetries: 0, ...extra });

describe("validation and the request record", () => {
  it("conforming calls are answered from the spec and recorded without violations", async () => {
    const oc = client();
    const session = await oc.session.create({ body: { title: "t" } });
    expect(session.id).toMatch(/^ses/);
    await oc.session.list();
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /session", "GET /session"]);
    expect(mock.requests[0]?.body).toEqual({ title: "t" });
    expect(mock.violations()).toEqual([]);
    expect(() => mock.assertNoViolations()).not.toThrow();
  });

  it("a wrong request is a BadRequestError with Prism's message and a MockViolationError afterwards", async () => {
    const oc = client();
    const error = await oc
      .rawRequest("/session/ses_abc/prompt_async", { method: "POST", body: { parts: "not-a-list" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toMatch(/request\.body\.parts: /);
    const thrown = (() => {
      try {
        mock.assertNoViolations();
      } catch (e) {
        return e;
      }
    })() as MockViolationError;
    expect(thrown).toBeInstanceOf(MockViolationError);
    expect(thrown.requests).toHaveLength(1);
    expect(thrown.message).toContain("POST /session/ses_abc/prompt_async: request.body.parts: ");
    expect(thrown.message).toContain((error as BadRequestError).violations[0]?.message);
  });
});

describe("overrides", () => {
  it("status and body: a 404 for one route, once", async () => {
    const oc = client();
    mock.override("GET /session/:sessionID", {
      status: 404,
      body: { name: "NotFoundError", data: { message: "Session not found" } },
      times: 1,
    });
    const error = await oc.session.get({ path: { sessionID: "ses_gone" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).serverMessage).toBe("Session not found");
    const again = await oc.session.get({ path: { sessionID: "ses_gone" } });
    expect(again.id).toMatch(/^ses/);
    expect(mock.requests.map((r) => [r.status, r.overridden])).toEqual([
      [404, true],
      [200, false],
    ]);
  });

  it("headers: a 429 with Retry-After is retried after the wait, then served by Prism", async () => {
    const oc = client({ maxRetries: 1, retry: { sleep: async () => {} } });
    mock.override("GET /session", { status: 429, headers: { "retry-after": "1" }, body: { error: "slow down" }, times: 1 });
    const list = await oc.session.list();
    expect(Array.isArray(list)).toBe(true);
    expect(mock.requests.map((r) => r.status)).toEqual([429, 200]);
    mock.override("GET /session", { status: 429, headers: { "retry-after": "1" } });
    await expect(client().session.list()).rejects.toBeInstanceOf(RateLimitError);
  });

  it("delay: an answer slower than the client's timeout is an APITimeoutError", async () => {
    mock.override("GET /global/health", { body: { healthy: true, version: "1.18.33" }, delayMs: 2_000 });
    await expect(client({ timeoutMs: 200 }).global.health()).rejects.toBeInstanceOf(APITimeoutError);
  });

  it("a wrong request still fails validation under an override", async () => {
    mock.override("POST /session/:sessionID/prompt_async", { status: 204 });
    const error = await client()
      .rawRequest("/session/ses_abc/prompt_async", { method: "POST", body: { parts: 1 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
  });
});

describe("scripted event streams", () => {
  it("a prompt answered with deltas reaches the prompt handle as the real server's would", async () => {
    const oc = client();
    mock.answerPrompts({ text: ["Hello ", "from ", "the ", "mock."] });
    const session = await new Sessions(oc).get("ses_mock1");
    const run = session.prompt("hi");
    const deltas: string[] = [];
    for await (const e of run) if (e.type === "text.delta") deltas.push(e.delta);
    expect(deltas.join("")).toBe("Hello from the mock.");
    expect(await run.finalText()).toBe("Hello from the mock.");
    const sent = await mock.waitForRequest("POST /session/:sessionID/prompt_async");
    expect((sent.body as { messageID: string }).messageID).toBe(run.messageID);
  });

  it("a tool call behind a permission request is answered by a permission policy", async () => {
    const oc = client();
    const policy = await applyPermissionPolicy(oc, { allow: ["bash:ls*"], deny: ["bash:rm *"] });
    try {
      mock.answerPrompts({
        toolCalls: [
          { tool: "bash", input: { command: "ls" }, output: "README.md", permission: { permission: "bash", patterns: ["ls"] } },
          { tool: "bash", input: { command: "rm -rf x" }, permission: { permission: "bash", patterns: ["rm -rf x"] } },
        ],
        text: "done",
      });
      const run = (await new Sessions(oc).get("ses_mock2")).prompt("clean up");
      const tools: string[] = [];
      for await (const e of run) {
        if (e.type === "tool.completed") tools.push(`ok ${String(e.input.command)}`);
        if (e.type === "tool.failed") tools.push(`failed ${String(e.input.command)}`);
      }
      expect(tools).toEqual(["ok ls", "failed rm -rf x"]);
      const replies = mock.requests
        .filter((r) => /^\/permission\/[^/]+\/reply$/.test(r.path))
        .map((r) => (r.body as { reply: string }).reply);
      expect(replies).toEqual(["once", "reject"]);
    } finally {
      await policy.close();
    }
  });

  it("an error answer rejects the handle with the typed session error", async () => {
    mock.answerPrompts({ text: "partial", error: { name: "UnknownError", message: "the model fell over" } });
    const run = (await new Sessions(client()).get("ses_mock3")).prompt("hi");
    const error = await run.finalText().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionError);
    expect(String((error as Error).message)).toContain("the model fell over");
  });

  it("a dropped connection mid-answer: the handle reconnects and still ends with the whole text", async () => {
    const oc = client({ events: { initialDelayMs: 20, maxDelayMs: 100 } });
    mock.answerPrompts({ text: ["one ", "two ", "three ", "four"], dropAfterDeltas: 2, delayMs: 30 });
    const run = (await new Sessions(oc).get("ses_mock4")).prompt("count");
    const deltas: string[] = [];
    for await (const e of run) if (e.type === "text.delta") deltas.push(e.delta);
    expect(deltas.join("")).toBe("one two three four");
    expect(mock.requests.filter((r) => r.path === "/event").length).toBeGreaterThanOrEqual(2);
  });

  it("a recorded real stream replays to an event subscriber", async () => {
    const oc = client();
    const seen: string[] = [];
    const ac = new AbortController();
    const reading = (async () => {
      for await (const e of EventStream.of(oc).subscribe({ signal: ac.signal })) {
        seen.push(e.type);
        if (e.type === "session.idle") break;
      }
    })();
    await EventStream.of(oc).ready();
    const sent = await mock.events.replay(recordedStream("text"));
    await reading;
    ac.abort();
    expect(sent).toBeGreaterThan(20);
    expect(seen).toContain("message.part.delta");
    expect(seen.at(-1)).toBe("session.idle");
  });
});
