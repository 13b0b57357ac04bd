/**
 * pnpm bench: throughput and memory of the event path, against a baseline measured in the same run.
 *
 * A loopback SSE server sends N events shaped like opencode's `message.part.delta`. Measured:
 * - baseline: plain `fetch` + a minimal "split on blank line, JSON.parse" loop (what a hand-rolled
 *   client does, with no reconnect, dedup or filtering);
 * - sdk: `oc.events.subscribe()` (SSE parser, dedup, per-subscriber buffer, typed events);
 * - sdk ×10: ten subscribers on the one shared connection.
 * Prints events/s, the ratio to the baseline and the heap growth. Bounded: N events, then stop.
 */
import { createServer } from "node:http";
import { createOpencodeClient } from "../src/index.js";
import { listenLoopback } from "./loopback.js";

const N = Number(process.env.BENCH_EVENTS ?? 50_000);
const frame = (i: number) =>
  `data: ${JSON.stringify({
    id: `evt_${i.toString(16).padStart(12, "0")}`,
    type: "message.part.delta",
    properties: { sessionID: "ses_bench", messageID: "msg_bench", partID: "prt_bench", field: "text", delta: `word${i} ` },
  })}\n\n`;

async function server(): Promise<{ url: string; close: () => Promise<void> }> {
  const payload = Buffer.from(Array.from({ length: N }, (_, i) => frame(i)).join(""));
  const s = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    // In 64 KiB slices, as a socket would deliver them; then hold the stream open like opencode.
    for (let o = 0; o < payload.length; o += 65_536) res.write(payload.subarray(o, o + 65_536));
  });
  return listenLoopback(s);
}

async function baseline(url: string): Promise<number> {
  const ac = new AbortController();
  const res = await fetch(`${url}/event`, { signal: ac.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let count = 0;
  while (count < N) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let i = buffer.indexOf("\n\n");
    while (i >= 0) {
      JSON.parse(buffer.slice(6, i));
      count++;
      buffer = buffer.slice(i + 2);
      i = buffer.indexOf("\n\n");
    }
  }
  ac.abort();
  return count;
}

async function sdk(url: string, subscribers: number): Promise<number> {
  const oc = createOpencodeClient({ baseUrl: url, logLevel: "off", events: { dedupSize: N + 1 } });
  const counts = await Promise.all(
    Array.from({ length: subscribers }, async () => {
      let count = 0;
      for await (const _ of oc.events.subscribe({ sessionID: "ses_bench", bufferSize: N + 1 })) {
        if (++count === N) break;
      }
      return count;
    }),
  );
  await oc.events.close();
  return Math.min(...counts);
}

async function measure(
  name: string,
  fn: (url: string) => Promise<number>,
): Promise<{ name: string; perSec: number; heapMb: number }> {
  const srv = await server();
  try {
    globalThis.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const count = await fn(srv.url);
    const ms = performance.now() - t0;
    if (count !== N) throw new Error(`${name}: got ${count} of ${N} events`);
    return { name, perSec: (N / ms) * 1000, heapMb: (process.memoryUsage().heapUsed - heap0) / 1e6 };
  } finally {
    await srv.close();
  }
}

const rows = [];
for (const [name, fn] of [
  ["baseline (fetch + JSON.parse)", baseline],
  ["sdk events.subscribe", (u: string) => sdk(u, 1)],
  ["sdk ×10 subscribers, 1 connection", (u: string) => sdk(u, 10)],
] as const) {
  await measure(name, fn); // warm-up
  rows.push(await measure(name, fn));
}
const base = rows[0]?.perSec ?? 1;
console.log(`events per run: ${N}`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(36)} ${Math.round(r.perSec).toString().padStart(9)} events/s  ${(r.perSec / base).toFixed(2)}× baseline  heap +${r.heapMb.toFixed(1)} MB`,
  );
}
