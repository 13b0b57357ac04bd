/**
 * Honest answers and a clean close, against loopback stubs (faults the real server cannot make):
 * bad baseUrls and bodies are typed errors before the network, a stream that is not SSE is a typed
 * error, and `close()` releases calls in flight, the event stream and the keep-alive sockets.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { APIUserAbortError, createOpencodeClient, InvalidResponseError, OpencodeError, ValidationError } from "@ocsdk/sdk";
import { closeServer, listenLoopback } from "@ocsdk/test-kit";
import { afterEach, describe, expect, it } from "vitest";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await closeServer(s);
});

async function stub(handler: (path: string, res: ServerResponse) => void) {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => handler(new URL(req.url ?? "/", "http://x").pathname, res));
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  servers.push(server);
  return { url: await listenLoopback(server), sockets };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("construction and arguments", () => {
  it.each([
    ["http://127.0.0.1:4096/api?token=1", /query or fragment/],
    ["http://127.0.0.1:4096/#x", /query or fragment/],
    ["http://user:secret@127.0.0.1:4096", /pass the `password`/],
    ["ftp://127.0.0.1", /http\(s\) URL/],
    ["not a url", /http\(s\) URL/],
  ])("baseUrl %s is a typed error at construction", (baseUrl, reason) => {
    let error: unknown;
    try {
      createOpencodeClient({ baseUrl });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OpencodeError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain("secret");
  });

  it("a circular body is a typed error before the network", async () => {
    let calls = 0;
    const oc = createOpencodeClient({
      baseUrl: "http://127.0.0.1:1",
      fetch: (async () => {
        calls++;
        return new Response();
      }) as typeof fetch,
    });
    const body: Record<string, unknown> = { title: "loop" };
    body.self = body;
    const error = await oc.session.create({ body: body as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^session\.create: the request body cannot be sent as JSON/);
    expect(calls).toBe(0);
  });
});

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

describe("close()", () => {
  it("aborts calls in flight, refuses new ones, ends the event stream and closes the sockets", async () => {
    const { url, sockets } = await stub((path, res) => {
      if (path === "/global/health") return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
      if (path === "/event") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        return void res.write('data: {"id":"evt_1","type":"server.connected","properties":{}}\n\n');
      }
      // /session: never answers.
    });
    const oc = createOpencodeClient({ baseUrl: url, logLevel: "off" });
    await oc.global.health();
    const events = oc.events.subscribe();
    const first = await events.next();
    expect(first.done).toBe(false);
    const pending = oc.session.list().catch((e: unknown) => e);
    // The idle keep-alive socket of the health call carries the event stream; the pending call opens another.
    await until(() => sockets.size >= 2, "the event stream and the pending call connected");

    oc.close();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    await expect(oc.global.health()).rejects.toBeInstanceOf(APIUserAbortError);
    await until(() => sockets.size === 0, "every socket closed");
  });
});
