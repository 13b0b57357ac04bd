/**
 * pnpm bench:instructions: the event stream's cost per event in machine instructions (valgrind's
 * count, every thread of the consumer process included), against the plain consumer in the same run.
 * Counts do not depend on what else the machine runs, unlike CPU time on a shared 2-core VM.
 *
 * Each consumer runs in its own process under `valgrind --tool=cachegrind` at two event counts; the
 * difference divided by the extra events is the marginal cost per event (start-up, JIT warm-up and
 * the server start cancel out). Then the same pair over the same frames read from memory (no
 * transport, no server, no timing-dependent chunking): equal counts with unequal CPU time put the
 * gap outside the instructions run. Bounded: 2 sizes × 2 repeats × 6 consumers, several minutes.
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
function compare(title: string, plain: string, sdks: [which: string, label: string][], goal: string): void {
  const all = [plain, ...sdks.map(([which]) => which)];
  const perEvent: Record<string, number[]> = Object.fromEntries(all.map((w) => [w, []]));
  for (let i = 0; i < REPEATS; i++) {
    for (const which of all) {
      const small = instructions(which, SMALL);
      const large = instructions(which, LARGE);
      perEvent[which]?.push((large - small) / (RUNS * (LARGE - SMALL)));
    }
  }
  const plainCost = median(perEvent[plain] as number[]);
  const repeats = (which: string) => (perEvent[which] as number[]).map((c) => Math.round(c)).join(", ");
  console.log(`${title}: instructions per event (marginal, ${SMALL}→${LARGE} events × ${RUNS} runs, median of ${REPEATS})`);
  console.log(
    `plain (eventsource-parser + JSON.parse) ${Math.round(plainCost).toString().padStart(7)}  1.00× plain  (repeats: ${repeats(plain)})`,
  );
  for (const [which, label] of sdks) {
    const cost = median(perEvent[which] as number[]);
    console.log(
      `${label.padEnd(39)} ${Math.round(cost).toString().padStart(7)}  ${(cost / plainCost).toFixed(2)}× plain (${goal}repeats: ${repeats(which)})`,
    );
  }
}
const SDKS: [string, string][] = [
  ["listen", "sdk events.listen"],
  ["sdk", "sdk events.subscribe (for await)"],
];
compare("network path (fetch / the default transport)", "plain", SDKS, "goal <= 1.15; ");
compare(
  "the event path alone (frames from memory)",
  "memory-plain",
  SDKS.map(([which, label]) => [`memory-${which}`, label]),
  "",
);
