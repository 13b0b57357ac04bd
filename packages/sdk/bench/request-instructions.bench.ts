/**
 * pnpm bench:request-instructions: per-request cost in machine instructions (valgrind's count,
 * every thread of the client process; the stub is a child process and not counted), next to raw
 * fetch in the same run. Counts do not depend on what else the machine runs, unlike the CPU time of
 * request.bench.ts on a shared 2-core VM, whose A/A spread is ±15 % per round there.
 *
 * Each variant (see request-client.ts) runs in its own process under `valgrind --tool=cachegrind`
 * at two request counts; the difference divided by the extra requests is the marginal cost per
 * request (start-up, JIT warm-up and the stub's start cancel out). `fetch-signal` is raw fetch with
 * what a client's timeout and close need (an AbortSignal and a timer per request): the floor of any
 * client that can time out or abort on top of fetch. Bounded: 5 variants × 2 sizes × REPEATS runs (~15 min).
 */
import { fileURLToPath } from "node:url";
import { countInstructions, hasValgrind } from "./instructions.js";

const CLIENT = fileURLToPath(new URL("./request-client.ts", import.meta.url));
const SMALL = Number(process.env.BENCH_SMALL ?? 200);
const LARGE = Number(process.env.BENCH_LARGE ?? 1_200);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 1);
const ALL = ["fetch", "fetch-signal", "fetch-reused-signal", "sdk-fetch", "sdk"] as const;
const LABELS: Record<(typeof ALL)[number], string> = {
  fetch: "raw fetch",
  "fetch-signal": "raw fetch + AbortSignal + timer",
  "fetch-reused-signal": "raw fetch + a signal reused 16x + timer",
  "sdk-fetch": "sdk over global fetch",
  sdk: "sdk oc.global.health() (default transport)",
};

// `BENCH_VARIANTS=fetch,sdk-fetch` runs a subset (raw fetch always: the ratios' baseline).
const VARIANTS = ALL.filter(
  (v) => v === "fetch" || !process.env.BENCH_VARIANTS || process.env.BENCH_VARIANTS.split(",").includes(v),
);

if (!hasValgrind()) process.exit(0);

const instructions = (which: string, requests: number) => countInstructions(CLIENT, [which, String(requests)]);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const perRequest = new Map<string, number[]>(VARIANTS.map((v): [string, number[]] => [v, []]));
for (let i = 0; i < REPEATS; i++) {
  for (const v of VARIANTS) perRequest.get(v)?.push((instructions(v, LARGE) - instructions(v, SMALL)) / (LARGE - SMALL));
}
const cost = (v: string) => median(perRequest.get(v) ?? []);
console.log(`instructions per request (marginal, ${SMALL}→${LARGE} requests, median of ${REPEATS})`);
for (const v of VARIANTS) {
  console.log(
    `${LABELS[v].padEnd(44)} ${Math.round(cost(v)).toString().padStart(9)}  ${(cost(v) / cost("fetch")).toFixed(3)}x raw fetch` +
      (perRequest.get("fetch-signal")?.length ? `  ${(cost(v) / cost("fetch-signal")).toFixed(3)}x fetch + signal` : ""),
  );
}
