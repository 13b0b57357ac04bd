/**
 * The prompt core on the paths users walk, against the real pinned server and the fake model, with
 * a fault proxy between client and server where the network must misbehave: prompts queued in one
 * session, steps counted once, a failing reconcile read, nothing sent after settle, abort first, a
 * send whose response was lost.
 */
import {
  createOpencodeClient,
  EventStream,
  InternalServerError,
  type OpencodeClient,
  type PromptEvent,
  PromptPassedOverError,
  type Session,
  Sessions,
} from "@ocsdk/sdk";
import { PENDING_TASKS } from "@ocsdk/sdk/internal";
import {
  type ChatRequest,
  type FaultProxy,
  type OpencodeHarness,
  recordUnhandledRejections,
  startFaultProxy,
  startOpencodeHarness,
} from "@ocsdk/test-kit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

let h: OpencodeHarness;
beforeAll(async () => {
  h = await startOpencodeHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The text of the request's last user message: which prompt the model is answering. */
const lastUser = (body: ChatRequest) =>
  JSON.stringify([...(body.messages ?? [])].reverse().find((m) => m.role === "user")?.content ?? "");
const answering = (tag: string) => (body: ChatRequest) => lastUser(body).includes(tag);
const longAnswer = (tag: string) => ({
  text: Array.from({ length: 80 }, (_, i) => `w${i} `),
  delayMs: 40,
  match: answering(tag),
});
const textOf = (parts: { type: string; text?: string }[]) =>
  parts.flatMap((p) => (p.type === "text" ? [p.text ?? ""] : [])).join("");
const firstDelta = async (run: AsyncIterable<PromptEvent>) => {
  for await (const e of run) if (e.type === "text.delta") return;
};

/** A client through a fault proxy in front of the harness's server. */
async function proxied(
  options: Parameters<typeof createOpencodeClient>[0] = {},
): Promise<{ proxy: FaultProxy; oc: OpencodeClient }> {
  const proxy = await startFaultProxy(h.server.url);
  const oc = createOpencodeClient({
    baseUrl: proxy.url,
    password: h.server.password,
    directory: h.projectDir,
    logLevel: "off",
    events: { initialDelayMs: 50, maxDelayMs: 200 },
    ...options,
  });
  return { proxy, oc };
}

/** Stops whatever the session still runs, through the direct client, once a test is done with it. */
const settleSession = async (session: Session) => {
  await h.client.session.abort({ path: { sessionID: session.id } });
  await vi.waitFor(
    async () => {
      const status = (await h.client.session.status()) as Record<string, { type: string }>;
      expect(status[session.id]?.type ?? "idle").toBe("idle");
    },
    { timeout: 30_000, interval: 100 },
  );
};

describe("prompts queued in one session", () => {
  it("20 prompts via Promise.all all settle, each with its own answer", async () => {
    const N = 20;
    for (let i = 0; i < N; i++) h.model.enqueue({ text: [`answer-${i} `, "done."], match: answering(`question-${i}.`) });
    const session = await new Sessions(h.client).create({ title: "batch" });
    const runs = Array.from({ length: N }, (_, i) => session.prompt(`question-${i}.`, { model: h.modelRef }));
    const texts = await Promise.all(runs.map((r) => r.finalText()));
    expect(texts).toEqual(Array.from({ length: N }, (_, i) => `answer-${i} done.`));
    const stored = await session.messages();
    for (const run of runs) {
      const answers = stored.filter((m) => m.info.role === "assistant" && m.info.parentID === run.messageID);
      expect(answers).toHaveLength(1);
      expect(textOf(answers[0]?.parts ?? [])).toBe(await run.finalText());
    }
  });

  it('with delivery "steer", a prompt the session answers past settles as PromptPassedOverError', async () => {
    const session = await new Sessions(h.client).create({ title: "steer" });
    h.model.enqueue(longAnswer("steer-first."), { text: ["third ", "answered."], match: answering("steer-third.") });
    const first = session.prompt("steer-first.", { model: h.modelRef });
    await firstDelta(first);
    const second = session.prompt("steer-second.", { model: h.modelRef, delivery: "steer" });
    // The second is stored before the third is sent, so the third is the latest.
    await vi.waitFor(async () => expect((await session.messages()).some((m) => m.info.id === second.messageID)).toBe(true), {
      timeout: 30_000,
    });
    const third = session.prompt("steer-third.", { model: h.modelRef, delivery: "steer" });
    const [a, b, c] = await Promise.allSettled([first.finalText(), second.finalText(), third.finalText()]);
    expect(a.status).toBe("fulfilled");
    expect(c).toEqual({ status: "fulfilled", value: "third answered." });
    expect(b.status).toBe("rejected");
    const error = (b as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(PromptPassedOverError);
    expect(error).toMatchObject({ messageID: second.messageID, answeredBy: third.messageID });
  });
});

describe("each event once", () => {
  it("step.finished count equals the stored step-finish parts, with their figures", async () => {
    h.model.enqueue(
      { toolCalls: [{ name: "read", arguments: { filePath: "README.md" } }], match: answering("steps.") },
      { text: "It says hello.", match: answering("steps.") },
    );
    const session = await new Sessions(h.client).create({ title: "steps" });
    const run = session.prompt("steps.", { model: h.modelRef });
    const events: PromptEvent[] = [];
    for await (const e of run) events.push(e);
    const stored = (await session.messages())
      .filter((m) => m.info.role === "assistant" && m.info.parentID === run.messageID)
      .flatMap((m) => m.parts)
      .filter((p) => p.type === "step-finish");
    expect(stored.length).toBe(2);
    const steps = events.filter((e) => e.type === "step.finished");
    expect(steps).toHaveLength(stored.length);
    expect(steps.map((s) => s.type === "step.finished" && [s.messageID, s.reason, s.cost])).toEqual(
      stored.map((p) => p.type === "step-finish" && [p.messageID, p.reason, p.cost]),
    );
    const tools = events.filter((e) => e.type === "tool.started" || e.type === "tool.completed");
    expect(tools.map((e) => e.type)).toEqual(["tool.started", "tool.completed"]);
  });
});

describe("faults between client and server", () => {
  it("a 500 on the reconcile read after a reconnect rejects the handle typed; the process lives", async () => {
    const unhandled = recordUnhandledRejections();
    const { proxy, oc } = await proxied({ maxRetries: 0 });
    try {
      h.model.enqueue(longAnswer("reconcile-500."));
      const session = await new Sessions(oc).create({ title: "reconcile 500" });
      const run = session.prompt("reconcile-500.", { model: h.modelRef });
      await firstDelta(run);
      proxy.fault = (r) => (r.method === "GET" && /^\/session\/[^/?]+\/message(\?|$)/.test(r.url) ? { status: 500 } : undefined);
      expect(proxy.cutStreams()).toBe(1);
      const error = await run.finalMessage().then(
        () => "resolved",
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InternalServerError);
      expect(String((error as Error).message)).toMatch(/^GET \/session\/ses\w+\/message → 500/);
      await vi.waitFor(() => expect(run[PENDING_TASKS]).toBe(0));
      await EventStream.of(oc).close();
      await settleSession(session);
      expect(unhandled.reasons).toEqual([]);
    } finally {
      unhandled.stop();
      await proxy.close();
    }
  });

  it("no request leaves after a handle settled: answered, aborted, or failed", async () => {
    // The client's own record of each attempt: started, and not yet over (answered or failed).
    const started: string[] = [];
    const open = new Map<string, number>();
    const count = (key: string, by: number) => open.set(key, (open.get(key) ?? 0) + by);
    const { proxy, oc } = await proxied({
      hooks: {
        onRequest: (r) => {
          started.push(`${r.method} ${r.path}`);
          count(`${r.method} ${r.path}`, 1);
        },
        onResponse: (r) => void (r.status !== undefined && count(`${r.method} ${r.path}`, -1)),
        onError: (r) => void (r.status === undefined && count(`${r.method} ${r.path}`, -1)),
      },
    });
    /**
     * Once `handle` settled: no attempt starts, and what the server still receives was on its way
     * before (a read the settle cancelled may reach the server after it, never one started later).
     */
    const nothingLeavesAfter = async (handle: { [PENDING_TASKS]: number }) => {
      const startedBefore = started.length;
      const receivedBefore = proxy.requests.length;
      const onTheirWay = [...open].filter(([, n]) => n > 0).map(([key]) => key);
      await vi.waitFor(() => expect(handle[PENDING_TASKS]).toBe(0));
      expect(started.slice(startedBefore)).toEqual([]);
      for (const r of proxy.requests.slice(receivedBefore)) {
        expect(onTheirWay).toContain(`${r.method} ${r.url.split("?")[0]}`);
      }
    };
    try {
      h.model.enqueue({ text: ["quick ", "answer."], match: answering("after-settle-1.") }, longAnswer("after-settle-2."));
      const session = await new Sessions(oc).create({ title: "after settle" });
      const answered = session.prompt("after-settle-1.", { model: h.modelRef });
      expect(await answered.finalText()).toBe("quick answer.");
      await nothingLeavesAfter(answered);

      const session2 = await new Sessions(oc).create({ title: "after settle, aborted" });
      const aborted = session2.prompt("after-settle-2.", { model: h.modelRef });
      await firstDelta(aborted);
      await aborted.abort();
      await nothingLeavesAfter(aborted);
      expect(EventStream.of(oc).subscriberCount).toBe(0);
      await EventStream.of(oc).close();
    } finally {
      await proxy.close();
    }
  });

  it("abort() sends POST /session/{id}/abort before anything else", async () => {
    const { proxy, oc } = await proxied();
    try {
      h.model.enqueue(longAnswer("abort-first."));
      const session = await new Sessions(oc).create({ title: "abort first" });
      const run = session.prompt("abort-first.", { model: h.modelRef });
      await firstDelta(run);
      const before = proxy.requests.length;
      await run.abort();
      const after = proxy.requests.slice(before);
      expect(after[0]).toMatchObject({ method: "POST", url: expect.stringMatching(new RegExp(`^/session/${session.id}/abort`)) });
      await EventStream.of(oc).close();
    } finally {
      await proxy.close();
    }
  });

  it("a send whose response was lost goes on streaming: the server stored it once, the handle gets its answer", async () => {
    const { proxy, oc } = await proxied();
    try {
      h.model.enqueue({ text: ["stored ", "anyway."], match: answering("lost-response.") });
      const session = await new Sessions(oc).create({ title: "lost response" });
      proxy.fault = (r) => (r.method === "POST" && r.url.includes("/prompt_async") ? "lose-response" : undefined);
      const run = session.prompt("lost-response.", { model: h.modelRef });
      expect(await run.finalText()).toBe("stored anyway.");
      const stored = await session.messages();
      expect(stored.filter((m) => m.info.id === run.messageID)).toHaveLength(1);
      expect(proxy.requests.filter((r) => r.method === "POST" && r.url.includes("/prompt_async"))).toHaveLength(1);
      await EventStream.of(oc).close();
    } finally {
      await proxy.close();
    }
  });
});
