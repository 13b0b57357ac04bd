/**
 * Event streams recorded from the real pinned opencode server (a text answer, a tool call, a
 * permission request), shipped with this package to replay in tests.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Recorded scenarios. */
export type RecordedScenario = "text" | "tool" | "permission";
/** Recorded routes: `/event`, `/global/event`, `/api/event`. */
export type RecordedRoute = "event" | "global" | "v2";

const ROUTE_PATHS: Record<RecordedRoute, string> = { event: "/event", global: "/global/event", v2: "/api/event" };

/**
 * Absolute path of the folder with the recorded `.sse` files and their `index.json`.
 *
 * @example
 * ```ts
 * const index = JSON.parse(readFileSync(join(FIXTURES_DIR, "index.json"), "utf8"));
 * ```
 */
export const FIXTURES_DIR: string = fileURLToPath(new URL("../fixtures/sse/", import.meta.url));

/**
 * The recorded SSE text of one scenario and route, as the server sent it.
 *
 * @example
 * ```ts
 * await using replay = await startSseReplay({ "/event": recordedStream("text") });
 * ```
 */
export function recordedStream(scenario: RecordedScenario, route: RecordedRoute = "event"): string {
  return readFileSync(new URL(`../fixtures/sse/${scenario}.${route}.sse`, import.meta.url), "utf8");
}

/**
 * All three routes of a scenario keyed by URL path, ready for {@link startSseReplay}.
 *
 * @example
 * ```ts
 * await using replay = await startSseReplay(recordedStreams("tool"));
 * ```
 */
export function recordedStreams(scenario: RecordedScenario): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [route, path] of Object.entries(ROUTE_PATHS)) out[path] = recordedStream(scenario, route as RecordedRoute);
  return out;
}
