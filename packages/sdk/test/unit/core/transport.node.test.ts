/**
 * The default transport against loopback servers: a long synchronous call is not cut by the
 * platform's header timeout, and a connection that was never established is told apart from one
 * that was (the basis of "a prompt is never sent twice").
 */
import { createServer, type Server } from "node:http";
import { APIConnectionError, createOpencodeClient } from "@ocsdk/sdk";
import { createNodeFetch } from "@ocsdk/sdk/node";
import { closedLoopbackUrl, closeServer, listenLoopback, until } from "@ocsdk/test-kit";
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { afterEach, describe, expect, it } from "vitest";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await closeServer(s);
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  return listenLoopback(server);
}

describe("platform header timeout", () => {
  it("a slow synchronous answer outlives the platform's (shortened) header timeout", async () => {
    const HEADER_DELAY_MS = 1_500;
    const url = await listen((_req, res) => {
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"id":"ses_1"}'), HEADER_DELAY_MS);
    });
    const previous = getGlobalDispatcher();
    // Node's fetch gives up after headersTimeout (300 s by default); shortened here to prove the point.
    setGlobalDispatcher(new Agent({ headersTimeout: 300 }));
    try {
      const plain = await fetch(`${url}/session/ses_1`).catch((e: unknown) => e);
      expect(plain).toBeInstanceOf(TypeError);
      expect(String((plain as Error).cause)).toMatch(/Headers Timeout/i);

      const oc = createOpencodeClient({ baseUrl: url, logLevel: "off", maxRetries: 0 });
      expect(await oc.session.get({ path: { sessionID: "ses_1" } })).toEqual({ id: "ses_1" });
    } finally {
      setGlobalDispatcher(previous);
    }
  });
});

describe("connection phases", () => {
  it("a refused connection is marked never-sent, and a prompt to it is retried", async () => {
    const url = await closedLoopbackUrl();
    const oc = createOpencodeClient({ baseUrl: url, logLevel: "off", retry: { sleep: async () => {} } });
    const e = (await oc.session
      .prompt_async({ path: { sessionID: "ses_1" }, body: { parts: [{ type: "text", text: "x" }] } })
      .catch((x: unknown) => x)) as APIConnectionError;
    expect(e).toBeInstanceOf(APIConnectionError);
    expect(e.neverSent).toBe(true);
    expect(e.attempts).toBe(3);
  });

  it("a reset after the request reached the server is not retried for a prompt", async () => {
    let received = 0;
    const url = await listen((req) => {
      received++;
      req.resume();
      req.on("end", () => req.socket.destroy());
    });
    const oc = createOpencodeClient({ baseUrl: url, logLevel: "off", retry: { sleep: async () => {} } });
    const e = (await oc.session
      .prompt_async({ path: { sessionID: "ses_1" }, body: { parts: [{ type: "text", text: "x" }] } })
      .catch((x: unknown) => x)) as APIConnectionError;
    expect(e).toBeInstanceOf(APIConnectionError);
    expect(e.neverSent).toBe(false);
    expect(received).toBe(1);
    // The same failure on a GET is retried.
    received = 0;
    await oc.session.list().catch(() => {});
    expect(received).toBe(3);
  });
});

describe("kept-alive sockets", () => {
  it("a GET on a kept-alive socket reset before any answer goes again, once, on a new connection; a POST does not", async () => {
    let requests = 0;
    const served = new WeakMap<object, number>();
    const url = await listen((req, res) => {
      requests++;
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      // A socket's second request meets a reset: the server is gone from behind the kept socket.
      if (n === 2) return req.socket.resetAndDestroy();
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    const oc = createOpencodeClient({ baseUrl: url, logLevel: "off", maxRetries: 0 });
    await oc.global.health();
    // On the kept socket: reset, then sent again on a connection of its own.
    expect(await oc.global.health()).toEqual({});
    expect(requests).toBe(3);
    // A new kept socket, then a POST on it: reset, and not sent twice.
    await oc.global.health();
    const e = await oc.session.create({ body: {} }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(APIConnectionError);
    expect(requests).toBe(5);
  });
});

describe("streamed bodies", () => {
  it("arrives whole and in order as plain Uint8Array views; a reader that stops holds the server back", async () => {
    const TOTAL = 64 * 1024 * 1024;
    const piece = Buffer.alloc(65_536);
    for (let i = 0; i < piece.length; i++) piece[i] = i % 251;
    let written = 0;
    let blockedAt = -1;
    let ended = false;
    const url = await listen((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const pump = () => {
        while (written < TOTAL) {
          written += piece.length;
          if (!res.write(piece)) {
            blockedAt = written;
            return void res.once("drain", () => {
              blockedAt = -1;
              pump();
            });
          }
        }
        res.end(() => (ended = true));
      };
      pump();
    });
    const res = await createNodeFetch()(`${url}/bytes`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    // The server stays blocked at the same byte count: nothing drains the socket behind our back.
    let seen = -2;
    await until(() => {
      const stable = blockedAt !== -1 && blockedAt === seen;
      seen = blockedAt;
      return stable;
    }, "the server to stay blocked");
    expect(written).toBeLessThan(TOTAL / 4);
    let got = first.value?.byteLength ?? 0;
    let ordered = true;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      expect(value).toBeInstanceOf(Uint8Array);
      expect(Buffer.isBuffer(value)).toBe(false); // `slice()` copies, as on any fetch body
      if (value[0] !== (got % 65_536) % 251) ordered = false;
      got += value.byteLength;
    }
    expect(got).toBe(TOTAL);
    expect(ordered).toBe(true);
    await until(() => ended, "the server to end");
  });

  it("hands the HTTP chunks of one socket read on as one read, bytes intact (opencode writes a chunk per event)", async () => {
    const CHUNKS = 1_000;
    const frames = Array.from({ length: CHUNKS }, (_, i) => `data: {"id":"evt_${i}"}\n\n`);
    const url = await listen((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      // One burst on the wire: every write its own chunk of the chunked encoding.
      res.socket?.cork();
      for (const f of frames) res.write(f);
      res.socket?.uncork();
      res.end();
    });
    const res = await createNodeFetch()(`${url}/event`);
    let reads = 0;
    let text = "";
    const decoder = new TextDecoder();
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      reads++;
      text += decoder.decode(r.value, { stream: true });
    }
    expect(text).toBe(frames.join(""));
    expect(reads).toBeLessThan(CHUNKS / 10);
  });

  it("cancel() closes the connection: the server sees the close", async () => {
    let closed = false;
    const url = await listen((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n");
      req.socket.once("close", () => (closed = true));
    });
    const res = await createNodeFetch()(`${url}/event`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: 1\n\n");
    await reader.cancel();
    await until(() => closed, "the server to see the close");
  });

  it("a connection reset mid-body errors the reader", async () => {
    const url = await listen((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n", () => setTimeout(() => req.socket.destroy(), 50));
    });
    const res = await createNodeFetch()(`${url}/event`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await expect(reader.read()).rejects.toThrow();
  });
});
