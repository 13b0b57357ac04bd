/**
 * The shared event stream against a loopback SSE server this test controls: reconnects, fatal
 * statuses, connect timeout and watchdog, dedup, overflow, the session index, freeing the socket
 * and coming back, state callbacks. (The SSE parser has its own file.)
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  AuthenticationError,
  type ConnectionState,
  createOpencodeClient,
  EventBufferOverflowError,
  EventStream,
  EventStreamClosedError,
  OpencodeError,
  type StreamEvent,
} from "@ocsdk/sdk";
import { closeServer, listenLoopback } from "@ocsdk/test-kit";
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
  const url = await listenLoopback(server);
  cleanups.push(() => closeServer(server));
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
/** The newest connection of `srv`. */
const newest = (srv: { conns: Conn[] }): Conn => srv.conns.at(-1) as Conn;
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
    expect((error as Error).message).toMatch(/100 ms without a healthy connection/);
    expect((error as Error).cause).toBeInstanceOf(Error);
    // 10 + 20 + 40 ms waited; the next wait is cut to the 30 ms left, one last attempt at the limit fails.
    expect(delays).toEqual([10, 20, 40, 30]);
    expect(n).toBe(5);
    expect(clock).toBe(100);
    expect(s.state).toMatchObject({ state: "closed", error });
  });

  it("gives up at the limit, not a backoff early: with 5 000 ms and a 4 000 ms delay due at 3 500, it waits the 1 500 ms left", async () => {
    const srv = await sseServer((c) => void c.res.socket?.destroy());
    let clock = 0;
    const delays: number[] = [];
    const s = stream(srv.url, {
      initialDelayMs: 500,
      maxDelayMs: 10_000,
      giveUpAfterMs: 5_000,
      now: () => clock,
      sleep: async (ms) => {
        delays.push(ms);
        clock += ms;
      },
    });
    const error = await take(s.subscribe(), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStreamClosedError);
    expect(delays).toEqual([500, 1_000, 2_000, 1_500]);
    expect(clock).toBe(5_000);
    expect((error as Error).message).toMatch(/5000 ms without a healthy connection/);
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
    // The stream's clock moves 100 ms per heartbeat: 1.2 s of its time in all, 100 ms between two.
    let clock = 0;
    const srv = await sseServer(async (c) => {
      for (let i = 0; i < 12 && !c.closed; i++) {
        c.res.write(": heartbeat\n\n");
        clock += 100;
        await new Promise((r) => setTimeout(r, 50));
      }
      send(c, ev("evt_end"));
    });
    const s = stream(srv.url, { watchdogMs: 400, now: () => clock });
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

describe("connection lifecycle", () => {
  it("resubscribing right after the last subscriber left reconnects at once: no backoff, no 'reconnecting'", async () => {
    const srv = await sseServer((c, n) => send(c, ev(`evt_${n}`)));
    const delays: number[] = [];
    const states: string[] = [];
    const s = stream(srv.url, { sleep: async (ms) => void delays.push(ms) });
    s.onState((st) => states.push(st.state));
    for await (const _ of s.subscribe()) break; // the last subscriber leaves: the socket is freed
    const [e] = await take(s.subscribe(), 1); // and a new one comes right away
    expect(e?.id).toBe("evt_2");
    expect(delays).toEqual([]);
    expect(states).not.toContain("reconnecting");
    await s.close();
  });

  it("the connect timeout guards only the wait for headers, not a quiet open stream", async () => {
    // watchdog off: nothing may cut an open connection, however quiet
    const srv = await sseServer(async (c) => {
      await new Promise((r) => setTimeout(r, 800));
      if (!c.closed) send(c, ev("evt_late"));
    });
    const states: string[] = [];
    const s = stream(srv.url, { connectTimeoutMs: 300, watchdogMs: 0 });
    s.onState((st) => states.push(st.state === "reconnecting" ? `reconnecting:${(st.cause as Error).name}` : st.state));
    const [e] = await take(s.subscribe(), 1);
    expect(e?.id).toBe("evt_late");
    // A busy machine may miss the 300 ms for headers; once open, nothing reconnects.
    expect(states.slice(states.indexOf("open"))).toEqual(["open"]);
    await s.close();
  });

  it("a server that never sends headers is given up on after connectTimeoutMs and retried", async () => {
    let n = 0;
    const held: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      if (++n === 1) return void held.push(req); // accepts, never answers
      res.writeHead(200, { "content-type": "text/event-stream" });
      send({ res, closed: false }, ev("evt_second"));
    });
    const url = await listenLoopback(server);
    cleanups.push(() => closeServer(server));
    const causes: string[] = [];
    const s = stream(url, { connectTimeoutMs: 300 });
    s.onState((st) => st.state === "reconnecting" && causes.push((st.cause as Error).name));
    const [e] = await take(s.subscribe(), 1);
    expect(e?.id).toBe("evt_second");
    // One at least (the silent server); a busy machine may miss the 300 ms on a later attempt too.
    expect(causes.length).toBeGreaterThanOrEqual(1);
    expect(new Set(causes)).toEqual(new Set(["ConnectTimeout"]));
    await waitFor(() => held[0]?.socket.destroyed === true);
    await s.close();
  });

  it("an event that streams in for longer than watchdogMs is not cut: any byte is liveness", async () => {
    const big = "x".repeat(50_000);
    // The stream's clock moves 50 ms per piece written, so the event takes 2.5 s of its time, far past
    // the 400 ms watchdog, while the gap between two pieces stays 50 ms however slow the machine is.
    let clock = 0;
    const srv = await sseServer(async (c, n) => {
      if (n > 1) return send(c, ev("evt_after_reconnect"));
      const frame = `data: ${JSON.stringify({ ...ev("evt_big"), big })}\n\n`;
      const step = Math.ceil(frame.length / 50);
      for (let i = 0; i < frame.length && !c.closed; i += step) {
        c.res.write(frame.slice(i, i + step));
        clock += 50;
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    const s = stream(srv.url, { watchdogMs: 400, now: () => clock });
    const [e] = await take(s.subscribe(), 1);
    expect(e?.id).toBe("evt_big");
    expect((e as { big?: string }).big).toBe(big);
    expect(clock).toBeGreaterThan(2_000);
    expect(srv.conns).toHaveLength(1);
    await s.close();
  });
});

describe("session index", () => {
  it.each([
    ["each as it is parsed (few sessions)", 20],
    ["a chunk parsed first, then handed on (many sessions)", 40],
  ])(
    "delivers each event to its session's subscribers and the unfiltered ones, exactly once each, in order: %s",
    async (_, count) => {
      const sessions = Array.from({ length: count }, (_, i) => `ses_${i}`);
      let release!: () => void;
      const go = new Promise<void>((r) => {
        release = r;
      });
      const srv = await sseServer(async (c) => {
        await go;
        for (const round of [0, 1])
          for (const [i, sid] of sessions.entries()) send(c, ev(`evt_${round}_${i}`, "session.idle", sid));
        send(c, { id: "evt_global", type: "server.connected", properties: {} });
      });
      const s = stream(srv.url);
      const pairs = sessions.flatMap((sid) => [s.subscribe({ sessionID: sid }), s.subscribe({ sessionID: sid })]);
      const typed = s.subscribe({ sessionID: "ses_3", types: ["session.status"] });
      const all = s.subscribe();
      const heard: string[] = [];
      const listening = s.listen({ sessionID: "ses_5" }, (e) => void heard.push(String(e.id)));
      // Some leave before anything arrives: their slots must not receive or break anything.
      await pairs[1]?.return?.();
      await pairs[2]?.return?.();
      expect(s.subscriberCount).toBe(sessions.length * 2 - 2 + 3);
      release();
      expect((await take(all, sessions.length * 2 + 1)).map((e) => e.id)).toEqual([
        ...sessions.map((_, i) => `evt_0_${i}`),
        ...sessions.map((_, i) => `evt_1_${i}`),
        "evt_global",
      ]);
      for (const [k, sub] of pairs.entries()) {
        if (k === 1 || k === 2) continue;
        const i = Math.floor(k / 2);
        expect((await take(sub, 2)).map((e) => e.id)).toEqual([`evt_0_${i}`, `evt_1_${i}`]);
      }
      expect(heard).toEqual(["evt_0_5", "evt_1_5"]);
      listening.close();
      await typed.return?.();
      for (const sub of pairs) await sub.return?.();
      await all.return?.();
      expect(s.subscriberCount).toBe(0);
      await s.close();
    },
  );

  it("a session's subscribers come and go (one, two, one, two, none); filters of one, two and nine types get only theirs", async () => {
    const srv = await sseServer(() => {});
    const s = stream(srv.url);
    const nine = ["session.status", ...Array.from({ length: 8 }, (_, i) => `x.type${i}`)];
    const first = s.subscribe({ sessionID: "ses_1", types: ["session.idle"] });
    await waitFor(() => srv.conns.length === 1);
    const second = s.subscribe({ sessionID: "ses_1", types: ["session.idle", "session.status"] });
    const conn = newest(srv);
    send(conn, ev("evt_1"));
    send(conn, ev("evt_2", "session.status"));
    send(conn, ev("evt_2b"));
    expect((await take(first, 2)).map((e) => e.id)).toEqual(["evt_1", "evt_2b"]);
    expect((await take(second, 3)).map((e) => e.id)).toEqual(["evt_1", "evt_2", "evt_2b"]);
    await first.return?.();
    send(conn, ev("evt_3", "session.status"));
    expect((await take(second, 1)).map((e) => e.id)).toEqual(["evt_3"]);
    const third = s.subscribe({ sessionID: "ses_1", types: nine });
    send(conn, ev("evt_4"));
    send(conn, ev("evt_5", "x.type7"));
    send(conn, ev("evt_6", "session.status"));
    send(conn, ev("evt_7", "x.other"));
    send(conn, ev("evt_7b", "session.status"));
    expect((await take(second, 3)).map((e) => e.id)).toEqual(["evt_4", "evt_6", "evt_7b"]);
    expect((await take(third, 3)).map((e) => e.id)).toEqual(["evt_5", "evt_6", "evt_7b"]);
    await second.return?.();
    await third.return?.();
    expect(s.subscriberCount).toBe(0);
    const again = s.subscribe({ sessionID: "ses_1", types: ["session.idle"] });
    await waitFor(() => srv.conns.length === 2);
    send(newest(srv), ev("evt_8"));
    expect((await take(again, 1)).map((e) => e.id)).toEqual(["evt_8"]);
    await again.return?.();
    await s.close();
  });

  it("a subscriber that overflows during a dispatch leaves its session's other subscribers served", async () => {
    const srv = await sseServer((c) => {
      for (let i = 1; i <= 4; i++) send(c, ev(`evt_${i}`));
    });
    const s = stream(srv.url);
    const strict = s.subscribe({ sessionID: "ses_1", bufferSize: 1 });
    const other = s.subscribe({ sessionID: "ses_1" });
    expect((await take(other, 4)).map((e) => e.id)).toEqual(["evt_1", "evt_2", "evt_3", "evt_4"]);
    await expect(take(strict, 4)).rejects.toBeInstanceOf(EventBufferOverflowError);
    expect(s.subscriberCount).toBe(1);
    await s.close();
  });
});

describe("dedup", () => {
  it("drops an id seen within the last dedupSize events, across reconnects; 0 turns it off", async () => {
    const ids = ["evt_1", "evt_2", "evt_1", "evt_3", "evt_4", "evt_2", "evt_5"];
    const srv = await sseServer((c, n) => {
      if (n === 1) {
        for (const id of ids.slice(0, 4)) send(c, ev(id));
        c.res.end(); // the rest on the next connection
      } else for (const id of ids.slice(4)) send(c, ev(id));
    });
    const s = stream(srv.url, { dedupSize: 3 });
    expect((await take(s.subscribe(), 5)).map((e) => e.id)).toEqual(["evt_1", "evt_2", "evt_3", "evt_4", "evt_5"]);
    await s.close();
    const again = await sseServer((c) => {
      for (const id of ids.slice(0, 4)) send(c, ev(id));
    });
    // ids that do not ascend (opencode's do) are deduplicated as well, and none is lost
    const unordered = await sseServer((c) => {
      for (const id of ["evt_9", "evt_8", "evt_7", "evt_8", "evt_9", "evt_6"]) send(c, ev(id));
    });
    const u = stream(unordered.url, { dedupSize: 10 });
    expect((await take(u.subscribe(), 4)).map((e) => e.id)).toEqual(["evt_9", "evt_8", "evt_7", "evt_6"]);
    await u.close();
    const off = stream(again.url, { dedupSize: 0 });
    expect((await take(off.subscribe(), 4)).map((e) => e.id)).toEqual(ids.slice(0, 4));
    await off.close();
  });
});

describe("fairness", () => {
  /** `n` events, all enqueued up front: every read resolves at once (e.g. a custom fetch answering from memory). */
  const bufferedBody = (n: number) => {
    const text = Array.from({ length: n }, (_, i) => `data: ${JSON.stringify(ev(`evt_${String(i).padStart(6, "0")}`))}\n\n`).join(
      "",
    );
    const bytes = new TextEncoder().encode(text);
    return new ReadableStream<Uint8Array>({
      start(c) {
        for (let o = 0; o < bytes.length; o += 65_536) c.enqueue(bytes.subarray(o, o + 65_536));
      },
    });
  };

  it("a body that is already buffered does not outrun a consumer that keeps up (no overflow)", async () => {
    const n = 30_000;
    const s = new EventStream({ streamFetch: async () => new Response(bufferedBody(n)) }, { watchdogMs: 0 });
    let count = 0;
    for await (const _ of s.subscribe({ sessionID: "ses_1" })) if (++count === n) break;
    expect(count).toBe(n);
    await s.close();
  });

  it("a subscriber that stops reading does not hold up the others: the wait for it ends after a macrotask", async () => {
    const n = 30_000;
    const s = new EventStream({ streamFetch: async () => new Response(bufferedBody(n)) }, { watchdogMs: 0 });
    const stalled = s.subscribe({ sessionID: "ses_1", bufferSize: 500, overflow: "drop-oldest" });
    let count = 0;
    for await (const _ of s.subscribe({ sessionID: "ses_1" })) if (++count === n) break;
    expect(count).toBe(n); // and no hang waiting for the stalled one
    await stalled.return?.();
    await s.close();
  });
});

describe("listen", () => {
  it("calls the listener with each event of its session and types, once per id, on the shared connection", async () => {
    const srv = await sseServer((c) => {
      send(c, ev("evt_1", "session.idle", "ses_a"));
      send(c, ev("evt_2", "session.idle", "ses_b"));
      send(c, ev("evt_1", "session.idle", "ses_a")); // a duplicate
      send(c, ev("evt_3", "session.status", "ses_a"));
      send(c, ev("evt_4", "session.idle", "ses_a"));
    });
    const s = stream(srv.url);
    const idle: string[] = [];
    const all: string[] = [];
    const a = s.listen({ sessionID: "ses_a", types: ["session.idle"] }, (e) => {
      // typed by `types`: a session.idle event has properties.sessionID
      idle.push(`${e.id}:${e.properties.sessionID}`);
    });
    const subscribed = s.subscribe();
    const b = s.listen({}, (e) => void all.push(e.id as string));
    expect((await take(subscribed, 4)).map((e) => e.id)).toEqual(["evt_1", "evt_2", "evt_3", "evt_4"]);
    // Listeners are called as each event is parsed, before any iterator sees it.
    expect(idle).toEqual(["evt_1:ses_a", "evt_4:ses_a"]);
    expect(all).toEqual(["evt_1", "evt_2", "evt_3", "evt_4"]);
    expect(srv.conns).toHaveLength(1);
    expect(s.subscriberCount).toBe(3);
    a.close();
    b[Symbol.dispose]();
    await expect(a.done).resolves.toBeUndefined();
    await expect(b.done).resolves.toBeUndefined();
    expect(s.subscriberCount).toBe(1);
    await s.close();
  });

  it("close() of the last listener frees the socket; an aborted signal attaches nothing", async () => {
    const srv = await sseServer((c) => send(c, ev("evt_1")));
    const s = stream(srv.url);
    let seen = 0;
    const l = s.listen({}, () => void seen++);
    await waitFor(() => seen === 1);
    l.close();
    await waitFor(() => srv.conns[0]?.closed === true);
    expect(s.subscriberCount).toBe(0);

    const late = s.listen({ signal: AbortSignal.abort() }, () => void seen++);
    await expect(late.done).resolves.toBeUndefined();
    expect(s.subscriberCount).toBe(0);
    await waitFor(() => s.state.state === "closed");
    expect(srv.conns).toHaveLength(1); // no connection for a listener that never started
  });

  it("a listener that throws is ended with its error; the stream and the other subscribers go on", async () => {
    const srv = await sseServer((c) => {
      for (let i = 1; i <= 3; i++) send(c, ev(`evt_${i}`));
    });
    const s = stream(srv.url);
    const boom = new Error("listener bug");
    const calls: string[] = [];
    const failing = s.listen({}, (e) => {
      calls.push(e.id as string);
      if (e.id === "evt_2") throw boom;
    });
    const asyncFailing = s.listen({}, async (e) => {
      if (e.id === "evt_1") throw new Error("async listener bug");
    });
    expect((await take(s.subscribe(), 3)).map((e) => e.id)).toEqual(["evt_1", "evt_2", "evt_3"]);
    await expect(failing.done).rejects.toBe(boom);
    await expect(asyncFailing.done).rejects.toThrow("async listener bug");
    expect(calls).toEqual(["evt_1", "evt_2"]); // not called after it threw
    await s.close();
  });

  it("a fatal status ends listeners with the typed error; events.close() ends them without one", async () => {
    const srv = await sseServer(() => {}, 401);
    const s = stream(srv.url);
    const l = s.listen({}, () => {});
    await expect(l.done).rejects.toBeInstanceOf(AuthenticationError);
    expect(s.subscriberCount).toBe(0);

    const open = await sseServer(() => {});
    const t = stream(open.url);
    const m = t.listen({ sessionID: "ses_1" }, () => {});
    await waitFor(() => open.conns.length === 1);
    await t.close();
    await expect(m.done).resolves.toBeUndefined();
    await waitFor(() => open.conns[0]?.closed === true);
  });

  it("a listener that is not a function is a typed error, before anything is attached", async () => {
    const srv = await sseServer(() => {});
    const s = stream(srv.url);
    expect(() => s.listen({}, "nope" as unknown as () => void)).toThrow(OpencodeError);
    expect(s.subscriberCount).toBe(0);
    expect(srv.conns).toHaveLength(0);
  });
});
