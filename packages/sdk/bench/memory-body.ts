/**
 * The event path without a transport: `events` frames shaped like opencode's `message.part.delta`
 * (as the bench server sends them), read from memory one 64 KiB chunk per macrotask, as a socket
 * delivers them. `events.bench` (CPU time) and `events-consumer` (instruction counts) read the same.
 */
import { plainRead } from "./consumers.js";
import { SseParser, SubscriberQueue, sdk } from "./shipped.js";

/** The frames of `events` events, encoded. */
export function memoryFrames(events: number): Uint8Array {
  return new TextEncoder().encode(
    Array.from(
      { length: events },
      (_, i) =>
        `data: ${JSON.stringify({
          id: `evt_${i.toString(16).padStart(12, "0")}`,
          type: "message.part.delta",
          properties: { sessionID: "ses_bench", messageID: "msg_bench", partID: "prt_bench", field: "text", delta: `word${i} ` },
        })}\n\n`,
    ).join(""),
  );
}

/** A byte stream of `frames`, one 64 KiB chunk per macrotask. */
export function memoryBody(frames: Uint8Array): ReadableStream<Uint8Array> {
  let o = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        await new Promise((r) => setImmediate(r));
        if (o < frames.length) c.enqueue(frames.subarray(o, o + 65_536));
        o += 65_536;
      },
    },
    { highWaterMark: 0 },
  );
}

/** eventsource-parser + `JSON.parse` over the frames; resolves with the events read. */
export async function plainMemoryConsumer(frames: Uint8Array, events: number): Promise<number> {
  const reader = memoryBody(frames).getReader();
  const count = await plainRead(reader, events);
  await reader.cancel();
  return count;
}

/** `EventStream.of(…).subscribe({ sessionID, types })` over the frames, defaults on. */
export async function sdkMemoryConsumer(frames: Uint8Array, events: number): Promise<number> {
  const stream = new sdk.EventStream({ streamFetch: async () => new Response(memoryBody(frames)) });
  let count = 0;
  for await (const _ of stream.subscribe({ sessionID: "ses_bench", types: ["message.part.delta"] }))
    if (++count === events) break;
  await stream.close();
  return count;
}

/** `EventStream.of(…).listen({ sessionID, types }, fn)` over the frames, defaults on. */
export async function sdkListenMemoryConsumer(frames: Uint8Array, events: number): Promise<number> {
  const stream = new sdk.EventStream({ streamFetch: async () => new Response(memoryBody(frames)) });
  let count = 0;
  const listening = stream.listen({ sessionID: "ses_bench", types: ["message.part.delta"] }, () => {
    if (++count === events) listening.close();
  });
  await listening.done;
  await stream.close();
  return count;
}

/**
 * The floor of any async-iterable consumer of the frames: the sdk's parser and `JSON.parse` push into
 * its subscriber queue, read with `for await` (one `next()` promise and one await per event), without
 * the stream's dedup, filtering, typing or flow control. What the sdk costs above this is its own.
 */
export async function iterationFloorConsumer(frames: Uint8Array, events: number): Promise<number> {
  const reader = memoryBody(frames).getReader();
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  const queue = new SubscriberQueue<unknown>({ capacity: 10_000, overflow: "error", overflowError: () => new Error("full") });
  const parser = new SseParser({ onMessage: (m) => void queue.push(JSON.parse(m.data)) });
  const producing = (async () => {
    while (!queue.closed) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  })();
  let count = 0;
  for await (const _ of queue) if (++count === events) break;
  await reader.cancel();
  await producing;
  return count;
}
