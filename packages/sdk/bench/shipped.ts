/**
 * What every bench measures: the build users install (`dist/`, compiled by tsc), typed by the source.
 * Not the source run through tsx: tsx compiles with esbuild's `keepNames`, which wraps every function
 * it creates in a call that sets its name. A function with a name set that way is a larger object, so
 * each subscription weighed 2.3 KB instead of 1 KB, and the 1 000-subscriber figures measured tsx.
 * `pnpm bench` builds first; run alone, a bench says when the build is missing.
 */
import type * as Sse from "../src/events/sse.js";
import type * as Queue from "../src/events/subscriber-queue.js";
import type * as Index from "../src/index.js";
import type * as Operations from "../src/operations.js";

async function load<T>(path: string): Promise<T> {
  const url = new URL(path, import.meta.url);
  try {
    return (await import(url.href)) as T;
  } catch (error) {
    throw new Error(`bench: cannot load ${url.pathname} (run \`pnpm build\` first)`, { cause: error });
  }
}

/** `@ocsdk/sdk`, as built. */
export const sdk = await load<typeof Index>("../dist/index.js");
/** `@ocsdk/sdk/operations`, as built. */
export const operations = await load<typeof Operations>("../dist/operations.js");
/** The SSE parser, as built (not exported by the package). */
export const { SseParser } = await load<typeof Sse>("../dist/events/sse.js");
/** The subscriber queue, as built (not exported by the package). */
export const { SubscriberQueue } = await load<typeof Queue>("../dist/events/subscriber-queue.js");
