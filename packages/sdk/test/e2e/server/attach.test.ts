/** attachServer against the real pinned server: the warning says what a version difference means. */
import { type Logger, SPEC_SERVER_VERSION } from "@ocsdk/sdk";
import { attachServer, type RunningServer, spawnServer } from "@ocsdk/sdk/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: RunningServer;
beforeAll(async () => {
  server = await spawnServer();
});
afterAll(async () => {
  await server?.close();
});

function capture(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, logger: { error() {}, warn: (m) => void warnings.push(m), info() {}, debug() {} } };
}

describe("attachServer version check", () => {
  it("a patch difference with the same operations says so", async () => {
    const [major, minor, patch] = SPEC_SERVER_VERSION.split(".").map(Number) as [number, number, number];
    const { logger, warnings } = capture();
    const expectedVersion = `${major}.${minor}.${patch + 1}`;
    const r = await attachServer({ baseUrl: server.url, password: server.password, logger, expectedVersion });
    expect(r.versionMatches).toBe(false);
    expect(r.versionDifference).toBe("patch");
    expect(r.specDifference).toEqual({ missing: [], added: [] });
    expect(warnings).toEqual([
      `server at ${server.url} is opencode ${SPEC_SERVER_VERSION}, this SDK was generated for ${expectedVersion}: a patch difference (usually the same routes and shapes) (older); its spec has the same operations`,
    ]);
  });

  it("a major difference is named, and the same version warns about nothing", async () => {
    const { logger, warnings } = capture();
    const r = await attachServer({ baseUrl: server.url, password: server.password, logger, expectedVersion: "0.1.0" });
    expect(r.versionDifference).toBe("major");
    expect(warnings[0]).toContain("a major difference");
    expect(warnings[0]).toContain("(newer)");
    const same = capture();
    const ok = await attachServer({ baseUrl: server.url, password: server.password, logger: same.logger });
    expect(ok.versionDifference).toBe("none");
    expect(ok.specDifference).toBeUndefined();
    expect(same.warnings).toEqual([]);
  });
});
