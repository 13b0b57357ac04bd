/**
 * The default transport against loopback servers: a long synchronous call is not cut by the
 * platform's header timeout, and a connection that was never established is told apart from one
 * that was (the basis of "a prompt is never sent twice").
 */
import { createServer, type Server } from "node:http";
import { APIConnectionError, createOpencodeClient } from "@ocsdk/sdk";
import { closedLoopbackUrl, closeServer, listenLoopback } from "@ocsdk/test-kit";
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
