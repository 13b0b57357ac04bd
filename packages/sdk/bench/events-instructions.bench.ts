/**
 * pnpm bench:instructions: the event stream's cost per event in machine instructions (valgrind's
 * count, every thread of the consumer process included), against the plain consumer in the same run.
 * Counts do not depend on what else the machine runs, unlike CPU time on a shared 2-core VM.
 *
 * Each consumer runs in its own process under `valgrind --tool=cachegrind` at two event counts; the
 * difference divided by the extra events is the marginal cost per event (start-up, JIT warm-up and
 * the server start cancel out). Then the same pair over the same frames read from memory (no
 * transport, no server, no timing-dependent chunking): equal counts with unequal CPU time put the
 * gap outside the instructions run. Bounded: 2 sizes × 2 repeats × 4 consumers, several minutes.
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
// Counts still move between repeats (JIT and GC timing, and how much each socket read finds
// buffered, depend on time): each repeat is shown, so a ratio can be judged against that spread.
function compare(title: string, plain: string, sdk: string, goal: string): void {
  const perEvent: Record<string, number[]> = { [plain]: [], [sdk]: [] };
  for (let i = 0; i < REPEATS; i++) {
    for (const which of [plain, sdk]) {
      const small = instructions(which, SMALL);
      const large = instructions(which, LARGE);
      perEvent[which]?.push((large - small) / (RUNS * (LARGE - SMALL)));
    }
  }
  const plainCost = median(perEvent[plain] as number[]);
  const sdkCost = median(perEvent[sdk] as number[]);
  const repeats = (which: string) => (perEvent[which] as number[]).map((c) => Math.round(c)).join(", ");
  console.log(`${title}: instructions per event (marginal, ${SMALL}→${LARGE} events × ${RUNS} runs, median of ${REPEATS})`);
  console.log(
    `plain (eventsource-parser + JSON.parse) ${Math.round(plainCost).toString().padStart(7)}  1.00× plain  (repeats: ${repeats(plain)})`,
  );
  console.log(
    `sdk events.subscribe                    ${Math.round(sdkCost).toString().padStart(7)}  ${(sdkCost / plainCost).toFixed(2)}× plain (${goal}repeats: ${repeats(sdk)})`,
  );
}
compare("network path (fetch / the default transport)", "plain", "sdk", "goal <= 1.15; ");
compare("the event path alone (frames from memory)", "memory-plain", "memory-sdk", "");
