/** The full client's `close()`, against a loopback stub: calls in flight, the event stream and the keep-alive sockets. */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { APIUserAbortError, createOpencodeClient, EventStream } from "@ocsdk/sdk";
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
    const events = new EventStream(oc).subscribe();
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
