/** The fake model speaks OpenAI's streaming chat-completions format and follows its script. */
import { parseSse } from "@ocsdk/sdk";
import { startFakeModel } from "@ocsdk/testing";
import { expect, it } from "vitest";

const agentBody = (text: string, stream = true) => ({
  model: "fake-model",
  stream,
  messages: [{ role: "user", content: text }],
  tools: [{ type: "function", function: { name: "read" } }],
});

async function chunks(url: string, body: unknown, signal?: AbortSignal) {
  const res = await fetch(`${url}/chat/completions`, { method: "POST", body: JSON.stringify(body), signal });
  const out: { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] }[] = [];
  if (!res.ok) return { status: res.status, body: await res.json(), out };
  for await (const m of parseSse(res.body as ReadableStream<Uint8Array>)) if (m.data !== "[DONE]") out.push(JSON.parse(m.data));
  return { status: res.status, body: undefined, out };
}

it("streams text deltas, reasoning, then tool calls, with the right finish reasons", async () => {
  await using model = await startFakeModel([
    { reasoning: ["hm"], text: ["Hel", "lo"] },
    { toolCalls: [{ name: "read", arguments: { filePath: "a.md" } }] },
  ]);
  const first = await chunks(model.url, agentBody("one"));
  const deltas = first.out.map((c) => c.choices[0]?.delta ?? {});
  expect(deltas.map((d) => d.content ?? d.reasoning_content ?? "").join("")).toBe("hmHello");
  expect(first.out.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  const second = await chunks(model.url, agentBody("two"));
  const calls = second.out.flatMap(
    (c) => (c.choices[0]?.delta.tool_calls as { function: { name?: string; arguments: string } }[]) ?? [],
  );
  expect(calls[0]?.function.name).toBe("read");
  expect(JSON.parse(calls.map((c) => c.function.arguments).join(""))).toEqual({ filePath: "a.md" });
  expect(second.out.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  expect(model.requests).toHaveLength(2);
  expect(model.pending()).toBe(0);
});

it("answers provider errors, matches turns, and serves auxiliary requests without using the queue", async () => {
  await using model = await startFakeModel([
    { text: "for b", match: (b) => JSON.stringify(b.messages).includes('"b"') },
    { error: { status: 500, body: { error: { message: "boom" } } } },
  ]);
  const aux = await chunks(model.url, { model: "fake-model", stream: true, messages: [{ role: "user", content: "title?" }] });
  expect(aux.out.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Fake title");
  // "x" skips the turn reserved for "b" and takes the next one: the error.
  const failed = await chunks(model.url, agentBody("x"));
  expect(failed).toMatchObject({ status: 500, body: { error: { message: "boom" } } });
  const matched = await chunks(model.url, agentBody("b"));
  expect(matched.out.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("for b");
  const fallback = await chunks(model.url, agentBody("y", false));
  expect(fallback.status).toBe(200);
});

it("a stall holds the stream after the first delta until the client goes away", async () => {
  await using model = await startFakeModel([{ text: ["first ", "second"], stallMs: 60_000 }]);
  const ac = new AbortController();
  const res = await fetch(`${model.url}/chat/completions`, {
    method: "POST",
    body: JSON.stringify(agentBody("s")),
    signal: ac.signal,
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("first")) text += new TextDecoder().decode((await reader.read()).value);
  const next = reader.read();
  const raced = await Promise.race([next.then(() => "data"), new Promise((r) => setTimeout(() => r("stalled"), 300))]);
  expect(raced).toBe("stalled");
  ac.abort();
  await next.catch(() => {});
});
