/**
 * The compatibility range, against real published servers: the oldest supported, the pin and the
 * newest column of the README's matrix each run every journey (prompts queued in one session
 * included), and each cell must say what the README says, so the README table is what `pnpm compat`
 * measures. A server outside the range: the first call to a route it lacks is the typed error naming
 * the version and the operation, and attachServer says once that the version is outside the range.
 * Binaries are downloaded once into the OS temp dir (`scripts/lib/server-binaries.ts`).
 */
import { readFileSync } from "node:fs";
import {
  describeServerVersion,
  type Logger,
  SUPPORTED_SERVERS,
  satisfiesServerRange,
  UnsupportedServerFeatureError,
} from "@ocsdk/sdk";
import { attachServer, spawnServer } from "@ocsdk/sdk/node";
import { describe, expect, it } from "vitest";
import { README } from "../compat.ts";
import { FEATURES, runJourneys } from "../lib/compat/journeys.ts";
import { cellText, parseMatrix } from "../lib/compat/matrix.ts";
import { pinnedServerVersion } from "../lib/paths.ts";
import { opencodeBinary } from "../lib/server-binaries.ts";
import { compareVersions } from "../lib/versions.ts";

const matrix = parseMatrix(readFileSync(README, "utf8"));
const supported = [...matrix.keys()].filter((v) => satisfiesServerRange(v, SUPPORTED_SERVERS)).sort(compareVersions);
const outside = [...matrix.keys()].filter((v) => !satisfiesServerRange(v, SUPPORTED_SERVERS)).sort(compareVersions);
// Three versions in CI: the oldest supported, the pin and the newest of the README's columns.
const ci = [...new Set([supported[0], pinnedServerVersion(), supported[supported.length - 1]])].filter(
  (v): v is string => v !== undefined,
);

describe("the README's matrix", () => {
  it("has every feature for every column, the pin and three supported versions among them, and no failing cell", () => {
    expect(ci).toHaveLength(3);
    expect(supported).toContain(pinnedServerVersion());
    expect(outside.length).toBeGreaterThan(0);
    for (const [version, cells] of matrix) {
      expect([...cells.keys()], version).toEqual([...FEATURES]);
      for (const [feature, cell] of cells) expect(cell, `${version} ${feature}`).not.toMatch(/^FAILS|^not run/);
    }
  });
});

describe.each(ci)("opencode %s", (version) => {
  it("every journey does what the README's matrix says, and what describeServerVersion tells", async () => {
    const results = await runJourneys(version, await opencodeBinary(version));
    const log = results.map((r) => `${r.feature}: ${cellText(r)}${r.detail ? ` (${r.detail})` : ""}`).join("\n");
    process.stderr.write(`opencode ${version}\n${log}\n`);
    const measured = Object.fromEntries(results.map((r) => [r.feature, cellText(r)]));
    expect(measured, log).toEqual(Object.fromEntries(matrix.get(version) ?? []));
    // Three prompts queued in one session settle, each with its own answer.
    expect(measured["queued prompts"]).toBe("works");
    const told = describeServerVersion(version).notes.map((n) => [n.feature, n.status]);
    expect(told).toEqual(results.filter((r) => r.status !== "works").map((r) => [r.feature, r.status]));
  }, 900_000);
});

describe("a server outside the range", () => {
  it("is told once, and the first call to a route it lacks is the typed error naming the version and the operation", async () => {
    const version = outside[0] as string;
    await using server = await spawnServer({ binary: await opencodeBinary(version) });
    const warnings: string[] = [];
    const logger: Logger = { error() {}, warn: (m) => void warnings.push(m), info() {}, debug() {} };
    const { client, support } = await attachServer({ baseUrl: server.url, password: server.password, logger });
    expect(support).toMatchObject({ version, inRange: false });
    const doc = (await (await client.rawRequest("/doc")).json()) as { paths: Record<string, unknown> };
    // An operation of this SDK the server does not serve.
    expect(doc.paths["/api/agent"], "the server serves the route this test calls").toBeUndefined();
    const started = performance.now();
    const error = await client.v2.agent.list().catch((e: unknown) => e);
    process.stderr.write(
      `opencode ${version}: v2.agent.list → ${(error as Error).name} in ${Math.round(performance.now() - started)} ms\n`,
    );
    expect(error).toBeInstanceOf(UnsupportedServerFeatureError);
    expect(error).toMatchObject({ serverVersion: version, inRange: false, feature: "v2.agent.list (GET /api/agent)" });
    expect((error as Error).message).toContain(`opencode ${version} does not serve v2.agent.list`);
    expect(warnings.filter((w) => w.includes("outside the range"))).toHaveLength(1);
    client.close();
  }, 300_000);
});
