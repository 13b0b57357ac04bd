/**
 * An event-stream mock: serves `/event` and `/global/event` as the real server does
 * (`data: {"id":"evt_…","type":…,"properties":…}` frames, `server.connected` first, a heartbeat),
 * and lets a test push events, replay recorded streams, and drop every connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { newAscendingId } from "@ocsdk/sdk/internal";
import { ConversationStore } from "./conversation.js";
import { closeServer, listenLoopback } from "./loopback.js";
import type { ServerEvent } from "./scripted-answer.js";
import { splitFrames } from "./sse-replay.js";

/** Options of {@link EventStreamHub}. */
export interface EventStreamOptions {
  /** Interval of `server.heartbeat` events (default 10 000 ms, as the real server; 0 = none). */
  heartbeatMs?: number;
  /** `directory` of `/global/event` frames (default `/mock/project`). */
  directory?: string;
}

interface Connection {
  res: ServerResponse;
  global: boolean;
  heartbeat: ReturnType<typeof setInterval> | undefined;
}

/**
 * The connections of an event-stream mock and what was sent on them. Every emitted event is also
 * applied to {@link EventStreamHub.store}, the state the read routes answer from.
 *
 * @example
 * ```ts
 * await using mock = await startEventStreamMock();
 * await mock.events.waitForConnections(1);
 * mock.events.emit({ type: "session.idle", properties: { sessionID: "ses_1" } });
 * ```
 */
export class EventStreamHub {
  /** What the emitted events stored (messages, pending permissions, statuses). */
  readonly store = new ConversationStore();
  /** Every event emitted, in order. */
  readonly sent: ServerEvent[] = [];
  readonly #connections = new Set<Connection>();
  readonly #waiters = new Set<() => void>();
  readonly #heartbeatMs: number;
  readonly #directory: string;

  constructor(options: EventStreamOptions = {}) {
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
    this.#directory = options.directory ?? "/mock/project";
  }

  /** Open connections right now. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Serves one stream request (`/event` or, with `global`, `/global/event`) until the client goes away. */
  serve(req: IncomingMessage, res: ServerResponse, global = false): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const connection: Connection = { res, global, heartbeat: undefined };
    this.#connections.add(connection);
    this.#write(connection, { id: newAscendingId("evt"), type: "server.connected", properties: {} });
    if (this.#heartbeatMs > 0) {
      connection.heartbeat = setInterval(
        () => this.#write(connection, { id: newAscendingId("evt"), type: "server.heartbeat", properties: {} }),
        this.#heartbeatMs,
      );
    }
    const gone = () => {
      clearInterval(connection.heartbeat);
      this.#connections.delete(connection);
    };
    req.once("close", gone);
    res.once("close", gone);
    for (const wake of this.#waiters) wake();
  }

  /**
   * Sends an event to every open connection (an `id` is made when missing) and stores it.
   *
   * @example
   * ```ts
   * hub.emit({ type: "session.status", properties: { sessionID: "ses_1", status: { type: "busy" } } });
   * ```
   */
  emit(event: Omit<ServerEvent, "id"> & { id?: string }): ServerEvent {
    const full: ServerEvent = { id: event.id ?? newAscendingId("evt"), type: event.type, properties: event.properties };
    this.sent.push(full);
    this.store.apply(full);
    for (const c of this.#connections) this.#write(c, full);
    return full;
  }

  /**
   * Emits the events of a recorded stream (the `data:` frames of an `.sse` text, `/global/event`
   * frames unwrapped), optionally paced.
   *
   * @example
   * ```ts
   * await hub.replay(recordedStream("tool"));
   * ```
   */
  async replay(sseText: string, options: { frameDelayMs?: number } = {}): Promise<number> {
    let count = 0;
    for (const frame of splitFrames(sseText)) {
      const data = frame
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trimStart())
        .join("\n");
      if (!data) continue;
      const parsed = JSON.parse(data) as ServerEvent & { payload?: ServerEvent };
      const event = parsed.payload ?? parsed;
      if (event.type === "server.connected") continue;
      this.emit(event);
      count++;
      if (options.frameDelayMs) await new Promise((r) => setTimeout(r, options.frameDelayMs));
    }
    return count;
  }

  /** Drops every open connection mid-stream, as a network failure or server restart would. */
  drop(): void {
    for (const c of this.#connections) {
      clearInterval(c.heartbeat);
      c.res.socket?.destroy();
      c.res.destroy();
    }
    this.#connections.clear();
  }

  /**
   * Resolves once at least `count` connections are open; rejects after `timeoutMs` (default 10 s).
   *
   * @example
   * ```ts
   * await hub.waitForConnections(1);
   * ```
   */
  async waitForConnections(count = 1, timeoutMs = 10_000): Promise<void> {
    if (this.#connections.size >= count) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${count} event-stream connection(s) within ${timeoutMs} ms (open: ${this.#connections.size})`));
      }, timeoutMs);
      const check = () => {
        if (this.#connections.size < count) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  /** Ends every connection and its heartbeat. */
  close(): void {
    this.drop();
  }

  #write(c: Connection, event: ServerEvent): void {
    if (c.res.destroyed || c.res.writableEnded) return;
    const body = c.global ? { directory: this.#directory, payload: event } : event;
    c.res.write(`data: ${JSON.stringify(body)}\n\n`);
  }
}

/** A standalone event-stream mock on loopback. */
export interface EventStreamMock extends AsyncDisposable {
  readonly url: string;
  readonly events: EventStreamHub;
  close(): Promise<void>;
}

/**
 * Serves `/event` and `/global/event` on 127.0.0.1 with a free port. For a mock of every other
 * route too, use {@link startMockServer}, which embeds the same hub.
 *
 * @example
 * ```ts
 * await using mock = await startEventStreamMock();
 * const res = await fetch(`${mock.url}/event`);
 * ```
 */
export async function startEventStreamMock(options: EventStreamOptions = {}): Promise<EventStreamMock> {
  const events = new EventStreamHub(options);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method === "GET" && (path === "/event" || path === "/global/event")) return events.serve(req, res, path !== "/event");
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: `no mock for ${path}` }));
  });
  const url = await listenLoopback(server);
  const close = async () => {
    events.close();
    await closeServer(server);
  };
  return { url, events, close, [Symbol.asyncDispose]: close };
}
