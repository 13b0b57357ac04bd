/**
 * One consumer of the event-path benches, run as its own process: `tsx events-consumer.ts <which> <events> <runs>`.
 * `plain`: fetch + eventsource-parser + JSON.parse; `sdk`: `EventStream.of(oc).subscribe({ sessionID, types })`
 * with the default transport; `listen`: the same with `listen({ sessionID, types }, fn)`; `none`: starts
 * the same server and reads nothing (the fixed cost).
 * `memory-plain`, `memory-sdk`, `memory-listen`: the same over the same frames read from memory (no
 * transport, no server).
 */
import { plainConsumer, sdkConsumer, sdkListenConsumer } from "./consumers.js";
import { memoryFrames, plainMemoryConsumer, sdkListenMemoryConsumer, sdkMemoryConsumer } from "./memory-body.js";
import { sseServerProcess } from "./server-process.js";

const [which = "none", eventsArg = "10000", runsArg = "3"] = process.argv.slice(2);
const N = Number(eventsArg);

const consumers: Record<string, (url: string) => Promise<number>> = {
  plain: (url) => plainConsumer(url, N),
  sdk: (url) => sdkConsumer(url, N),
  listen: (url) => sdkListenConsumer(url, N),
  none: async () => N,
};
const memory: Record<string, (frames: Uint8Array) => Promise<number>> = {
  "memory-plain": (frames) => plainMemoryConsumer(frames, N),
  "memory-sdk": (frames) => sdkMemoryConsumer(frames, N),
  "memory-listen": (frames) => sdkListenMemoryConsumer(frames, N),
};
const fromMemory = memory[which];
if (fromMemory) {
  const frames = memoryFrames(N);
  for (let r = 0; r < Number(runsArg); r++) {
    const got = await fromMemory(frames);
    if (got !== N) throw new Error(`${which}: got ${got} of ${N} events`);
  }
  process.exit(0);
}
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
