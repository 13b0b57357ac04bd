/**
 * Answers that are not the spec's, against loopback stubs (faults the real server cannot make): a
 * stream that is not SSE and JSON without a JSON media type are typed errors.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import { APIUserAbortError, createOpencodeClient, InvalidResponseError } from "@ocsdk/sdk";
import { closeServer, listenLoopback } from "@ocsdk/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { Runner } from "../../../src/core/request.ts";
import { fetchTransport } from "../../../src/core/transport.ts";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await closeServer(s);
});

async function stub(handler: (path: string, res: ServerResponse) => void) {
  const server = createServer((req, res) => handler(new URL(req.url ?? "/", "http://x").pathname, res));
  servers.push(server);
  return { url: await listenLoopback(server) };
}

describe("answers that are not the spec's", () => {
  it("a 2xx stream that is not text/event-stream is a typed error", async () => {
    const { url } = await stub((_p, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html></html>"));
    const oc = createOpencodeClient({ baseUrl: url, logLevel: "off" });
    const error = await oc.event.subscribe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toBe(
      "GET /event → 200: not an opencode API response: text/html; wrong baseUrl or server version?",
    );
    oc.close();
  });

  it("JSON without a JSON media type is refused; the declared text route gets text", async () => {
    const { url } = await stub((path, res) =>
      path === "/vcs/diff/raw"
        ? res.writeHead(200, { "content-type": "text/x-diff; charset=utf-8" }).end("diff --git a b")
        : res.writeHead(200, { "content-type": "text/plain" }).end("[]"),
    );
    const oc = createOpencodeClient({ baseUrl: url, logLevel: "off" });
    await expect(oc.session.list()).rejects.toThrow("GET /session → 200: not an opencode API response: text/plain");
    expect(await oc.vcs.diff.raw()).toBe("diff --git a b");
    oc.close();
  });
});

describe("Runner", () => {
  const runner = (fetch: typeof globalThis.fetch) =>
    new Runner({
      transport: fetchTransport(fetch),
      headers: { authorization: "Basic eDp5" },
      authHint: "set the password",
      timeoutMs: 0,
      maxRetries: 0,
      retry: {},
      secrets: new Set(["eDp5"]),
    });
  const input = {
    operationId: "session.list",
    method: "GET",
    url: "http://127.0.0.1:1/session",
    path: "/session",
    expect: "json" as const,
  };

  it("sends the default headers, parses a JSON answer, and refuses calls once closed", async () => {
    const seen: Headers[] = [];
    const r = runner(async (_url, init) => {
      seen.push(new Headers(init?.headers));
      return new Response("[1]", { headers: { "content-type": "application/json" } });
    });
    expect((await r.run(input)).data).toEqual([1]);
    expect(seen[0]?.get("authorization")).toBe("Basic eDp5");
    expect(seen[0]?.get("accept")).toBe("application/json");
    r.close(new Error("closed"));
    await expect(r.run(input)).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it("an answer that is not the spec's media type is an InvalidResponseError", async () => {
    const r = runner(async () => new Response("<html>", { headers: { "content-type": "text/html" } }));
    await expect(r.run(input)).rejects.toBeInstanceOf(InvalidResponseError);
  });
});
