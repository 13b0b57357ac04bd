/**
 * abort() while the send is in flight (phase `sent`), against the pinned server, 20 times: the server
 * either starts the prompt's run and the abort stops it, or the abort overtakes the run and it never
 * starts. Either way the handle settles as aborted once the server confirms nothing runs for the
 * prompt, well before its `abortTimeoutMs` bound (set far out here, so a handle that waited for the
 * bound would fail this file by its timeout), and nothing of the prompt runs afterwards.
 */
import { createOpencodeClient, type OpencodeClient, PromptAbortedError, Sessions } from "@ocsdk/sdk";
import { createNodeFetch } from "@ocsdk/sdk/node";
import { type OpencodeHarness, startOpencodeHarness } from "@ocsdk/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let h: OpencodeHarness;
beforeAll(async () => {
  h = await startOpencodeHarness();
});
afterAll(async () => {
  await h?.close();
});

const TRIES = 20;

const idle = async (oc: OpencodeClient, sessionID: string) =>
  (((await oc.session.status()) as Record<string, { type: string }>)[sessionID]?.type ?? "idle") === "idle";

describe("abort while the send is in flight", () => {
  it(`settles aborted every time (${TRIES} tries), with nothing of the prompt left running`, { timeout: 600_000 }, async () => {
    let onSend: (() => void) | undefined;
    const base = createNodeFetch();
    // Aborts at the moment the prompt's send goes out: the handle is in phase `sent`.
    const hooked = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (new URL(new Request(input, init).url).pathname.endsWith("/prompt_async")) onSend?.();
      return base(input, init);
    }) as typeof fetch;
    const oc = createOpencodeClient({
      baseUrl: h.server.url,
      password: h.server.password,
      directory: h.projectDir,
      fetch: hooked,
      logLevel: "off",
    });
    const settleMs: number[] = [];
    try {
      for (let i = 0; i < TRIES; i++) {
        const tag = `abort-sending-${i}`;
        h.model.enqueue({
          text: Array.from({ length: 100 }, (_, k) => `w${k} `),
          delayMs: 50,
          match: (body: { messages?: unknown }) => JSON.stringify(body.messages ?? []).includes(tag),
        });
        const session = await new Sessions(oc).create({ title: tag });
        const run = session.prompt(tag, { model: h.modelRef, abortTimeoutMs: 3_600_000 });
        let phase: string | undefined;
        let started = 0;
        const aborted = new Promise<void>((resolve) => {
          onSend = () => {
            onSend = undefined;
            phase = run.phase;
            started = performance.now();
            resolve(run.abort());
          };
        });
        await aborted;
        const error = await run.finalMessage().catch((e: unknown) => e);
        settleMs.push(Math.round(performance.now() - started));
        expect(phase).toBe("sent");
        expect(error).toBeInstanceOf(PromptAbortedError);
        expect(run.phase).toBe("settled");
        // Nothing runs for the prompt: the session is idle and any answer of ours ended.
        expect(await idle(oc, session.id)).toBe(true);
        const answers = (await session.messages()).filter(
          (m) => m.info.role === "assistant" && m.info.parentID === run.messageID,
        );
        for (const m of answers) expect(m.info.role === "assistant" && (m.info.error ?? m.info.time.completed)).toBeTruthy();
      }
    } finally {
      // The measured times, for the record (speed goals live in benchmarks, not in this assertion).
      console.log(`abort while sending, settle ms: ${settleMs.join(", ")}`);
      await oc.close();
    }
  });
});
