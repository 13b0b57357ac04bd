/**
 * Policies of the wrapper core with an injected fetch: error mapping, retries, timeouts, logging,
 * metrics, validation, scoping, auth. Every delay goes through an injected sleep, so assertions are exact.
 */
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  createOpencodeClient,
  InternalServerError,
  type Logger,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  retryDelayMs,
  UnprocessableEntityError,
  ValidationError,
  withRetry,
} from "@ocsdk/sdk";
import { afterEach, describe, expect, it, vi } from "vitest";

type Step = Response | Error | ((req: Request) => Response | Promise<Response>);

/** A fetch that answers from a script and records each request it got. */
function scriptedFetch(steps: Step[]) {
  const requests: Request[] = [];
  const bodies: string[] = [];
  const fn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    requests.push(req.clone());
    bodies.push(req.body ? await req.clone().text() : "");
    const step = steps[Math.min(requests.length - 1, steps.length - 1)];
    if (step === undefined) throw new Error("script empty");
    if (step instanceof Error) throw step;
    if (typeof step === "function") return step(req);
    return step.clone();
  };
  return { fetch: fn as typeof fetch, requests, bodies };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** A connection error as Node raises it before the socket connected. */
function refused(): Error {
  return Object.assign(new TypeError("fetch failed"), {
    cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
  });
}
/** A reset after the request went out: the server may have acted. */
function reset(): Error {
  return Object.assign(new TypeError("fetch failed"), {
    cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
  });
}

function client(steps: Step[], extra: Parameters<typeof createOpencodeClient>[0] = {}) {
  const f = scriptedFetch(steps);
  const sleeps: number[] = [];
  const oc = createOpencodeClient({
    baseUrl: "http://127.0.0.1:1",
    fetch: f.fetch,
    logLevel: "off",
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0 },
    ...extra,
  });
  return { oc, ...f, sleeps };
}

const SESSION = { id: "ses_1", title: "t" };

describe("errors", () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [418, APIError],
  ])("status %i → %o", async (status, Cls) => {
    const { oc } = client([json(status, { message: "nope" })], { maxRetries: 0 });
    const error = await oc.session.get({ path: { sessionID: "ses_1" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cls);
    expect(error).toBeInstanceOf(APIError);
    const e = error as APIError;
    expect(e.status).toBe(status);
    expect(e.method).toBe("GET");
    expect(e.path).toBe("/session/ses_1");
    // A 401 also says where the password comes from.
    const hint =
      status === 401 ? " (the server wants a password: set OPENCODE_SERVER_PASSWORD or pass the `password` option)" : "";
    expect(e.message).toBe(`GET /session/ses_1 → ${status}: nope${hint}`);
  });

  it("keeps opencode's named errors (name + data)", async () => {
    const body = { name: "NotFoundError", data: { message: "Session not found: ses_9" } };
    const { oc } = client([json(404, body)]);
    const e = (await oc.session.get({ path: { sessionID: "ses_9" } }).catch((x: unknown) => x)) as NotFoundError;
    expect(e.errorName).toBe("NotFoundError");
    expect(e.data).toEqual({ message: "Session not found: ses_9" });
    expect(e.serverMessage).toBe("Session not found: ses_9");
    expect(e.body).toEqual(body);
  });

  it("handles empty, HTML and plain-text bodies", async () => {
    const cases: [Response, string][] = [
      [new Response(null, { status: 502 }), "GET /session/ses_1 → 502"],
      [
        new Response("<html><head><title>Bad Gateway</title></head></html>", {
          status: 502,
          headers: { "content-type": "text/html" },
        }),
        'GET /session/ses_1 → 502: HTML page "Bad Gateway"',
      ],
      [new Response("upstream exploded", { status: 500 }), "GET /session/ses_1 → 500: upstream exploded"],
    ];
    for (const [res, message] of cases) {
      const { oc } = client([res], { maxRetries: 0 });
      const e = (await oc.session.get({ path: { sessionID: "ses_1" } }).catch((x: unknown) => x)) as APIError;
      expect(e).toBeInstanceOf(InternalServerError);
      expect(e.message).toBe(message);
    }
  });

  it("returns data directly and the raw response on demand", async () => {
    const { oc } = client([json(200, SESSION, { "x-trace": "abc" })]);
    expect(await oc.session.get({ path: { sessionID: "ses_1" } })).toEqual(SESSION);
    const { oc: oc2 } = client([json(200, SESSION, { "x-trace": "abc" })]);
    const { data, response } = await oc2.session.get({ path: { sessionID: "ses_1" } }).withResponse();
    expect(data).toEqual(SESSION);
    expect(response.headers.get("x-trace")).toBe("abc");
  });
});

describe("retries", () => {
  it("retries idempotent calls on 5xx, 408, 409, 429 with capped exponential backoff", async () => {
    const sleeps: number[] = [];
    const { oc, requests } = client([json(503, {}), json(408, {}), json(429, {}), json(409, {}), json(200, SESSION)], {
      maxRetries: 4,
      retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0, initialDelayMs: 100, maxDelayMs: 300 },
    });
    expect(await oc.session.get({ path: { sessionID: "ses_1" } })).toEqual(SESSION);
    expect(requests).toHaveLength(5);
    expect(sleeps).toEqual([100, 200, 300, 300]);
  });

  it("defaults to 2 retries, then throws with the attempt count", async () => {
    const { oc, requests } = client([json(500, { message: "down" })]);
    const e = (await oc.session.list().catch((x: unknown) => x)) as APIError;
    expect(requests).toHaveLength(3);
    expect(e.attempts).toBe(3);
  });

  it("jitter only shortens the delay, by at most 25 %", () => {
    expect(retryDelayMs(1, undefined, { random: () => 0 })).toBe(500);
    expect(retryDelayMs(1, undefined, { random: () => 0.999_999 })).toBe(375);
    expect(retryDelayMs(10, undefined, { random: () => 0 })).toBe(8_000);
  });

  it("honours Retry-After seconds, HTTP date and retry-after-ms, within the cap", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const date = new Date(now + 7_000).toUTCString();
    const sleeps: number[] = [];
    const { oc } = client([json(429, {}, { "retry-after": "3" }), json(503, {}, { "retry-after": date }), json(200, SESSION)], {
      retry: { sleep: async (ms) => void sleeps.push(ms), now: () => now },
    });
    await oc.session.get({ path: { sessionID: "ses_1" } });
    expect(sleeps).toEqual([3_000, 7_000]);
    expect(retryDelayMs(1, new Headers({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    // Longer than maxRetryAfterMs: not waited for, the error is thrown at once.
    const { oc: oc2, requests } = client([json(429, {}, { "retry-after": "3600" }), json(200, SESSION)]);
    await expect(oc2.session.get({ path: { sessionID: "ses_1" } })).rejects.toBeInstanceOf(RateLimitError);
    expect(requests).toHaveLength(1);
  });

  it("never resends a prompt that may have reached the server", async () => {
    for (const answer of [json(500, {}), json(429, {}, { "retry-after": "1" }), reset()]) {
      const { oc, requests } = client([answer, new Response(null, { status: 204 })]);
      const body = { parts: [{ type: "text" as const, text: "hi" }] };
      await expect(oc.session.prompt_async({ path: { sessionID: "ses_1" }, body })).rejects.toBeDefined();
      expect(requests).toHaveLength(1);
    }
  });

  it("resends a prompt only when the connection was never established", async () => {
    const { oc, requests, bodies } = client([refused(), new Response(null, { status: 204 })]);
    await oc.session.prompt_async({ path: { sessionID: "ses_1" }, body: { parts: [{ type: "text", text: "hi" }] } });
    expect(requests).toHaveLength(2);
    expect(JSON.parse(bodies[1] ?? "")).toEqual({ parts: [{ type: "text", text: "hi" }] });
  });

  it("retries connection errors of idempotent calls and reports a connection error at the end", async () => {
    const { oc, requests } = client([reset()]);
    const e = await oc.session.list().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(APIConnectionError);
    expect((e as APIConnectionError).neverSent).toBe(false);
    expect(requests).toHaveLength(3);
  });

  it("per-request maxRetries wins", async () => {
    const { oc, requests } = client([json(503, {})]);
    await expect(oc.session.list({ maxRetries: 0 })).rejects.toBeInstanceOf(InternalServerError);
    expect(requests).toHaveLength(1);
  });

  it("withRetry applies the same policy to user code", async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw refused();
        return "ok";
      },
      { sleep: async (ms) => void delays.push(ms), random: () => 0 },
    );
    expect(result).toBe("ok");
    expect(delays).toEqual([500, 1_000]);
    // Not idempotent (default): an error after sending is not retried.
    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw reset();
      }),
    ).rejects.toBeDefined();
    expect(calls).toBe(1);
  });
});

describe("timeouts and abort", () => {
  const hang = (req: Request) =>
    new Promise<Response>((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason)));

  it("client default and per-request timeout raise APITimeoutError (retried for GET)", async () => {
    const { oc, requests } = client([hang], { timeoutMs: 30, maxRetries: 1 });
    const e = (await oc.session.list().catch((x: unknown) => x)) as APITimeoutError;
    expect(e).toBeInstanceOf(APITimeoutError);
    expect(e.timeoutMs).toBe(30);
    expect(requests).toHaveLength(2);
    const { oc: oc2 } = client([hang], { timeoutMs: 60_000, maxRetries: 0 });
    await expect(oc2.session.list({ timeoutMs: 20 })).rejects.toBeInstanceOf(APITimeoutError);
  });

  it("a caller's abort is APIUserAbortError and is not retried", async () => {
    const { oc, requests } = client([hang]);
    const ac = new AbortController();
    const p = oc.session.list({ signal: ac.signal });
    setTimeout(() => ac.abort(new Error("user")), 10);
    await expect(p).rejects.toBeInstanceOf(APIUserAbortError);
    expect(requests).toHaveLength(1);
  });

  it("a stream has no timeout once headers arrived", async () => {
    const encoder = new TextEncoder();
    const { oc } = client(
      [
        () =>
          new Response(
            new ReadableStream({
              async start(c) {
                c.enqueue(encoder.encode("data: 1\n\n"));
                await new Promise((r) => setTimeout(r, 120));
                c.enqueue(encoder.encode("data: 2\n\n"));
                c.close();
              },
            }),
            { headers: { "content-type": "text/event-stream" } },
          ),
      ],
      { timeoutMs: 40 },
    );
    const res = await oc.streamFetch("/event");
    expect(await res.text()).toBe("data: 1\n\ndata: 2\n\n");
  });
});

describe("auth, scoping, headers, custom fetch", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("reads base URL, password and user from the environment", async () => {
    vi.stubEnv("OPENCODE_BASE_URL", "http://127.0.0.1:7777/");
    vi.stubEnv("OPENCODE_SERVER_PASSWORD", "pw-from-env");
    vi.stubEnv("OPENCODE_SERVER_USERNAME", "alice");
    const f = scriptedFetch([json(200, [])]);
    const oc = createOpencodeClient({ fetch: f.fetch, logLevel: "off" });
    await oc.session.list();
    const req = f.requests[0] as Request;
    expect(req.url).toBe("http://127.0.0.1:7777/session");
    expect(req.headers.get("authorization")).toBe(`Basic ${Buffer.from("alice:pw-from-env").toString("base64")}`);
  });

  it("defaults the user to opencode and sends no Authorization without a password", async () => {
    vi.stubEnv("OPENCODE_SERVER_PASSWORD", "");
    delete process.env.OPENCODE_SERVER_PASSWORD;
    const { oc, requests } = client([json(200, [])]);
    await oc.session.list();
    expect(requests[0]?.headers.get("authorization")).toBeNull();
    const { oc: oc2, requests: r2 } = client([json(200, [])], { password: "pw" });
    await oc2.session.list();
    expect(r2[0]?.headers.get("authorization")).toBe(`Basic ${Buffer.from("opencode:pw").toString("base64")}`);
  });

  it("scopes calls to a directory/workspace (query or location[...] style), explicit query wins", async () => {
    const { oc, requests } = client([json(200, [])], { directory: "/repo", workspace: "wrk_1" });
    await oc.session.list();
    await oc.session.list({ query: { directory: "/other" } });
    await oc.v2.agent.list();
    const u = requests.map((r) => new URL(r.url));
    expect(u[0]?.searchParams.get("directory")).toBe("/repo");
    expect(u[0]?.searchParams.get("workspace")).toBe("wrk_1");
    expect(u[1]?.searchParams.get("directory")).toBe("/other");
    expect(u[2]?.searchParams.get("location[directory]")).toBe("/repo");
  });

  it("default and per-request headers; the custom fetch carries streams too", async () => {
    const { oc, requests } = client(
      [json(200, []), new Response("data: {}\n\n", { headers: { "content-type": "text/event-stream" } })],
      {
        headers: { "x-app": "bot" },
      },
    );
    await oc.session.list({ headers: { "x-req": "1" } });
    const res = await oc.event.subscribe();
    expect(await res.text()).toBe("data: {}\n\n");
    expect(requests[0]?.headers.get("x-app")).toBe("bot");
    expect(requests[0]?.headers.get("x-req")).toBe("1");
    expect(new URL(requests[1]?.url ?? "").pathname).toBe("/event");
    expect(requests[1]?.headers.get("accept")).toBe("text/event-stream");
    expect(requests[1]?.headers.get("x-app")).toBe("bot");
  });
});

describe("validation before the network", () => {
  it("a malformed base URL is a clear error at construction", () => {
    for (const baseUrl of ["not a url", "ftp://127.0.0.1:21", "127.0.0.1:4096"]) {
      expect(() => createOpencodeClient({ baseUrl, fetch: scriptedFetch([]).fetch })).toThrow(/invalid baseUrl/);
    }
  });

  it("rejects ids that break their spec pattern, without a request", async () => {
    const { oc, requests } = client([json(200, SESSION)]);
    const e = (await oc.session.get({ path: { sessionID: "msg_123" } }).catch((x: unknown) => x)) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.param).toBe("sessionID");
    expect(e.pattern).toBe("^ses");
    await expect(oc.session.get({ path: { sessionID: "" } })).rejects.toBeInstanceOf(ValidationError);
    expect(requests).toHaveLength(0);
  });

  it("encodes path parameters so `../config` cannot reach another route", async () => {
    const { oc, requests } = client([json(200, SESSION)]);
    await oc.session.get({ path: { sessionID: "ses_../../config" } });
    const url = requests[0]?.url ?? "";
    expect(new URL(url).pathname).toBe("/session/ses_..%2F..%2Fconfig");
    await expect(oc.session.get({ path: { sessionID: ".." } })).rejects.toBeInstanceOf(ValidationError);
    // A parameter without a pattern is encoded too.
    await oc.auth.remove({ path: { providerID: "../config" } }).catch(() => {});
    expect(new URL(requests[1]?.url ?? "").pathname).toBe("/auth/..%2Fconfig");
  });
});

describe("logging and metrics", () => {
  it("redacts passwords, Basic tokens and API keys at every level", async () => {
    const lines: string[] = [];
    const sink: Logger = {
      error: (m, d) => void lines.push(m, JSON.stringify(d ?? {})),
      warn: (m, d) => void lines.push(m, JSON.stringify(d ?? {})),
      info: (m, d) => void lines.push(m, JSON.stringify(d ?? {})),
      debug: (m, d) => void lines.push(m, JSON.stringify(d ?? {})),
    };
    const password = "hunter2-very-secret";
    const apiKey = "sk-live-0123456789abcdef";
    const token = Buffer.from(`opencode:${password}`).toString("base64");
    const { oc } = client([json(500, { message: `bad key ${apiKey}` }), json(200, true)], {
      password,
      logger: sink,
      logLevel: "debug",
    });
    await oc.auth.set({ path: { providerID: "openai" }, body: { type: "api", key: apiKey } });
    expect(lines.length).toBeGreaterThan(3);
    const all = lines.join("\n");
    expect(all).toContain("/auth/openai");
    for (const secret of [password, apiKey, token]) expect(all).not.toContain(secret);
  });

  it("takes the level from OPENCODE_SDK_LOG", () => {
    vi.stubEnv("OPENCODE_SDK_LOG", "debug");
    expect(createOpencodeClient({ fetch: scriptedFetch([]).fetch }).logger.level).toBe("debug");
    vi.unstubAllEnvs();
  });

  it("counts requests, attempts, retries, errors and latency; hooks fire", async () => {
    const seen: string[] = [];
    const { oc } = client([json(503, {}), json(200, []), json(404, {})], {
      hooks: {
        onRequest: (i) => void seen.push(`req ${i.attempt}`),
        onRetry: (i) => void seen.push(`retry ${i.retry} ${i.delayMs}`),
        onResponse: (e) => void seen.push(`res ${e.status}`),
        onError: (e) => void seen.push(`err ${e.status}`),
      },
    });
    await oc.session.list();
    await oc.session.get({ path: { sessionID: "ses_x" }, maxRetries: 0 }).catch(() => {});
    const m = oc.metrics.snapshot();
    expect(m).toMatchObject({ requests: 2, attempts: 3, retries: 1, errors: 1 });
    expect(m.latency.count).toBe(2);
    expect(m.byOperation["session.get"]).toEqual({ requests: 1, errors: 1 });
    expect(seen).toEqual(["req 1", "res 503", "retry 1 500", "req 2", "res 200", "req 1", "res 404", "err 404"]);
  });
});
