/**
 * The prompt handle under stress against the real server: a server restart mid-stream (same data
 * dir, same port) and 100 concurrent prompts over one event connection.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpencodeClient, EventStream, type PromptEvent, Sessions } from "@ocsdk/sdk";
import { createNodeFetch, spawnServer } from "@ocsdk/sdk/node";
import {
  FAKE_MODEL_REF,
  type FakeModel,
  fakeModelConfig,
  initGitProject,
  startFakeModel,
  startOpencodeHarness,
} from "@ocsdk/test-kit";
import { expect, it } from "vitest";

/**
 * The pinned server on a project and data dir of its own, stopped and started again on the same port
 * and data (a graceful close, or a SIGKILL), with a client that reconnects quickly.
 */
async function restartableServer(model: FakeModel, password: string) {
  const projectDir = await mkdtemp(join(tmpdir(), "ocsdk-project-"));
  await initGitProject(projectDir);
  const dataDir = await mkdtemp(join(tmpdir(), "ocsdk-data-"));
  const options = { config: fakeModelConfig(model), cwd: projectDir, isolated: dataDir, password };
  let server = await spawnServer(options);
  const port = Number(new URL(server.url).port);
  const client = createOpencodeClient({
    baseUrl: server.url,
    password,
    directory: projectDir,
    logLevel: "off",
    events: { initialDelayMs: 100, maxDelayMs: 400, connectTimeoutMs: 1000 },
  });
  return {
    client,
    get url() {
      return server.url;
    },
    async restart(how: "close" | "SIGKILL"): Promise<void> {
      if (how === "SIGKILL") process.kill(server.pid, "SIGKILL");
      await server.close();
      server = await spawnServer({ ...options, port });
    },
    async [Symbol.asyncDispose](): Promise<void> {
      await EventStream.of(client).close();
      await server.close();
      await rm(projectDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const textOf = (parts: { type: string; text?: string }[]) => parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");

it("server killed and restarted mid-stream: the stream reconnects and the final text matches the server's", async () => {
  await using model = await startFakeModel();
  await using server = await restartableServer(model, "restart-test-password");
  const oc = server.client;
  const states: string[] = [];
  EventStream.of(oc).onState((s) => states.push(s.state));
  model.enqueue({ text: Array.from({ length: 100 }, (_, i) => `w${i} `), delayMs: 40 });
  const session = await new Sessions(oc).create({ title: "restart" });
  const run = session.prompt("Talk slowly", { model: FAKE_MODEL_REF });
  const events: PromptEvent[] = [];
  const consumed = (async () => {
    for await (const e of run) events.push(e);
  })().catch(() => {});
  const until = Date.now() + 60_000;
  while (!events.some((e) => e.type === "text.delta") && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(events.some((e) => e.type === "text.delta")).toBe(true);

  const url = server.url;
  await server.restart("close");
  expect(server.url).toBe(url);

  const final = await run.finalMessage();
  await consumed;
  expect(states.filter((s) => s === "reconnecting").length).toBeGreaterThanOrEqual(1);
  expect(states.filter((s) => s === "open").length).toBeGreaterThanOrEqual(2);
  const stored = await oc.session.message({ path: { sessionID: session.id, messageID: final.info.id } });
  const storedText = textOf(stored.parts);
  expect(await run.finalText()).toBe(storedText);
  // opencode keeps no in-flight text across a kill: the handle says the answer was cut, and its
  // final message is what the server stored, not what was streamed before the kill.
  const done = events.at(-1);
  expect(done?.type === "done" && done.interrupted).toBe(true);
  const streamed = events.flatMap((e) => (e.type === "text.delta" ? [e.delta] : [])).join("");
  expect(streamed.startsWith(storedText)).toBe(true);

  // The same client and stream carry on with the restarted server.
  const words = ["after ", "the ", "restart."];
  model.enqueue({ text: words, delayMs: 10 });
  const again = session.prompt("Once more", { model: FAKE_MODEL_REF });
  const deltas: string[] = [];
  for await (const d of again.textStream()) deltas.push(d);
  expect(deltas.join("")).toBe(words.join(""));
  expect(await again.finalText()).toBe(words.join(""));
  const msg = await oc.session.message({ path: { sessionID: session.id, messageID: (await again.finalMessage()).info.id } });
  expect(textOf(msg.parts)).toBe(words.join(""));
});

it("10 server SIGKILLs and restarts mid-stream: every prompt settles, its final text what the server stored", async () => {
  await using model = await startFakeModel();
  await using server = await restartableServer(model, "kill-test-password");
  const oc = server.client;
  const session = await new Sessions(oc).create({ title: "kills" });
  for (let i = 0; i < 10; i++) {
    const tag = `kill-${i}.`;
    model.enqueue({
      text: Array.from({ length: 60 }, (_, j) => `k${i}.${j} `),
      delayMs: 40,
      match: (body) => JSON.stringify(body.messages?.at(-1) ?? "").includes(tag),
    });
    const run = session.prompt(tag, { model: FAKE_MODEL_REF });
    for await (const e of run) if (e.type === "text.delta") break;
    await server.restart("SIGKILL");
    const final = await run.finalMessage();
    const stored = await oc.session.message({ path: { sessionID: session.id, messageID: final.info.id } });
    expect(await run.finalText()).toBe(textOf(stored.parts));
    expect(final.info.role === "assistant" && final.info.parentID).toBe(run.messageID);
    console.log(
      `kill ${i + 1}/10: settled, ${final.info.role === "assistant" && final.info.time.completed ? "completed" : "cut"}`,
    );
  }
}, 600_000);

it("100 concurrent prompt handles over one connection each see only their own events", async () => {
  const N = 100;
  await using h = await startOpencodeHarness();
  for (let i = 0; i < N; i++) {
    h.model.enqueue({
      text: [`answer-${i} `, `part-two-${i}`],
      match: (body) => JSON.stringify(body.messages ?? []).includes(`question-${i}.`),
    });
  }
  const connections: number[] = [];
  EventStream.of(h.client).onState((s) => {
    if (s.state === "connecting") connections.push(s.attempt);
  });
  const sessions = await Promise.all(Array.from({ length: N }, (_, i) => new Sessions(h.client).create({ title: `c${i}` })));
  const runs = sessions.map((s, i) => s.prompt(`question-${i}.`, { model: h.modelRef }));
  const results = await Promise.all(
    runs.map(async (run, i) => {
      const events: PromptEvent[] = [];
      for await (const e of run) events.push(e);
      return { i, run, events, final: await run.finalMessage() };
    }),
  );
  expect(connections).toEqual([1]);
  for (const { i, run, events, final } of results) {
    expect(await run.finalText()).toBe(`answer-${i} part-two-${i}`);
    const text = events.flatMap((e) => (e.type === "text.delta" ? [e.delta] : [])).join("");
    expect(text).toBe(`answer-${i} part-two-${i}`);
    for (const e of events) {
      if ("messageID" in e) expect(e.messageID).toBe(final.info.id);
    }
    expect(final.info.sessionID).toBe(sessions[i]?.id);
  }
  await EventStream.of(h.client).close();
}, 240_000);

it("an event-stream gap mid-answer: the handle reconciles, its deltas add up to the stored text", async () => {
  await using h = await startOpencodeHarness();
  const base = createNodeFetch();
  let cut: (() => void) | undefined;
  // A transport whose event stream can be cut mid-answer (the server keeps generating meanwhile).
  const cuttable = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const res = await base(input, init);
    if (!new URL(new Request(input, init).url).pathname.endsWith("/event") || !res.body) return res;
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        cut = () => {
          controller.error(new Error("cut by the test"));
          reader.cancel().catch(() => {});
        };
      },
      async pull(controller) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: res.status, headers: res.headers });
  }) as typeof fetch;
  const oc = createOpencodeClient({
    baseUrl: h.server.url,
    password: h.server.password,
    directory: h.projectDir,
    fetch: cuttable,
    logLevel: "off",
    events: { initialDelayMs: 600, maxDelayMs: 600 },
  });
  const states: string[] = [];
  EventStream.of(oc).onState((s) => states.push(s.state));
  const words = Array.from({ length: 80 }, (_, i) => `t${i} `);
  h.model.enqueue({ text: words, delayMs: 25 });
  const session = await new Sessions(oc).create({ title: "gap" });
  const run = session.prompt("stream", { model: h.modelRef });
  const events: PromptEvent[] = [];
  const consumed = (async () => {
    for await (const e of run) {
      events.push(e);
      if (events.filter((x) => x.type === "text.delta").length === 10) cut?.();
    }
  })();
  await consumed;
  expect(states).toContain("reconnecting");
  const final = await run.finalMessage();
  const stored = final.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
  expect(stored).toBe(words.join(""));
  const streamed = events.flatMap((e) => (e.type === "text.delta" ? [e.delta] : [])).join("");
  expect(streamed).toBe(stored);
  await EventStream.of(oc).close();
});
