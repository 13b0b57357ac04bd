/**
 * Prompt handles against the real pinned server and the scripted fake model: deltas in order, the
 * final text equal to what the server stored, tool calls as started/completed events, typed session
 * errors, abort, and many concurrent handles over one connection.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createOpencodeClient,
  EventStream,
  type OpencodeClient,
  PromptAbortedError,
  type PromptEvent,
  ProviderAuthError,
  ProviderRetryError,
  type SeedEvent,
  SessionError,
  Sessions,
  toSeedEvents,
} from "@ocsdk/sdk";
import { PENDING_TASKS } from "@ocsdk/sdk/internal";
import { createNodeFetch } from "@ocsdk/sdk/node";
import { initGitProject, type OpencodeHarness, startOpencodeHarness } from "@ocsdk/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let h: OpencodeHarness;
beforeAll(async () => {
  h = await startOpencodeHarness();
});
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await h?.close();
  for (const c of cleanups) await c();
});

/** Status is per instance: ask through a client scoped to the session's directory. */
const idle = async (sessionID: string, oc: OpencodeClient = h.client) =>
  (((await oc.session.status()) as Record<string, { type: string }>)[sessionID]?.type ?? "idle") === "idle";
/** The promise's outcome, value or error (a handle that hangs fails the test by its timeout). */
const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => v,
    (e: unknown) => e,
  );
/** Turns only the prompt saying `tag` gets: a stray request of an earlier test (opencode goes on in a
 * deleted or aborted session) can never take another test's answer. */
const only = (tag: string) => (body: { messages?: unknown }) => JSON.stringify(body.messages ?? []).includes(tag);

/** A long answer that only the prompt saying `tag` gets: an abort may leave it unused, never for another test. */
const longAnswer = (tag: string) => ({
  text: Array.from({ length: 100 }, (_, i) => `w${i} `),
  delayMs: 50,
  match: (body: { messages?: unknown }) => JSON.stringify(body.messages ?? []).includes(tag),
});

/** A prompt with a long answer, once its first delta arrived. */
const startLongAnswer = async (tag: string) => {
  h.model.enqueue(longAnswer(tag));
  const session = await new Sessions(h.client).create({ title: tag });
  const run = session.prompt(tag, { model: h.modelRef });
  for await (const e of run) if (e.type === "text.delta") break;
  return { session, run };
};

const storedText = async (sessionID: string, messageID: string) => {
  const m = await h.client.session.message({ path: { sessionID, messageID } });
  return m.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
};

describe("prompt handle", () => {
  it("streams text deltas in order; finalText equals the stored message", async () => {
    const deltas = ["Alpha ", "beta ", "gamma ", "delta ", "epsilon."];
    h.model.enqueue({ text: deltas, delayMs: 15, match: only("Say five words") });
    const session = await new Sessions(h.client).create({ title: "deltas" });
    const run = session.prompt("Say five words", { model: h.modelRef });
    const seen: string[] = [];
    for await (const chunk of run.textStream()) seen.push(chunk);
    expect(seen.join("")).toBe(deltas.join(""));
    expect(seen).toEqual(deltas);
    const final = await run.finalMessage();
    expect(final.info.role).toBe("assistant");
    expect(await run.finalText()).toBe(deltas.join(""));
    expect(await storedText(session.id, final.info.id)).toBe(deltas.join(""));
    const events = [];
    for await (const e of run) events.push(e.type);
    expect(events.at(-1)).toBe("done");
    expect(events).toContain("step.finished");
  });

  it("shows a tool call as started and completed, with input and output", async () => {
    h.model.enqueue(
      { toolCalls: [{ name: "read", arguments: { filePath: "README.md" } }], match: only("Read the README") },
      { text: "It says hello.", match: only("Read the README") },
    );
    const session = await new Sessions(h.client).create({ title: "tool" });
    const run = session.prompt("Read the README", { model: h.modelRef });
    const events: PromptEvent[] = [];
    for await (const e of run) events.push(e);
    const started = events.find((e) => e.type === "tool.started");
    const completed = events.find((e) => e.type === "tool.completed");
    expect(started).toMatchObject({ tool: "read", input: { filePath: "README.md" } });
    expect(completed).toMatchObject({ tool: "read", input: { filePath: "README.md" } });
    expect(completed?.type === "tool.completed" && completed.output).toContain("Hello from the harness.");
    expect(events.indexOf(started as PromptEvent)).toBeLessThan(events.indexOf(completed as PromptEvent));
    expect(await run.finalText()).toBe("It says hello.");
  });

  it("reasoning and a file edit show as their own events", async () => {
    h.model.enqueue(
      {
        reasoning: ["Let me ", "think."],
        toolCalls: [{ name: "write", arguments: { filePath: "notes.txt", content: "hi\n" } }],
        match: only("write notes"),
      },
      { text: "Wrote it.", match: only("write notes") },
    );
    const session = await new Sessions(h.client).create({ title: "edit" });
    const events: PromptEvent[] = [];
    for await (const e of session.prompt("write notes", { model: h.modelRef })) events.push(e);
    const reasoning = events.flatMap((e) => (e.type === "reasoning.delta" ? [e.delta] : [])).join("");
    expect(reasoning).toBe("Let me think.");
    const edited = events.find((e) => e.type === "file.edited");
    expect(edited).toMatchObject({ type: "file.edited", tool: "write" });
    expect(edited?.type === "file.edited" && edited.file).toMatch(/notes\.txt$/);
    expect(
      events
        .filter((e) => e.type === "text.delta")
        .map((e) => (e.type === "text.delta" ? e.delta : ""))
        .join(""),
    ).toBe("Wrote it.");
  });

  it("a provider auth error rejects with a typed error", async () => {
    h.model.enqueue({
      error: { status: 401, body: { error: { message: "invalid api key", type: "invalid_request_error" } } },
      match: only("auth-error"),
    });
    const session = await new Sessions(h.client).create({ title: "auth error" });
    const run = session.prompt("auth-error", { model: h.modelRef });
    const error = await run.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect((error as ProviderAuthError).message).toMatch(/invalid api key/i);
  });

  it("provider 429s: opencode's retries show as events; past maxProviderRetries the handle gives up typed", async () => {
    // Matched by prompt text, so a turn left over after giving up cannot leak into another test.
    const limited = {
      error: { status: 429, body: { error: { message: "rate limited", type: "rate_limit" } } },
      match: (body: { messages?: unknown }) => JSON.stringify(body.messages ?? []).includes("limit-me"),
    };
    h.model.enqueue(limited, limited, limited);
    const session = await new Sessions(h.client).create({ title: "rate limit" });
    const run = session.prompt("limit-me", { model: h.modelRef, maxProviderRetries: 1 });
    const events: PromptEvent[] = [];
    const error = await (async () => {
      for await (const e of run) events.push(e);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRetryError);
    expect((error as ProviderRetryError).attempt).toBe(2);
    expect((error as Error).message).toMatch(/rate limited/);
    expect(events.filter((e) => e.type === "retrying").map((e) => e.type === "retrying" && e.attempt)).toEqual([1, 2]);
    await expect.poll(() => idle(session.id)).toBe(true);
  });

  it("abort mid-stream settles the handle as aborted and the session goes idle", async () => {
    const { session, run } = await startLongAnswer("abort-mid-stream");
    await run.abort();
    const error = await run.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptAbortedError);
    expect(run.signal.aborted).toBe(true);
    expect(await idle(session.id)).toBe(true);
  });

  it("abort before the prompt was sent: it is never sent and the handle settles aborted", async () => {
    const sent: string[] = [];
    const oc = createOpencodeClient({
      baseUrl: h.server.url,
      password: h.server.password,
      directory: h.projectDir,
      logLevel: "off",
      hooks: { onRequest: (r) => void sent.push(`${r.method} ${r.path}`) },
    });
    const session = await new Sessions(oc).create({ title: "abort before send" });
    const run = session.prompt("never sent", { model: h.modelRef });
    await run.abort();
    expect(await run.finalMessage().catch((e: unknown) => e)).toBeInstanceOf(PromptAbortedError);
    // Once the handle's work is over, nothing of it can still send the prompt.
    await expect.poll(() => run[PENDING_TASKS]).toBe(0);
    expect(sent.filter((r) => r.endsWith("/prompt_async"))).toEqual([]);
    expect(await session.messages()).toEqual([]);
    expect(await idle(session.id)).toBe(true);
  });

  it("abort the moment the send returns: the handle settles aborted, and an answer that starts after it is stopped too", async () => {
    const answer = longAnswer("abort-in-flight");
    h.model.enqueue(answer);
    // opencode answers the send before its loop starts the answer: an abort sent at that moment
    // reaches the server before there is anything to abort. This transport aborts exactly then.
    let onSent: (() => void) | undefined;
    const base = createNodeFetch();
    const hooked = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await base(input, init);
      if (new URL(new Request(input, init).url).pathname.endsWith("/prompt_async")) onSent?.();
      return res;
    }) as typeof fetch;
    // A project of its own: opencode's first prompt in a fresh instance starts latest, the widest window.
    const directory = await mkdtemp(join(tmpdir(), "ocsdk-cold-"));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    await initGitProject(directory);
    const oc = createOpencodeClient({
      baseUrl: h.server.url,
      password: h.server.password,
      directory,
      fetch: hooked,
      logLevel: "off",
    });
    const session = await new Sessions(oc).create({ title: "abort in flight" });
    const run = session.prompt("abort-in-flight", { model: h.modelRef });
    const aborted = new Promise<void>((resolve) => {
      onSent = () => resolve(run.abort());
    });
    await aborted;
    expect(await run.finalMessage().catch((e: unknown) => e)).toBeInstanceOf(PromptAbortedError);
    expect(await idle(session.id, oc)).toBe(true);
    const stored = await session.messages();
    // The prompt was accepted and stored, whatever came of it.
    expect(stored.some((m) => m.info.id === run.messageID)).toBe(true);
    // opencode either never starts a prompt an abort overtook (nothing to stop) or starts it after the
    // abort; then abort() returned once that answer had ended: it was cut, not run to its end.
    const answers = stored.filter((m) => m.info.role === "assistant" && m.info.parentID === run.messageID);
    for (const m of answers) expect(m.info.role === "assistant" && (m.info.error ?? m.info.time.completed)).toBeTruthy();
    const text = answers
      .flatMap((m) => m.parts)
      .flatMap((p) => (p.type === "text" ? [p.text] : []))
      .join("");
    expect(text.length).toBeLessThan((answer.text as string[]).join("").length);
    await EventStream.of(oc).close();
  });

  it("the session deleted mid-stream settles the handle at once with a typed error", async () => {
    const { session, run } = await startLongAnswer("delete-mid-stream");
    expect(await session.delete()).toBe(true);
    const error = await outcome(run.finalMessage());
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).errorName).toBe("SessionDeletedError");
  });

  it("a prompt the server refuses before storing it (unknown agent) rejects typed, never hangs", async () => {
    const session = await new Sessions(h.client).create({ title: "unknown agent" });
    const run = session.prompt("hi", { model: h.modelRef, agent: "no-such-agent" });
    const error = await outcome(run.finalMessage());
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).message).toMatch(/no-such-agent/);
    expect(await outcome(run.finalText())).toBe(error);
  });

  it("a model that does not exist rejects typed, never hangs", async () => {
    const session = await new Sessions(h.client).create({ title: "unknown model" });
    const run = session.prompt("hi", { model: { providerID: "fake", modelID: "no-such-model" } });
    const error = await outcome(run.finalMessage());
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).message).toMatch(/no-such-model/);
  });

  it("another prompt's failure in the same session does not settle a running handle", async () => {
    const words = Array.from({ length: 30 }, (_, i) => `r${i} `);
    h.model.enqueue({ text: words, delayMs: 40, match: only("keep talking") });
    const session = await new Sessions(h.client).create({ title: "two prompts" });
    const running = session.prompt("keep talking", { model: h.modelRef });
    for await (const e of running) if (e.type === "text.delta") break;
    // Sent at once, beside the running one (by default it would wait for it).
    const refused = session.prompt("hi", { model: h.modelRef, agent: "no-such-agent", delivery: "steer" });
    expect(await outcome(refused.finalMessage())).toBeInstanceOf(SessionError);
    expect(await outcome(running.finalText())).toBe(words.join(""));
  });

  it("speaks the design guide's event vocabulary through the adapter", async () => {
    h.model.enqueue(
      { toolCalls: [{ name: "read", arguments: { filePath: "README.md" } }], match: only("seed-vocabulary") },
      { text: ["Hello, ", "how can I help?"], match: only("seed-vocabulary") },
    );
    const session = await new Sessions(h.client).create({ title: "seed" });
    const out: SeedEvent[] = [];
    for await (const e of toSeedEvents(session.prompt("seed-vocabulary", { model: h.modelRef }))) out.push(e);
    expect(out.map((e) => e.event)).toEqual([
      "tool.start",
      "tool.result",
      "tool.end",
      "message.start",
      "message.chunk",
      "message.chunk",
      "message.end",
    ]);
    const chunks = out.flatMap((e) => (e.event === "message.chunk" ? [e.data.content] : []));
    expect(chunks.join("")).toBe("Hello, how can I help?");
  });
});
