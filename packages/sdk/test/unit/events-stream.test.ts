/**
 * The shared event stream against a loopback SSE server this test controls: reconnects, fatal
 * statuses, watchdog, dedup, overflow, freeing the socket, state callbacks; and the SSE parser.
 */
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  AuthenticationError,
  applyPermissionPolicy,
  type ConnectionState,
  createOpencodeClient,
  EventBufferOverflowError,
  EventStream,
  EventStreamClosedError,
  parseSse,
  type StreamEvent,
} from "@ocsdk/sdk";
import { afterEach, describe, expect, it } from "vitest";

interface Conn {
  res: ServerResponse;
  closed: boolean;
}

/** An SSE server: each connection is handed to `onConnect`; `conns` tracks them. */
async function sseServer(onConnect: (c: Conn, n: number) => void | Promise<void>, status = 200) {
  const conns: Conn[] = [];
  const server = createServer((req, res) => {
    if (status !== 200) return void res.writeHead(status, { "content-type": "application/json" }).end('{"message":"no"}');
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.flushHeaders();
    const c: Conn = { res, closed: false };
    req.socket.on("close", () => {
      c.closed = true;
    });
    conns.push(c);
    void onConnect(c, conns.length);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { url, conns };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const send = (c: Conn, event: Record<string, unknown>): void => {
  c.res.write(`data: ${JSON.stringify(event)}\n\n`);
};
const ev = (id: string, type = "session.idle", sessionID = "ses_1") => ({ id, type, properties: { sessionID } });
const waitFor = async (cond: () => boolean, ms = 3_000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

function stream(url: string, options: ConstructorParameters<typeof EventStream>[1] = {}) {
  const oc = createOpencodeClient({ baseUrl: url, logLevel: "off" });
  return new EventStream(oc, { initialDelayMs: 10, maxDelayMs: 40, random: () => 0, ...options });
}

async function take(it: AsyncIterator<StreamEvent>, n: number): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe("EventStream", () => {
  it("shares one connection between subscribers and filters by session and type", async () => {
    const srv = await sseServer((c) => {
      send(c, ev("evt_1", "session.idle", "ses_a"));
      send(c, ev("evt_2", "session.idle", "ses_b"));
      send(c, ev("evt_3", "session.status", "ses_a"));
    });
    const s = stream(srv.url);
    const a = s.subscribe({ sessionID: "ses_a" });
    const b = s.subscribe({ types: ["session.idle"] });
    expect((await take(a, 2)).map((e) => e.id)).toEqual(["evt_1", "evt_3"]);
    expect((await take(b, 2)).map((e) => e.id)).toEqual(["evt_1", "evt_2"]);
    expect(srv.conns).toHaveLength(1);
    await s.close();
  });

  it("passes unknown event types through", async () => {
    const srv = await sseServer((c) => send(c, { id: "evt_x", type: "brand.new", properties: { x: 1 } }));
    const s = stream(srv.url);
    const [e] = await take(s.subscribe(), 1);
    expect(e).toEqual({ id: "evt_x", type: "brand.new", properties: { x: 1 } });
    await s.close();
  });

  it("break frees the socket at once when it was the last subscriber", async () => {
    const srv = await sseServer((c) => send(c, ev("evt_1")));
    const s = stream(srv.url);
    for await (const _ of s.subscribe()) break;
    await waitFor(() => srv.conns[0]?.closed === true);
    expect(s.subscriberCount).toBe(0);
    await waitFor(() => s.state.state === "closed");
  });

  it("abort ends the iteration without an error and frees the socket", async () => {
    const srv = await sseServer(() => {});
    const s = stream(srv.url);
    const ac = new AbortController();
    const it = s.subscribe({ signal: ac.signal });
    const pending = it.next();
    await waitFor(() => srv.conns.length === 1);
    ac.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
    await waitFor(() => srv.conns[0]?.closed === true);
  });

  it("reconnects after the server drops, with state callbacks in order, and dedups by id", async () => {
    const srv = await sseServer((c, n) => {
      send(c, ev(`evt_${n}`));
      send(c, ev("evt_dup"));
      if (n === 1) c.res.end(); // clean close: must reconnect
      if (n === 2) setTimeout(() => c.res.socket?.destroy(), 30); // reset: must reconnect
    });
    const states: ConnectionState[] = [];
    const s = stream(srv.url);
    s.onState((st) => states.push(st));
    const events = await take(s.subscribe(), 4);
    expect(events.map((e) => e.id)).toEqual(["evt_1", "evt_dup", "evt_2", "evt_3"]);
    expect(srv.conns.length).toBe(3);
    const names = states.map((st) => st.state);
    expect(names.slice(0, 5)).toEqual(["connecting", "open", "reconnecting", "connecting", "open"]);
    const re = states.find((st) => st.state === "reconnecting") as Extract<ConnectionState, { state: "reconnecting" }>;
    // A healthy connection resets the attempts: every reconnect waits the first delay again.
    expect(states.filter((st) => st.state === "reconnecting").map((st) => (st as typeof re).delayMs)).toEqual([10, 10]);
    await s.close();
  });

  it("backs off exponentially (capped) while connections keep failing, and can give up", async () => {
    let n = 0;
    const srv = await sseServer((c) => {
      n++;
      c.res.socket?.destroy();
    });
    const delays: number[] = [];
    const s = stream(srv.url, { maxAttempts: 4, sleep: async (ms) => void delays.push(ms) });
    const error = await take(s.subscribe(), 1).catch((e: unknown) => e);
    expect((error as Error).name).toBe("EventStreamClosedError");
    expect(delays).toEqual([10, 20, 40, 40]);
    expect(n).toBe(5);
  });

  it("gives up after giveUpAfterMs without a healthy connection, the last error as cause", async () => {
    let n = 0;
    const srv = await sseServer((c) => {
      n++;
      c.res.socket?.destroy();
    });
    let clock = 0;
    const delays: number[] = [];
    const sleep = async (ms: number) => {
      delays.push(ms);
      clock += ms;
    };
    const s = stream(srv.url, { giveUpAfterMs: 100, sleep, now: () => clock });
    const error = await take(s.subscribe(), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStreamClosedError);
    expect((error as Error).message).toMatch(/70 ms without a healthy connection/);
    expect((error as Error).cause).toBeInstanceOf(Error);
    // 10 + 20 + 40 ms waited; the next 40 ms would pass 100.
    expect(delays).toEqual([10, 20, 40]);
    expect(n).toBe(4);
    expect(s.state).toMatchObject({ state: "closed", error });
  });

  it("a healthy connection restarts the give-up clock", async () => {
    const srv = await sseServer((c, n) => {
      if (n === 3) {
        send(c, ev("evt_healthy"));
        c.res.end(); // a clean close after an event: reconnect, from a healthy connection
      } else if (n !== 6) c.res.socket?.destroy();
    });
    let clock = 0;
    const s = stream(srv.url, {
      giveUpAfterMs: 100,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const events = s.subscribe();
    // Connections 1–2 fail (30 ms down), 3 is healthy, 4–5 fail (30 ms down again): never 100 in a row.
    expect((await take(events, 1)).map((e) => e.id)).toEqual(["evt_healthy"]);
    await waitFor(() => srv.conns.length === 6);
    expect(s.state.state).not.toBe("closed");
    await s.close();
  });

  it("401 is fatal: subscribers get the typed error, no reconnect", async () => {
    const srv = await sseServer(() => {}, 401);
    const s = stream(srv.url);
    const error = await take(s.subscribe(), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(s.state).toMatchObject({ state: "closed" });
  });

  it("the watchdog reconnects when nothing arrives in time", async () => {
    const srv = await sseServer((c, n) => {
      if (n === 2) send(c, ev("evt_after_watchdog"));
    });
    const s = stream(srv.url, { watchdogMs: 100 });
    const states: string[] = [];
    s.onState((st) => states.push(st.state === "reconnecting" ? `reconnecting:${(st.cause as Error).name}` : st.state));
    const [e] = await take(s.subscribe(), 1);
    expect(e?.id).toBe("evt_after_watchdog");
    expect(states).toContain("reconnecting:WatchdogTimeout");
    expect(srv.conns[0]?.closed).toBe(true);
    await s.close();
  });

  it("heartbeat comments keep the watchdog quiet", async () => {
    const srv = await sseServer(async (c) => {
      for (let i = 0; i < 12 && !c.closed; i++) {
        c.res.write(": heartbeat\n\n");
        await new Promise((r) => setTimeout(r, 50));
      }
      send(c, ev("evt_end"));
    });
    const s = stream(srv.url, { watchdogMs: 400 });
    const [e] = await take(s.subscribe(), 1);
    expect(e?.id).toBe("evt_end");
    expect(srv.conns).toHaveLength(1);
    await s.close();
  });

  it("a slow subscriber overflows with a typed error (default) or drops the oldest", async () => {
    const srv = await sseServer((c) => {
      for (let i = 1; i <= 5; i++) send(c, ev(`evt_${i}`));
    });
    const s = stream(srv.url);
    const strict = s.subscribe({ bufferSize: 2 });
    const lossy = s.subscribe({ bufferSize: 2, overflow: "drop-oldest" });
    const keep = s.subscribe();
    await take(keep, 5);
    await expect(take(strict, 5)).rejects.toBeInstanceOf(EventBufferOverflowError);
    expect((await take(lossy, 2)).map((e) => e.id)).toEqual(["evt_4", "evt_5"]);
    await s.close();
  });

  it("ready() resolves once the connection delivered its first frame", async () => {
    const srv = await sseServer(async (c) => {
      await new Promise((r) => setTimeout(r, 50));
      send(c, { id: "evt_c", type: "server.connected", properties: {} });
    });
    const s = stream(srv.url);
    s.subscribe();
    const t0 = Date.now();
    await s.ready();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
    await s.close();
  });
});

describe("ready() never hangs", () => {
  it("rejects with the fatal error when the stream gives up", async () => {
    const srv = await sseServer(() => {}, 401);
    const s = stream(srv.url);
    const events = s.subscribe();
    const ready = s.ready();
    await expect(ready).rejects.toBeInstanceOf(AuthenticationError);
    await expect(events.next()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("rejects when the last subscriber leaves before the stream was live", async () => {
    const srv = await sseServer(() => {}); // accepts, never sends a frame
    const s = stream(srv.url);
    const events = s.subscribe();
    const ready = s.ready();
    await waitFor(() => srv.conns.length === 1);
    await events.return?.();
    await expect(ready).rejects.toBeInstanceOf(EventStreamClosedError);
    await waitFor(() => srv.conns[0]?.closed === true);
  });

  it("rejects with the signal's reason when the signal aborts", async () => {
    const srv = await sseServer(() => {});
    const s = stream(srv.url);
    s.subscribe();
    const ac = new AbortController();
    const ready = s.ready(ac.signal);
    ac.abort(new Error("gave up waiting"));
    await expect(ready).rejects.toThrow("gave up waiting");
    await s.close();
  });
});

describe("applyPermissionPolicy", () => {
  it("fails its setup with the typed error when it cannot listen (wrong password)", async () => {
    const srv = await sseServer(() => {}, 401);
    const oc = createOpencodeClient({ baseUrl: srv.url, password: "wrong", logLevel: "off" });
    await expect(applyPermissionPolicy(oc, { allow: ["read"] })).rejects.toBeInstanceOf(AuthenticationError);
    expect(oc.events.subscriberCount).toBe(0);
  });
});

describe("parseSse", () => {
  const body = (chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(new TextEncoder().encode(ch));
        c.close();
      },
    });

  it("handles split chunks, CRLF, multi-line data, ids, events and comments", async () => {
    const out = [];
    for await (const m of parseSse(body(["data: a\r", "\ndata: b\r\n\r\n: hi\n\n", "id: 7\nevent: x\nda", 'ta: {"k":1}\n\n'])))
      out.push(m);
    expect(out).toEqual([{ data: "a\nb" }, { data: "", comment: true }, { data: '{"k":1}', event: "x", id: "7" }]);
  });
});
