/**
 * pnpm bench (second part): a long streamed answer through a prompt handle, against a baseline
 * measured in the same run.
 *
 * A loopback stand-in for opencode answers one prompt with N text deltas on `/event` (shaped like
 * the real server's: user and assistant `message.updated`, `message.part.delta`s, the final part,
 * `session.idle`) and serves the stored message. The consumer reads the text so far at every
 * delta, as a UI that re-renders does. Measured:
 * - baseline: plain `fetch` of `/event`, JSON.parse, `text += delta`, the same rendering (nothing
 *   kept, no handle);
 * - sdk: `startPrompt()` iterated, reading `event.text` at each `text.delta`, the handle kept alive
 *   (it keeps its events so every iteration replays from the start).
 * Prints deltas/s and the heap retained while the handle is alive, as ratios to the baseline.
 */
import { createServer, type ServerResponse } from "node:http";
import { closeServer, listenLoopback } from "@ocsdk/testing";
import { sdk as shipped } from "./shipped.js";

const { createOpencodeClient, EventStream, startPrompt } = shipped;

const N = Number(process.env.BENCH_DELTAS ?? 5_000);
const SESSION = "ses_bench";
const ASSISTANT = "msg_bench_assistant";
const PART = "prt_bench_text";
const words = Array.from({ length: N }, (_, i) => `word${i} `);
const fullText = words.join("");

/** A stand-in opencode: `/event`, `prompt_async`, the stored message, status. */
async function server(): Promise<{ url: string; close: () => Promise<void> }> {
  const streams = new Set<ServerResponse>();
  const frame = (type: string, properties: unknown) => `data: ${JSON.stringify({ type, properties })}\n\n`;
  let stored: unknown[] = [];
  const answer = (userID: string) => {
    const created = Date.now();
    const assistant = (completed?: number) => ({
      id: ASSISTANT,
      sessionID: SESSION,
      role: "assistant",
      parentID: userID,
      time: completed ? { created, completed } : { created },
    });
    const part = (text: string, end?: number) => ({
      id: PART,
      sessionID: SESSION,
      messageID: ASSISTANT,
      type: "text",
      text,
      time: end ? { start: created, end } : { start: created },
    });
    const done = Date.now();
    stored = [
      { info: { id: userID, sessionID: SESSION, role: "user", time: { created } }, parts: [] },
      { info: assistant(done), parts: [part(fullText, done)] },
    ];
    const frames = [
      frame("message.updated", { sessionID: SESSION, info: { id: userID, sessionID: SESSION, role: "user", time: { created } } }),
      frame("message.updated", { sessionID: SESSION, info: assistant() }),
      frame("message.part.updated", { sessionID: SESSION, part: part("") }),
      ...words.map((delta) =>
        frame("message.part.delta", { sessionID: SESSION, messageID: ASSISTANT, partID: PART, field: "text", delta }),
      ),
      frame("message.part.updated", { sessionID: SESSION, part: part(fullText, done) }),
      frame("message.updated", { sessionID: SESSION, info: assistant(done) }),
      frame("session.idle", { sessionID: SESSION }),
    ].join("");
    for (const res of streams) res.write(frames);
  };
  const s = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const json = (body: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (path === "/event") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(frame("server.connected", {}));
      streams.add(res);
      res.on("close", () => streams.delete(res));
    } else if (path.endsWith("/prompt_async")) {
      let body = "";
      for await (const chunk of req) body += chunk;
      res.writeHead(204).end();
      answer((JSON.parse(body) as { messageID: string }).messageID);
    } else if (path === "/session/status") json({});
    else if (path.endsWith(`/message/${ASSISTANT}`)) json(stored[1]);
    else if (path.endsWith("/message")) json(stored);
    else res.writeHead(404).end();
  });
  return { url: await listenLoopback(s), close: () => closeServer(s) };
}

/** What a hand-rolled client does: read the stream, keep the text, nothing else. */
async function baseline(url: string): Promise<{ text: string; keep: unknown }> {
  const ac = new AbortController();
  const res = await fetch(`${url}/event`, { signal: ac.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let text = "";
  let lines = 0;
  let sent = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (!sent) {
      sent = true; // connected: now send the prompt
      await fetch(`${url}/session/${SESSION}/prompt_async`, { method: "POST", body: JSON.stringify({ messageID: "msg_base" }) });
    }
    buffer += decoder.decode(value, { stream: true });
    let i = buffer.indexOf("\n\n");
    while (i >= 0) {
      const event = JSON.parse(buffer.slice(6, i)) as { type: string; properties: { delta?: string } };
      buffer = buffer.slice(i + 2);
      i = buffer.indexOf("\n\n");
      if (event.type === "message.part.delta") {
        text += event.properties.delta;
        lines += text.lastIndexOf("\n") + 1; // the same rendering as the sdk consumer
      }
      if (event.type === "session.idle") {
        ac.abort();
        return { text, keep: lines };
      }
    }
  }
  throw new Error("baseline: the stream ended early");
}

async function sdk(url: string): Promise<{ text: string; keep: unknown }> {
  const oc = createOpencodeClient({ baseUrl: url, logLevel: "off" });
  const run = startPrompt(oc, SESSION, "write a long answer");
  let shown = "";
  let lines = 0;
  for await (const e of run) {
    if (e.type !== "text.delta") continue;
    shown = e.text; // a UI re-rendering the text: it reads its characters (here: finds the last line)
    lines += shown.lastIndexOf("\n") + 1;
  }
  await EventStream.of(oc).close();
  return { text: shown, keep: [run, lines] };
}

async function measure(name: string, fn: (url: string) => Promise<{ text: string; keep: unknown }>) {
  const srv = await server();
  try {
    globalThis.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const { text, keep } = await fn(srv.url);
    const ms = performance.now() - t0;
    if (text !== fullText) throw new Error(`${name}: the text differs from the answer`);
    globalThis.gc?.();
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
    void keep; // alive until here: its retained heap is what is measured
    return { name, perSec: (N / ms) * 1000, heapMb };
  } finally {
    await srv.close();
  }
}

const rows = [];
for (const [name, fn] of [
  ["baseline (fetch, text += delta)", baseline],
  ["sdk prompt handle, e.text read", sdk],
] as const) {
  await measure(name, fn); // warm-up
  rows.push(await measure(name, fn));
}
const base = rows[0] as { perSec: number; heapMb: number };
console.log(`\ndeltas per answer: ${N} (${(fullText.length / 1000).toFixed(0)} K characters)`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(36)} ${Math.round(r.perSec).toString().padStart(9)} deltas/s  ${(r.perSec / base.perSec).toFixed(2)}× baseline  heap retained ${r.heapMb.toFixed(1)} MB (${(r.heapMb - base.heapMb).toFixed(1)} MB over baseline)`,
  );
}
