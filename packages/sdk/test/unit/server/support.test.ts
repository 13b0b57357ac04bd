/**
 * Server support: the range check, what a version is told, one health read per client with one
 * warning outside the range, and a route the server lacks (its web page) as a typed error naming the
 * version and the operation. Against loopback stubs; the real servers are in scripts/test/compat.test.ts.
 */
import { createServer, type Server } from "node:http";
import {
  createOpencodeClient,
  describeServerVersion,
  InvalidResponseError,
  type Logger,
  SUPPORTED_SERVERS,
  satisfiesServerRange,
  UnsupportedServerFeatureError,
} from "@ocsdk/sdk";
import { attachServer } from "@ocsdk/sdk/node";
import { closeServer, listenLoopback } from "@ocsdk/testing";
import { afterEach, describe, expect, it } from "vitest";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

/** A server of `version`: health answers, every other route is its web page (as opencode's). */
async function stubServer(version: string): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url?.split("?")[0]}`);
    if (req.url?.startsWith("/global/health")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ healthy: true, version }));
    } else if (req.url?.startsWith("/doc")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ paths: {} }));
    } else {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>opencode</title>");
    }
  });
  servers.push(server);
  return { url: await listenLoopback(server), requests };
}

function capture(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, logger: { error() {}, warn: (m) => void warnings.push(m), info() {}, debug() {} } };
}

describe("satisfiesServerRange", () => {
  it("holds every comparator of an alternative, and any alternative", () => {
    expect(satisfiesServerRange("1.17.0", ">=1.17.0 <1.20.0")).toBe(true);
    expect(satisfiesServerRange("1.19.99", ">=1.17.0 <1.20.0")).toBe(true);
    expect(satisfiesServerRange("1.20.0", ">=1.17.0 <1.20.0")).toBe(false);
    expect(satisfiesServerRange("1.16.9", ">=1.17.0 <1.20.0")).toBe(false);
    expect(satisfiesServerRange("v1.18.33", "=1.18.33")).toBe(true);
    expect(satisfiesServerRange("1.18.33", "1.18.33")).toBe(true);
    expect(satisfiesServerRange("1.15.13", "<1.16.0 || >=2.0.0")).toBe(true);
    expect(satisfiesServerRange("1.18.0", "<=1.17.19 || >1.18.0")).toBe(false);
    expect(satisfiesServerRange("local", ">=0.0.0")).toBe(false);
    expect(satisfiesServerRange("1.18.0", ">=one")).toBe(false);
  });
});

describe("describeServerVersion", () => {
  it("the pin's line is supported with nothing degraded", () => {
    const support = describeServerVersion("1.18.33");
    expect(support).toMatchObject({ version: "1.18.33", inRange: true, supportedRange: SUPPORTED_SERVERS, notes: [] });
    expect(support.summary).toBe(`opencode 1.18.33 is supported (${SUPPORTED_SERVERS})`);
  });

  it("the oldest supported says what degrades; a version outside says so and what is missing", () => {
    const oldest = describeServerVersion("1.17.0");
    expect(oldest.inRange).toBe(true);
    expect(oldest.notes.map((n) => [n.feature, n.status])).toEqual([["v2 API", "degrades"]]);
    expect(oldest.summary).toContain("v2 API degrades");
    const old = describeServerVersion("1.15.13");
    expect(old.inRange).toBe(false);
    expect(old.notes.map((n) => [n.feature, n.status])).toEqual([["v2 API", "degrades"]]);
    expect(old.summary).toContain(`outside the range this SDK supports (${SUPPORTED_SERVERS})`);
    expect(describeServerVersion("2.0.0")).toMatchObject({ inRange: false, notes: [] });
  });
});

describe("client.serverSupport", () => {
  it("reads the version once per client and warns once outside the range", async () => {
    const stub = await stubServer("1.15.13");
    const { logger, warnings } = capture();
    const oc = createOpencodeClient({ baseUrl: stub.url, logger, maxRetries: 0 });
    const [a, b] = await Promise.all([oc.serverSupport(), oc.serverSupport()]);
    expect(await oc.serverSupport()).toBe(a);
    expect(b).toBe(a);
    expect(a).toMatchObject({ version: "1.15.13", inRange: false });
    expect(stub.requests.filter((r) => r === "GET /global/health")).toHaveLength(1);
    expect(warnings).toEqual([`server at ${stub.url}: ${a.summary}`]);
  });

  it("a supported version warns about nothing", async () => {
    const stub = await stubServer("1.18.33");
    const { logger, warnings } = capture();
    const oc = createOpencodeClient({ baseUrl: stub.url, logger });
    expect((await oc.serverSupport()).inRange).toBe(true);
    expect(warnings).toEqual([]);
  });
});

describe("a route the server lacks", () => {
  it("is an UnsupportedServerFeatureError naming the version and the operation, after one request and one health read", async () => {
    const stub = await stubServer("1.15.13");
    const oc = createOpencodeClient({ baseUrl: stub.url, logLevel: "off" });
    const error = await oc.v2.health.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedServerFeatureError);
    expect(error).toBeInstanceOf(InvalidResponseError); // what callers caught before
    expect(error).toMatchObject({
      serverVersion: "1.15.13",
      inRange: false,
      status: 200,
      contentType: "text/html",
      feature: "v2.health.get (GET /api/health)",
    });
    expect((error as Error).message).toBe(
      `GET /api/health → 200: opencode 1.15.13 does not serve v2.health.get (GET /api/health) (it answered with its web page); 1.15.13 is outside the range this SDK supports (${SUPPORTED_SERVERS})`,
    );
    // Not retried, not waited for: the call and the one health read.
    expect(stub.requests).toEqual(["GET /api/health", "GET /global/health"]);
    // withResponse() gets the same error.
    const raw = await oc.v2.health
      .get()
      .withResponse()
      .catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(UnsupportedServerFeatureError);
  });

  it("keeps the original error when the version cannot be read", async () => {
    const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html></html>"));
    servers.push(server);
    const oc = createOpencodeClient({ baseUrl: await listenLoopback(server), logLevel: "off", maxRetries: 0 });
    const error = await oc.session.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).not.toBeInstanceOf(UnsupportedServerFeatureError);
  });
});

describe("attachServer", () => {
  it("reports support and warns once, in one message, outside the range", async () => {
    const stub = await stubServer("1.15.13");
    const { logger, warnings } = capture();
    const attached = await attachServer({ baseUrl: stub.url, logger });
    expect(attached.support).toMatchObject({ version: "1.15.13", inRange: false });
    await attached.client.serverSupport();
    await attached.client.v2.health.get().catch(() => {});
    // The failed call is logged as any failed call; the range is told once.
    const told = warnings.filter((w) => w.includes("outside the range"));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(attached.support.summary);
    expect(stub.requests.filter((r) => r === "GET /global/health")).toHaveLength(1);
  });
});
