/**
 * The event benches' consumers, each reading `events` events off its own connection to `url`:
 * `events.bench` (CPU time, heap) and `events-consumer` (instruction counts) measure the same code.
 * `onThousand` runs after every 1 000 events (the heap sampler), outside what is compared.
 */
import { createParser } from "eventsource-parser";
import { sdk } from "./shipped.js";

/** `fetch` + eventsource-parser + `JSON.parse`: no reconnect, dedup, filtering or typing. */
export async function plainConsumer(url: string, events: number, onThousand?: () => void): Promise<number> {
  const ac = new AbortController();
  const res = await fetch(`${url}/event`, { signal: ac.signal });
  const count = await plainRead((res.body as ReadableStream<Uint8Array>).getReader(), events, onThousand);
  ac.abort();
  return count;
}

/** eventsource-parser + `JSON.parse` over `reader` until `events` events (or its end); the plain consumers' loop. */
export async function plainRead(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  events: number,
  onThousand?: () => void,
): Promise<number> {
  const decoder = new TextDecoder();
  let count = 0;
  const parser = createParser({
    onEvent: (e) => {
      JSON.parse(e.data);
      if (++count % 1000 === 0) onThousand?.();
    },
  });
  while (count < events) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  return Math.min(count, events);
}

/**
 * `EventStream.of(oc).subscribe({ sessionID, types })` with the defaults on (dedup, watchdog,
 * connect timeout), beside `others` idle subscribers of other sessions.
 */
export async function sdkConsumer(url: string, events: number, others = 0, onThousand?: () => void): Promise<number> {
  const oc = sdk.createOpencodeClient({ baseUrl: url, logLevel: "off" });
  const stream = new sdk.EventStream(oc);
  const idle = Array.from({ length: others }, (_, i) => stream.subscribe({ sessionID: `ses_other_${i}` }));
  let count = 0;
  for await (const e of stream.subscribe({ sessionID: "ses_bench", types: ["message.part.delta"] })) {
    if (e.properties.delta === undefined) throw new Error("untyped event");
    if (++count % 1000 === 0) onThousand?.();
    if (count === events) break;
  }
  for (const s of idle) await s.return?.();
  await stream.close();
  return count;
}

/**
 * `EventStream.of(oc).listen({ sessionID, types }, fn)`, defaults on: the same events as
 * {@link sdkConsumer}, handed to a synchronous listener (no await per event).
 */
export async function sdkListenConsumer(url: string, events: number, onThousand?: () => void): Promise<number> {
  const oc = sdk.createOpencodeClient({ baseUrl: url, logLevel: "off" });
  const stream = new sdk.EventStream(oc);
  let count = 0;
  const listening = stream.listen({ sessionID: "ses_bench", types: ["message.part.delta"] }, (e) => {
    if (e.properties.delta === undefined) throw new Error("untyped event");
    if (++count % 1000 === 0) onThousand?.();
    if (count === events) listening.close();
  });
  await listening.done;
  await stream.close();
  return count;
}

/**
 * Fan-out as users write it: `sessions` `for await` subscribers, one per session
 * (`subscribe({ sessionID, types })`), on a server that deals its events round-robin to those
 * sessions, so each event goes to one of them. Counts the events all of them read together.
 */
export async function sdkFanOutConsumer(url: string, events: number, sessions: number, onThousand?: () => void): Promise<number> {
  const oc = sdk.createOpencodeClient({ baseUrl: url, logLevel: "off" });
  const stream = new sdk.EventStream(oc);
  let count = 0;
  const readers = Array.from({ length: sessions }, async (_, s) => {
    for await (const e of stream.subscribe({ sessionID: `ses_${s}`, types: ["message.part.delta"] })) {
      if (e.properties.delta === undefined) throw new Error("untyped event");
      if (++count % 1000 === 0) onThousand?.();
      if (count === events) void stream.close();
    }
  });
  await Promise.all(readers);
  return count;
}

/** One `for await` subscriber that reads every event (no session filter): the fan-out's baseline, on the same server. */
export async function sdkAllSessionsConsumer(url: string, events: number, onThousand?: () => void): Promise<number> {
  const oc = sdk.createOpencodeClient({ baseUrl: url, logLevel: "off" });
  const stream = new sdk.EventStream(oc);
  let count = 0;
  for await (const e of stream.subscribe({ types: ["message.part.delta"] })) {
    if (e.properties.delta === undefined) throw new Error("untyped event");
    if (++count % 1000 === 0) onThousand?.();
    if (count === events) break;
  }
  await stream.close();
  return count;
}
