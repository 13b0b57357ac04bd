/**
 * A mock of the opencode server for contract tests: Prism serving the bundled spec (every request
 * validated, answers generated from the schemas), behind a small loopback proxy that records every
 * request, serves per-test overrides (status, body, headers, delay), the event stream, scripted
 * prompt answers and the state they leave.
 */
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SpecViolation } from "@ocsdk/sdk";
import { newMessageId } from "@ocsdk/sdk/internal";
import { EventStreamHub } from "./event-stream.js";
import { closeServer, listenLoopback, readBody } from "./loopback.js";
import { writeMockSpec } from "./mock-spec.js";
import { type RunningPrism, startPrism } from "./prism.js";
import { onProcessEnd } from "./process-end.js";
import { type AnswerStep, answerSteps, type ScriptedAnswer } from "./scripted-answer.js";
import { SPEC_PATH } from "./spec.js";

/** A response a test puts in place of the mock's own for matching requests. */
export interface MockResponse {
  /** HTTP status (default 200). */
  status?: number;
  /** JSON body (a string is sent as is); none for 204. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (e.g. to run into a client timeout). */
  delayMs?: number;
  /** Serve it for this many requests, then fall back (default: until removed). */
  times?: number;
  /** Still reject requests that violate the spec with Prism's 4xx (default true). */
  validate?: boolean;
}

/** A request the mock received. */
export interface RecordedRequest {
  method: string;
  /** URL path without the query, e.g. `/session/ses_1/message`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON body, the raw text when not JSON, undefined when empty. */
  body: unknown;
  /** Status the mock answered with. */
  status: number;
  /** What Prism found wrong with the request (empty when it conforms). */
  violations: SpecViolation[];
  /** Answered by an override rather than Prism. */
  overridden: boolean;
}

/**
 * Requests the mock received that violate the spec, with Prism's messages.
 *
 * @example
 * ```ts
 * try { mock.assertNoViolations(); } catch (e) { if (e instanceof MockViolationError) console.log(e.requests); }
 * ```
 */
export class MockViolationError extends Error {
  override name = "MockViolationError";
  /** The offending requests, each with its `violations`. */
  readonly requests: RecordedRequest[];

  constructor(requests: RecordedRequest[]) {
    const lines = requests.map(
      (r) => `${r.method} ${r.path}: ${r.violations.map((v) => `${v.location.join(".")}: ${v.message}`).join("; ")}`,
    );
    super(`${requests.length} request(s) violate the spec:\n${lines.join("\n")}`);
    this.requests = requests;
  }
}

/** Options of {@link startMockServer}. */
export interface MockServerOptions {
  /** Spec to serve (default: the one bundled with this package, i.e. with the SDK version). */
  specPath?: string;
  /** Seed of Prism's generated answers, for repeatable runs (default `"ocsdk"`). */
  seed?: string;
  /** Heartbeat interval of the event stream (default 10 000 ms; 0 = none). */
  heartbeatMs?: number;
  /** Give up waiting for Prism after this long (default 60 s). */
  startTimeoutMs?: number;
}

/** A running mock server. Close it with `close()` or `await using`. */
export interface MockServer extends AsyncDisposable {
  /** Base URL for `createOpencodeClient({ baseUrl })`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** The event stream: `emit`, `replay`, `drop`, `waitForConnections`, and the stored state. */
  readonly events: EventStreamHub;
  /** The Prism behind the proxy (its `output()` helps when it misbehaves). */
  readonly prism: RunningPrism;
  /**
   * Answers requests matching `route` (`"GET /session/:sessionID"`, or a path for any method) with
   * `response` instead of the mock's own. The newest override wins. Returns its remover.
   */
  override(route: string, response: MockResponse): () => void;
  /** Queues scripted answers; each `prompt_async` or `prompt` request plays the next one on the event stream. */
  answerPrompts(...answers: ScriptedAnswer[]): void;
  /** Requests that violated the spec. */
  violations(): RecordedRequest[];
  /** Throws {@link MockViolationError} when any request violated the spec. */
  assertNoViolations(): void;
  /** Resolves with the first request (already received or to come) matching `route`; rejects after `timeoutMs` (10 s). */
  waitForRequest(route: string, timeoutMs?: number): Promise<RecordedRequest>;
  /** Forgets requests, overrides and queued answers (between tests). */
  reset(): void;
  close(): Promise<void>;
}

interface Route {
  method: string | undefined;
  regex: RegExp;
}

function parseRoute(route: string): Route {
  const m = /^(?:([A-Z]+)\s+)?(\S+)$/.exec(route.trim());
  if (!m?.[2]) throw new Error(`mock route "${route}": expected "METHOD /path/:param" or "/path"`);
  const pattern = m[2]
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg === "*" ? ".*" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return { method: m[1], regex: new RegExp(`^${pattern}$`) };
}

const matches = (r: Route, method: string, path: string) => (!r.method || r.method === method) && r.regex.test(path);

function parseViolations(header: string | null): SpecViolation[] {
  if (!header) return [];
  try {
    const list = JSON.parse(header) as { location?: unknown[]; code?: string | number; message?: string }[];
    return list
      .filter((v) => typeof v?.message === "string")
      .map((v) => ({ location: (v.location ?? []).map(String), code: v.code, message: String(v.message) }));
  } catch {
    return [];
  }
}

const HOP_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts Prism on the bundled spec and the recording proxy in front of it, both on loopback.
 *
 * @example
 * ```ts
 * await using mock = await startMockServer();
 * const oc = createOpencodeClient({ baseUrl: mock.url, maxRetries: 0 });
 * mock.override("GET /session/:sessionID", { status: 404, body: { name: "NotFoundError", data: { message: "gone" } } });
 * await oc.session.get({ path: { sessionID: "ses_1" } }).catch((e) => console.log(e.status)); // 404
 * ```
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  // The mock-friendly copy of the spec lives as long as this server: removed on close.
  const specDir = await mkdtemp(join(tmpdir(), "ocsdk-mock-spec-"));
  // Also when the process ends before close() (Ctrl-C, a runner's SIGTERM).
  const forget = onProcessEnd(() => rmSync(specDir, { recursive: true, force: true }));
  const removeSpec = async () => {
    forget();
    await rm(specDir, { recursive: true, force: true });
  };
  let prism: RunningPrism;
  try {
    prism = await startPrism({
      specPath: writeMockSpec(options.specPath ?? SPEC_PATH, { dir: specDir }),
      mode: "mock",
      errors: true,
      // Static examples ignore `pattern` (ids like "string"), so Prism would reject its own answers.
      dynamic: true,
      seed: options.seed ?? "ocsdk",
      ...(options.startTimeoutMs ? { startTimeoutMs: options.startTimeoutMs } : {}),
    });
  } catch (error) {
    await removeSpec();
    throw error;
  }
  const events = new EventStreamHub({ heartbeatMs: options.heartbeatMs ?? 10_000 });
  const requests: RecordedRequest[] = [];
  let overrides: { route: Route; response: MockResponse; left: number }[] = [];
  let answers: ScriptedAnswer[] = [];
  const permissionWaiters = new Map<string, (reply: string) => void>();
  const requestWaiters = new Set<(r: RecordedRequest) => void>();
  let closed = false;
  const playing = new Set<Promise<void>>();

  const play = async (steps: AnswerStep[]): Promise<void> => {
    for (const step of steps) {
      if (closed) return;
      if (step.kind === "event") events.emit(step.event);
      else if (step.kind === "pause") await sleep(step.ms);
      else if (step.kind === "drop") events.drop();
      else {
        const reply = await new Promise<string>((resolve) => permissionWaiters.set(step.requestID, resolve));
        await play(step.onReply(reply));
        return;
      }
    }
  };
  const startPlaying = (steps: AnswerStep[]) => {
    const run = play(steps).catch(() => {});
    playing.add(run);
    void run.finally(() => playing.delete(run));
    return run;
  };

  const forward = async (req: IncomingMessage, body: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_HEADERS.has(k) && typeof v === "string") headers[k] = v;
    const method = req.method ?? "GET";
    const res = await fetch(`${prism.url}${req.url ?? "/"}`, {
      method,
      headers,
      ...(body.length && method !== "GET" && method !== "HEAD" ? { body: new Uint8Array(body) } : {}),
    });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  };

  const send = (
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    record.status = status;
    if (status === 204 || body === undefined) return void res.writeHead(status, headers).end();
    const text = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const path = url.pathname;
    const raw = await readBody(req);
    const text = raw.toString("utf8");
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      status: 0,
      violations: [],
      overridden: false,
    };
    requests.push(record);

    // Prism validates every request, also those answered here.
    const prismAnswer = await forward(req, raw);
    record.violations = parseViolations(prismAnswer.headers.get("sl-violations")).filter((v) => v.location[0] === "request");
    const override = overrides.find((o) => matches(o.route, method, path));
    const rejected = record.violations.length > 0 && prismAnswer.status >= 400 && prismAnswer.status < 500;
    const finish = () => {
      for (const wake of requestWaiters) wake(record);
    };

    if (rejected && override?.response.validate !== false) {
      const out: Record<string, string> = { "content-type": prismAnswer.headers.get("content-type") ?? "application/json" };
      const sl = prismAnswer.headers.get("sl-violations");
      if (sl) out["sl-violations"] = sl;
      send(res, record, prismAnswer.status, prismAnswer.body, out);
      return finish();
    }
    if (override) {
      override.left--;
      if (override.left <= 0) overrides = overrides.filter((o) => o !== override);
      record.overridden = true;
      const r = override.response;
      if (r.delayMs) await sleep(r.delayMs);
      send(res, record, r.status ?? 200, r.body, r.headers);
      return finish();
    }
    if (method === "GET" && (path === "/event" || path === "/global/event")) {
      record.status = 200;
      finish();
      return events.serve(req, res, path === "/global/event");
    }

    const prompt = /^\/session\/([^/]+)\/(prompt_async|message)$/.exec(path);
    if (method === "POST" && prompt?.[1] && answers.length) {
      const answer = answers.shift() as ScriptedAnswer;
      const b = (body ?? {}) as {
        messageID?: string;
        parts?: { type: string; text?: string }[];
        model?: { providerID: string; modelID: string };
        agent?: string;
      };
      const steps = answerSteps(
        {
          sessionID: prompt[1],
          userMessageID: b.messageID ?? newMessageId(),
          userText: (b.parts ?? []).map((p) => p.text ?? "").join(""),
          ...(b.model ? { model: b.model } : {}),
          ...(b.agent ? { agent: b.agent } : {}),
        },
        answer,
      );
      const run = startPlaying(steps);
      if (prompt[2] === "prompt_async") {
        send(res, record, 204, undefined);
        return finish();
      }
      await run;
      const last = events.store.messages(prompt[1]).at(-1);
      send(res, record, 200, last);
      return finish();
    }

    const reply = /^\/permission\/([^/]+)\/reply$/.exec(path) ?? /^\/session\/[^/]+\/permissions\/([^/]+)$/.exec(path);
    if (method === "POST" && reply?.[1]) {
      const waiter = permissionWaiters.get(reply[1]);
      const b = (body ?? {}) as { reply?: string; response?: string };
      if (waiter) {
        permissionWaiters.delete(reply[1]);
        waiter(String(b.reply ?? b.response ?? "reject"));
        send(res, record, 200, true);
        return finish();
      }
    }

    // Reads of what the event stream stored.
    if (method === "GET") {
      if (path === "/permission") {
        send(res, record, 200, events.store.pendingPermissions());
        return finish();
      }
      if (path === "/session/status") {
        send(res, record, 200, events.store.statuses());
        return finish();
      }
      const messages = /^\/session\/([^/]+)\/message$/.exec(path);
      if (messages?.[1] && events.store.has(messages[1])) {
        send(res, record, 200, events.store.messages(messages[1]));
        return finish();
      }
      const one = /^\/session\/([^/]+)\/message\/([^/]+)$/.exec(path);
      if (one?.[1] && one[2] && events.store.has(one[1])) {
        const m = events.store.message(one[1], one[2]);
        if (m) send(res, record, 200, m);
        else send(res, record, 404, { name: "NotFoundError", data: { message: `Message not found: ${one[2]}` } });
        return finish();
      }
    }

    const out: Record<string, string> = {};
    for (const [k, v] of prismAnswer.headers) if (!HOP_HEADERS.has(k) && k !== "content-encoding") out[k] = v;
    send(res, record, prismAnswer.status, prismAnswer.body.length ? prismAnswer.body : undefined, out);
    finish();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ name: "MockError", data: { message: String((error as Error)?.message ?? error) } }));
    });
  });
  let url: string;
  try {
    url = await listenLoopback(server);
  } catch (error) {
    await prism.close();
    await removeSpec();
    throw error;
  }

  const close = async () => {
    if (closed) return;
    closed = true;
    for (const waiter of permissionWaiters.values()) waiter("reject");
    permissionWaiters.clear();
    events.close();
    await Promise.allSettled([...playing]);
    await closeServer(server);
    await prism.close();
    await removeSpec();
  };

  return {
    url,
    requests,
    events,
    prism,
    override(route, response) {
      const entry = { route: parseRoute(route), response, left: response.times ?? Number.POSITIVE_INFINITY };
      overrides.unshift(entry);
      return () => {
        overrides = overrides.filter((o) => o !== entry);
      };
    },
    answerPrompts: (...more) => void answers.push(...more),
    violations: () => requests.filter((r) => r.violations.length > 0),
    assertNoViolations() {
      const bad = requests.filter((r) => r.violations.length > 0);
      if (bad.length) throw new MockViolationError(bad);
    },
    waitForRequest(route, timeoutMs = 10_000) {
      const r = parseRoute(route);
      const seen = requests.find((x) => x.status !== 0 && matches(r, x.method, x.path));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          requestWaiters.delete(check);
          reject(new Error(`no request ${route} within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = (x: RecordedRequest) => {
          if (!matches(r, x.method, x.path)) return;
          clearTimeout(timer);
          requestWaiters.delete(check);
          resolve(x);
        };
        requestWaiters.add(check);
      });
    },
    reset() {
      requests.length = 0;
      overrides = [];
      answers = [];
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
