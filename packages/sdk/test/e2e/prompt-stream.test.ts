/**
 * Prompt handles against the real pinned server and the scripted fake model: deltas in order, the
 * final text equal to what the server stored, tool calls as started/completed events, typed session
 * errors, abort, and many concurrent handles over one connection.
 */
import {
  PromptAbortedError,
  type PromptEvent,
  ProviderAuthError,
  ProviderRetryError,
  type SeedEvent,
  toSeedEvents,
} from "@ocsdk/sdk";
import { type OpencodeHarness, startOpencodeHarness } from "@ocsdk/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let h: OpencodeHarness;
beforeAll(async () => {
  h = await startOpencodeHarness();
});
afterAll(async () => {
  await h?.close();
});

const storedText = async (sessionID: string, messageID: string) => {
  const m = await h.client.session.message({ path: { sessionID, messageID } });
  return m.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
};

describe("prompt handle", () => {
  it("streams text deltas in order; finalText equals the stored message", async () => {
    const deltas = ["Alpha ", "beta ", "gamma ", "delta ", "epsilon."];
    h.model.enqueue({ text: deltas, delayMs: 15 });
    const session = await h.client.sessions.create({ title: "deltas" });
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
    h.model.enqueue({ toolCalls: [{ name: "read", arguments: { filePath: "README.md" } }] }, { text: "It says hello." });
    const session = await h.client.sessions.create({ title: "tool" });
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
      { reasoning: ["Let me ", "think."], toolCalls: [{ name: "write", arguments: { filePath: "notes.txt", content: "hi\n" } }] },
      { text: "Wrote it." },
    );
    const session = await h.client.sessions.create({ title: "edit" });
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
    h.model.enqueue({ error: { status: 401, body: { error: { message: "invalid api key", type: "invalid_request_error" } } } });
    const session = await h.client.sessions.create({ title: "auth error" });
    const run = session.prompt("hi", { model: h.modelRef });
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
    const session = await h.client.sessions.create({ title: "rate limit" });
    const run = session.prompt("limit-me", { model: h.modelRef, maxProviderRetries: 1 });
    const events: PromptEvent[] = [];
    const error = await (async () => {
      for await (const e of run) events.push(e);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRetryError);
    expect((error as ProviderRetryError).attempt).toBe(2);
    expect((error as Error).message).toMatch(/rate limited/);
    expect(events.filter((e) => e.type === "retrying").map((e) => e.type === "retrying" && e.attempt)).toEqual([1, 2]);
    await expect
      .poll(async () => ((await h.client.session.status()) as Record<string, { type: string }>)[session.id]?.type ?? "idle")
      .toBe("idle");
  });

  it("abort mid-stream settles the handle as aborted within 2 s and the session goes idle", async () => {
    h.model.enqueue({ text: Array.from({ length: 200 }, (_, i) => `w${i} `), delayMs: 50 });
    const session = await h.client.sessions.create({ title: "abort" });
    const run = session.prompt("Talk for a long time", { model: h.modelRef });
    for await (const e of run) if (e.type === "text.delta") break;
    const started = Date.now();
    await run.abort();
    const error = await run.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptAbortedError);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(run.signal.aborted).toBe(true);
    const status = (await h.client.session.status()) as Record<string, { type: string }>;
    expect(status[session.id]?.type ?? "idle").toBe("idle");
  });

  it("speaks the design guide's event vocabulary through the adapter", async () => {
    h.model.enqueue(
      { toolCalls: [{ name: "read", arguments: { filePath: "README.md" } }] },
      { text: ["Hello, ", "how can I help?"] },
    );
    const session = await h.client.sessions.create({ title: "seed" });
    const out: SeedEvent[] = [];
    for await (const e of toSeedEvents(session.prompt("hi", { model: h.modelRef }))) out.push(e);
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
