/**
 * The default transport on Node: node:http over keep-alive sockets of its own, which close() releases;
 * event streams over the platform fetch.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { closeServer, listenLoopback, until } from "@ocsdk/test-kit";
import { describe, expect, it } from "vitest";
import { defaultTransport, optionTransport, staleConnectionRetry } from "../../../src/core/default-transport.node.ts";
import { isMarkedNeverSent, type Transport, type WireRequest } from "../../../src/core/transport.ts";

const run = promisify(execFile);
const TSX = fileURLToPath(new URL("../../../../../node_modules/.bin/tsx", import.meta.url));
const SOURCE = fileURLToPath(new URL("../../../src/core/default-transport.node.ts", import.meta.url));

/**
 * An event stream, aborted; the server replaced by another on the same port once undici opened its
 * spare connection (seen on its diagnostics channel); then a new stream. Prints what it got and how
 * many requests the stopped server reset (1: the spare connection was tried first, the case at hand).
 */
const STALE_CONNECTION_PROGRAM = `
import { subscribe } from "node:diagnostics_channel";
import { defaultTransport } from ${JSON.stringify(SOURCE)};
import { createServer } from "node:net";

// An event-stream server that behaves as opencode (Bun) does towards connections it never read from:
// stopping it stops the listening only; a connection of the stopped server that sends a request later
// is reset, as the kernel resets a connection no process knows.
function lazyStreamServer(port) {
  const sockets = new Set();
  let stopped = false;
  let resets = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", () => {
      if (stopped) {
        resets++;
        return socket.resetAndDestroy();
      }
      socket.write("HTTP/1.1 200 OK\\r\\ncontent-type: text/event-stream\\r\\ntransfer-encoding: chunked\\r\\n\\r\\n");
      const frame = "data: {}\\n\\n";
      socket.write(frame.length.toString(16) + "\\r\\n" + frame + "\\r\\n");
    });
  });
  return {
    listen: () => new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server.address().port))),
    // Stops listening at once; close()'s callback would wait for every connection to end.
    stop: () => { stopped = true; server.close(); return new Promise((resolve) => setImmediate(resolve)); },
    destroy: () => { for (const s of sockets) s.destroy(); if (server.listening) server.close(); },
    get resets() { return resets; },
  };
}

const first = lazyStreamServer(0);
const port = await first.listen();
const second = lazyStreamServer(port);
let connected = 0;
subscribe("undici:client:connected", (m) => { if (m.socket?.remotePort === port) connected++; });
const t = defaultTransport();
const req = (signal) => ({ method: "GET", url: "http://127.0.0.1:" + port + "/event", headers: {}, body: undefined, signal });
const ac = new AbortController();
const stream = await t.send(req(ac.signal), "stream");
await stream.toResponse().body.getReader().read();
ac.abort();
for (let i = 0; connected < 2 && i < 1000; i++) await new Promise((r) => setTimeout(r, 10));
await first.stop();
await second.listen();
const again = await t.send(req(new AbortController().signal), "stream");
const read = await again.toResponse().body.getReader().read();
console.log(JSON.stringify({ status: again.status, frame: new TextDecoder().decode(read.value), resets: first.resets }));
t.close();
first.destroy();
second.destroy();
`;

const get = (url: string, signal = new AbortController().signal): WireRequest => ({
  method: "GET",
  url,
  headers: {},
  body: undefined,
  signal,
});

describe("defaultTransport (Node)", () => {
  it("reuses one kept-alive socket for calls in sequence, and close() releases it", async () => {
    const sockets = new Set<Socket>();
    let connections = 0;
    const server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    server.on("connection", (s: Socket) => {
      connections++;
      sockets.add(s);
      s.once("close", () => sockets.delete(s));
    });
    const url = await listenLoopback(server);
    try {
      const t = defaultTransport();
      const get = () =>
        t.send(
          { method: "GET", url: `${url}/global/health`, headers: {}, body: undefined, signal: new AbortController().signal },
          "buffer",
        );
      expect(await (await get()).text()).toBe("{}");
      expect(await (await get()).text()).toBe("{}");
      expect(connections).toBe(1);
      t.close?.();
      await until(() => sockets.size === 0, "the kept-alive socket to be released", 10_000);
    } finally {
      await closeServer(server);
    }
  });

  it("sends event streams through the global fetch (looked up per request), other requests over node:http; an abort closes the stream's connection", async () => {
    let closed = 0;
    const server = createServer((req, res) => {
      req.socket.once("close", () => closed++);
      if (req.url === "/event") res.writeHead(200, { "content-type": "text/event-stream" }).write("data: 1\n\n");
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    const url = await listenLoopback(server);
    const original = globalThis.fetch;
    const fetched: string[] = [];
    globalThis.fetch = (input, init) => {
      fetched.push(String(input));
      return original(input, init);
    };
    const t = defaultTransport();
    try {
      const ac = new AbortController();
      const stream = await t.send(
        { method: "GET", url: `${url}/event`, headers: {}, body: undefined, signal: ac.signal },
        "stream",
      );
      const reader = stream.toResponse().body?.getReader();
      expect(new TextDecoder().decode((await reader?.read())?.value)).toBe("data: 1\n\n");
      const signal = new AbortController().signal;
      expect(
        await (
          await t.send({ method: "GET", url: `${url}/global/health`, headers: {}, body: undefined, signal }, "buffer")
        ).text(),
      ).toBe("{}");
      expect(fetched).toEqual([`${url}/event`]);
      ac.abort();
      await until(() => closed > 0, "the aborted stream's connection to close", 10_000);
    } finally {
      globalThis.fetch = original;
      t.close?.();
      await closeServer(server);
    }
  });

  it("a stream after the server at its address was replaced is not failed by a connection the platform fetch kept from before", async () => {
    // In a process of its own: the platform fetch's pool is process-wide, and this test needs it fresh.
    const dir = await mkdtemp(join(tmpdir(), "ocsdk-stale-"));
    try {
      const file = join(dir, "program.mts");
      await writeFile(file, STALE_CONNECTION_PROGRAM);
      const { stdout } = await run(TSX, [file], { timeout: 60_000 });
      expect(JSON.parse(stdout)).toEqual({ status: 200, frame: "data: {}\n\n", resets: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("marks a refused connection of the caller's fetch (undici) as never sent, so a POST may be retried", async () => {
    // A port nothing listens on: a server's, closed again.
    const server = createServer();
    const url = await listenLoopback(server);
    await closeServer(server);
    const t = optionTransport(fetch);
    const signal = new AbortController().signal;
    const error = await t
      .send({ method: "POST", url: `${url}/session`, headers: {}, body: "{}", signal }, "buffer")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(isMarkedNeverSent(error)).toBe(true);
  });
});

describe("staleConnectionRetry", () => {
  const reset = () =>
    new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });
  const answer = { status: 200 } as unknown as Awaited<ReturnType<Transport["send"]>>;
  const transports = (error: unknown) => {
    const calls = { pooled: 0, fresh: 0 };
    const t = staleConnectionRetry(
      {
        send: async () => {
          calls.pooled++;
          throw error;
        },
      },
      {
        send: async () => {
          calls.fresh++;
          return answer;
        },
      },
    );
    return { t, calls };
  };

  it("sends an idempotent request that met a reset before any answer once more, on the fresh transport", async () => {
    const { t, calls } = transports(reset());
    expect(await t.send(get("http://127.0.0.1:1/event"), "stream")).toBe(answer);
    expect(calls).toEqual({ pooled: 1, fresh: 1 });
  });

  it("never for a POST, an aborted request, or another error", async () => {
    const post = transports(reset());
    const postReq = { ...get("http://127.0.0.1:1/session"), method: "POST" };
    await expect(post.t.send(postReq, "stream")).rejects.toThrow(TypeError);
    expect(post.calls).toEqual({ pooled: 1, fresh: 0 });

    const aborted = transports(reset());
    const ac = new AbortController();
    ac.abort();
    await expect(aborted.t.send(get("http://127.0.0.1:1/event", ac.signal), "stream")).rejects.toThrow(TypeError);
    expect(aborted.calls.fresh).toBe(0);

    const refused = transports(new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) }));
    await expect(refused.t.send(get("http://127.0.0.1:1/event"), "stream")).rejects.toThrow(TypeError);
    expect(refused.calls.fresh).toBe(0);
  });
});
