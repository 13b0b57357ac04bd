/** The full client against a loopback stub: `close()` (calls in flight, the event stream, the keep-alive sockets) and `call()` by operation id. */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { APIUserAbortError, createOpencodeClient, EventStream, OpencodeError, ValidationError } from "@ocsdk/sdk";
import { closeServer, listenLoopback, until } from "@ocsdk/test-kit";
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
    const events = EventStream.of(oc).subscribe();
    const first = await events.next();
    expect(first.done).toBe(false);
    const pending = oc.session.list().catch((e: unknown) => e);
    // The event stream holds a socket of its own (the platform fetch), the pending call another (node:http).
    await until(() => sockets.size >= 2, "the event stream and the pending call connected", 10_000);

    oc.close();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    await expect(oc.global.health()).rejects.toBeInstanceOf(APIUserAbortError);
    await until(() => sockets.size === 0, "every socket closed", 10_000);
  });
});

describe("call()", () => {
  it("runs an operation by its id like the member does, and rejects an unknown id typed before any request", async () => {
    const seen: string[] = [];
    const { url } = await stub((path, res) => {
      seen.push(path);
      res.writeHead(200, { "content-type": "application/json" }).end('{"healthy":true,"version":"1.18.33"}');
    });
    const oc = createOpencodeClient({ baseUrl: url, logLevel: "off" });
    try {
      expect(await oc.call("global.health")).toEqual({ healthy: true, version: "1.18.33" });
      expect(seen).toEqual(["/global/health"]);

      const unknown = oc.call("session.nope" as "global.health");
      await expect(unknown).rejects.toBeInstanceOf(ValidationError);
      await expect(unknown).rejects.toMatchObject({ operationId: "session.nope", param: "operationId" });
      await expect(unknown.withResponse()).rejects.toBeInstanceOf(OpencodeError);
      expect(seen).toEqual(["/global/health"]);
    } finally {
      oc.close();
    }
  });
});
