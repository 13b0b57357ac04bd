/**
 * One consumer of the event-path benches, run as its own process: `tsx events-consumer.ts <which> <events> <runs>`.
 * `plain`: fetch + eventsource-parser + JSON.parse; `sdk`: `new EventStream(oc).subscribe({ sessionID, types })`
 * with the default transport; `none`: starts the same server and client and reads nothing (fixed cost).
 */
import { createParser } from "eventsource-parser";
import * as sdk from "../src/index.js";
import { sseServerProcess } from "./server-process.js";

const [which = "none", eventsArg = "10000", runsArg = "3"] = process.argv.slice(2);
const N = Number(eventsArg);

async function plain(url: string): Promise<number> {
  const ac = new AbortController();
  const res = await fetch(`${url}/event`, { signal: ac.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let count = 0;
  const parser = createParser({
    onEvent: (e) => {
      JSON.parse(e.data);
      count++;
    },
  });
  while (count < N) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  ac.abort();
  return Math.min(count, N);
}

async function ours(url: string): Promise<number> {
  const oc = sdk.createOpencodeClient({ baseUrl: url, logLevel: "off" });
  const events = new sdk.EventStream(oc);
  let count = 0;
  for await (const e of events.subscribe({ sessionID: "ses_bench", types: ["message.part.delta"] })) {
    if (e.properties.delta === undefined) throw new Error("untyped event");
    if (++count === N) break;
  }
  await events.close();
  return count;
}

const consumers: Record<string, (url: string) => Promise<number>> = {
  plain,
  sdk: ours,
  none: async () => N,
};
const consume = consumers[which];
if (!consume) throw new Error(`unknown consumer ${which}`);
const server = await sseServerProcess(N);
try {
  for (let r = 0; r < Number(runsArg); r++) {
    const got = await consume(server.url);
    if (got !== N) throw new Error(`${which}: got ${got} of ${N} events`);
  }
} finally {
  await server.close();
}
