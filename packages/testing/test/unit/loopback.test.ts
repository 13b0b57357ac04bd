/** The loopback helpers every server of the repo listens and closes through. */
import { createServer, request } from "node:http";
import { describe, expect, it } from "vitest";
import { closedLoopbackUrl, closeServer, listenLoopback, readBody } from "../../src/loopback.ts";

describe("listenLoopback and closeServer", () => {
  it("serves on 127.0.0.1 at a port the OS picked, and closes with a stream still open", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: held open\n\n");
    });
    const url = await listenLoopback(server);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(url).port)).toBeGreaterThan(0);
    const res = await fetch(url);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: held open\n\n");
    // server.close() alone would wait for the stream to end; closeServer ends it.
    await closeServer(server);
    expect(server.listening).toBe(false);
    await expect(reader.read()).rejects.toThrow();
  });

  it("closing a server that is not listening (never started, or closed twice) resolves", async () => {
    await closeServer(createServer());
    const server = createServer();
    await listenLoopback(server);
    await closeServer(server);
    await closeServer(server);
    expect(server.listening).toBe(false);
  });
});

describe("closedLoopbackUrl", () => {
  it("is a loopback URL whose connection is refused", async () => {
    const url = await closedLoopbackUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const error = await fetch(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe("ECONNREFUSED");
  });
});

describe("readBody", () => {
  it("reads a body sent in several chunks to the end", async () => {
    let received: Buffer | undefined;
    const server = createServer(async (req, res) => {
      received = await readBody(req);
      res.end();
    });
    const url = new URL(await listenLoopback(server));
    try {
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, method: "POST" }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
        req.write("first,");
        setTimeout(() => req.end("second"), 20);
      });
      expect(received?.toString("utf8")).toBe("first,second");
    } finally {
      await closeServer(server);
    }
  });
});
