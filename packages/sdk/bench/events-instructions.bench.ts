/**
 * pnpm bench:instructions: the event stream's cost per event in machine instructions (valgrind's
 * count, every thread of the consumer process included), against the plain consumer in the same run.
 * Counts do not depend on what else the machine runs, unlike CPU time on a shared 2-core VM.
 *
 * Each consumer runs in its own process under `valgrind --tool=cachegrind` at two event counts; the
 * difference divided by the extra events is the marginal cost per event (start-up, JIT warm-up and
 * the server start cancel out). Bounded: 2 sizes × 2 repeats × 2 consumers, a few minutes.
 */
import { fileURLToPath } from "node:url";
import { countInstructions, hasValgrind } from "./instructions.js";

const CONSUMER = fileURLToPath(new URL("./events-consumer.ts", import.meta.url));
const SMALL = Number(process.env.BENCH_SMALL ?? 5_000);
const LARGE = Number(process.env.BENCH_LARGE ?? 20_000);
const RUNS = 3;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);

if (!hasValgrind()) process.exit(0);

const instructions = (which: string, events: number) => countInstructions(CONSUMER, [which, String(events), String(RUNS)]);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const perEvent: Record<string, number[]> = { plain: [], sdk: [] };
for (let i = 0; i < REPEATS; i++) {
  for (const which of ["plain", "sdk"]) {
    const small = instructions(which, SMALL);
    const large = instructions(which, LARGE);
    perEvent[which]?.push((large - small) / (RUNS * (LARGE - SMALL)));
  }
}
const plainCost = median(perEvent.plain as number[]);
const sdkCost = median(perEvent.sdk as number[]);
console.log(`instructions per event (marginal, ${SMALL}→${LARGE} events × ${RUNS} runs, median of ${REPEATS})`);
// Counts still move between repeats (JIT and GC timing, and how much each socket read finds
// buffered, depend on time): each repeat is shown, so a ratio can be judged against that spread.
const repeats = (which: string) => (perEvent[which] as number[]).map((c) => Math.round(c)).join(", ");
console.log(
  `plain (fetch + eventsource-parser + JSON.parse) ${Math.round(plainCost).toString().padStart(7)}  1.00× plain  (repeats: ${repeats("plain")})`,
);
console.log(
  `sdk events.subscribe                            ${Math.round(sdkCost).toString().padStart(7)}  ${(sdkCost / plainCost).toFixed(2)}× plain (goal <= 1.15; repeats: ${repeats("sdk")})`,
);
