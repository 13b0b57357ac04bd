/**
 * The wrapper against the real pinned server: spawn → health → session CRUD → close, auth errors,
 * attach mode's version check, and nothing left running afterwards.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  APIConnectionError,
  AuthenticationError,
  createOpencodeClient,
  type Logger,
  Metrics,
  NotFoundError,
  SPEC_SERVER_VERSION,
} from "@ocsdk/sdk";
import { attachServer, type RunningServer, spawnServer } from "@ocsdk/sdk/node";
import { listOpencodeProcesses } from "@ocsdk/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MARKER = `ocsdk-core-e2e-${randomUUID()}`;
let server: RunningServer;

beforeAll(async () => {
  server = await spawnServer({ env: { OCSDK_TEST_MARKER: MARKER } });
});
afterAll(async () => {
  await server?.close();
});

describe("real server", () => {
  it("listens on a free ephemeral port of its own, not on opencode's default 4096", () => {
    const port = Number(new URL(server.url).port);
    expect(port).not.toBe(4096);
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    expect(port).toBeGreaterThanOrEqual(low as number);
    expect(port).toBeLessThanOrEqual(high as number);
  });

  it("health → session create/list/get/update/delete", async () => {
    const oc = createOpencodeClient({ baseUrl: server.url, password: server.password, logLevel: "off" });
    const health = await oc.global.health();
    expect(health).toMatchObject({ healthy: true, version: SPEC_SERVER_VERSION });

    const created = await oc.session.create({ body: { title: "e2e core" } });
    expect(created.id).toMatch(/^ses/);
    expect(created.title).toBe("e2e core");
    const listed = await oc.session.list();
    expect(listed.map((s) => s.id)).toContain(created.id);
    const got = await oc.session.get({ path: { sessionID: created.id } });
    expect(got.id).toBe(created.id);
    const updated = await oc.session.update({ path: { sessionID: created.id }, body: { title: "renamed" } });
    expect(updated.title).toBe("renamed");
    expect((await oc.session.get({ path: { sessionID: created.id } })).title).toBe("renamed");
    expect(await oc.session.delete({ path: { sessionID: created.id } })).toBe(true);
    const gone = await oc.session.get({ path: { sessionID: created.id } }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
    expect((gone as NotFoundError).message).toContain(`GET /session/${created.id} → 404`);
  });

  it("a wrong password is the 401 error class, with no retry", async () => {
    const metrics = new Metrics();
    const oc = createOpencodeClient({ baseUrl: server.url, password: "wrong", metrics });
    const e = (await oc.session.list().catch((x: unknown) => x)) as AuthenticationError;
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.status).toBe(401);
    expect(e.attempts).toBe(1);
    expect(metrics.snapshot().attempts).toBe(1);
  });

  it("attach mode checks the server version and warns only on a mismatch", async () => {
    const warnings: string[] = [];
    const logger: Logger = { error() {}, warn: (m) => void warnings.push(m), info() {}, debug() {} };
    const same = await attachServer({ baseUrl: server.url, password: server.password, logger });
    expect(same.version).toBe(SPEC_SERVER_VERSION);
    expect(same.versionMatches).toBe(true);
    expect(warnings).toEqual([]);
    const other = await attachServer({ baseUrl: server.url, password: server.password, logger, expectedVersion: "0.0.1" });
    expect(other.versionMatches).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`opencode ${SPEC_SERVER_VERSION}`);
    expect(warnings[0]).toContain("0.0.1");
  });
});

describe("close", () => {
  it("ends the process tree: nothing listening, no process left", async () => {
    const own = await spawnServer({ env: { OCSDK_TEST_MARKER: MARKER } });
    expect(await listOpencodeProcesses(MARKER)).toContain(own.pid);
    await own.close();
    const oc = createOpencodeClient({ baseUrl: own.url, password: own.password, logLevel: "off", maxRetries: 0 });
    const e = (await oc.global.health().catch((x: unknown) => x)) as APIConnectionError;
    expect(e).toBeInstanceOf(APIConnectionError);
    expect(e.neverSent).toBe(true);
    expect(await listOpencodeProcesses(MARKER)).not.toContain(own.pid);
  });

  it("await using closes the server", async () => {
    let pid = 0;
    {
      await using s = await spawnServer({ env: { OCSDK_TEST_MARKER: MARKER } });
      pid = s.pid;
      expect(await listOpencodeProcesses(MARKER)).toContain(pid);
    }
    expect(await listOpencodeProcesses(MARKER)).not.toContain(pid);
  });
});
