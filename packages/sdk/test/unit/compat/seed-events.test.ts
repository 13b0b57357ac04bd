/** The guide's event vocabulary over prompt events. */
import { PromptAbortedError, type PromptEvent, ProviderRateLimitError, type SeedEvent, toSeedEvents } from "@ocsdk/sdk";
import { expect, it } from "vitest";

async function collect(events: PromptEvent[], error?: Error): Promise<SeedEvent[]> {
  async function* source() {
    yield* events;
    if (error) throw error;
  }
  const out: SeedEvent[] = [];
  let t = 1_000;
  for await (const e of toSeedEvents(source(), () => (t += 10))) out.push(e);
  return out;
}

const tokens = (output: number) => ({ input: 1, output, reasoning: 0, cache: { read: 0, write: 0 } });

it("maps text, tools and the end of each message", async () => {
  const events: PromptEvent[] = [
    { type: "tool.started", messageID: "msg_1", callID: "c1", tool: "read", input: { filePath: "a" } },
    { type: "tool.completed", messageID: "msg_1", callID: "c1", tool: "read", input: { filePath: "a" }, output: "content" },
    { type: "step.finished", messageID: "msg_1", reason: "tool-calls", cost: 0, tokens: tokens(2) },
    { type: "text.delta", messageID: "msg_2", partID: "p", delta: "Hello, ", text: "Hello, " },
    { type: "text.delta", messageID: "msg_2", partID: "p", delta: "world", text: "Hello, world" },
    { type: "step.finished", messageID: "msg_2", reason: "stop", cost: 0, tokens: tokens(5) },
    { type: "done", message: { info: {} as never, parts: [] }, interrupted: false },
  ];
  const out = await collect(events);
  expect(out.map((e) => e.event)).toEqual([
    "tool.start",
    "tool.result",
    "tool.end",
    "message.start",
    "message.chunk",
    "message.chunk",
    "message.end",
  ]);
  expect(out[1]).toEqual({ event: "tool.result", data: { id: "c1", success: true, result: "content" } });
  expect(out[5]).toEqual({ event: "message.chunk", data: { id: "msg_2", content: "world", index: 1 } });
  expect(out[6]).toMatchObject({ event: "message.end", data: { id: "msg_2", tokens: 5 } });
});

it("turns typed errors into the guide's error event", async () => {
  const rate = await collect([], new ProviderRateLimitError("APIError", { message: "slow down", statusCode: 429 }));
  expect(rate).toEqual([{ event: "error", data: { code: "RATE_LIMIT", message: "APIError: slow down" } }]);
  const waited = await collect(
    [],
    new ProviderRateLimitError("APIError", { message: "slow down", statusCode: 429, responseHeaders: { "retry-after": "60" } }),
  );
  expect(waited).toEqual([{ event: "error", data: { code: "RATE_LIMIT", message: "APIError: slow down", retry_after: 60 } }]);
  const aborted = await collect([], new PromptAbortedError("aborted"));
  expect(aborted[0]).toMatchObject({ event: "error", data: { code: "ABORTED" } });
});
