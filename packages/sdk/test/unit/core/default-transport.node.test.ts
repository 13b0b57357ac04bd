/**
 * The default transport on Node: node:http over keep-alive sockets of its own, which close() releases;
 * event streams over the platform fetch.
 */
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { closeServer, listenLoopback, until } from "@ocsdk/test-kit";
import { describe, expect, it } from "vitest";
import { defaultTransport, optionTransport } from "../../../src/core/default-transport.node.ts";
import { isMarkedNeverSent } from "../../../src/core/transport.ts";

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
