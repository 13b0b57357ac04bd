/**
 * The client core: configuration from options and the environment, auth, scoping, headers, the
 * custom fetch, and arguments refused at construction or before the network.
 */
import {
  AuthenticationError,
  consoleLogger,
  createOpencodeClient,
  Metrics,
  NotFoundError,
  OpencodeError,
  ValidationError,
} from "@ocsdk/sdk";
import { createCore, sessionGet } from "@ocsdk/sdk/operations";
import { afterEach, describe, expect, it, vi } from "vitest";
import { client, json, SESSION, scriptedFetch } from "../../helpers/scripted-client.ts";

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

  it("a rejected 401 names the credentials that were sent: headers, the password option, or none", async () => {
    vi.stubEnv("OPENCODE_SERVER_PASSWORD", "");
    delete process.env.OPENCODE_SERVER_PASSWORD;
    const rejected = async (options: Parameters<typeof createOpencodeClient>[0]) => {
      const f = scriptedFetch([json(401, { error: "unauthorized" })]);
      const oc = createOpencodeClient({ ...options, fetch: f.fetch, logLevel: "off", maxRetries: 0 });
      const error = await oc.session.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      return { message: (error as Error).message, sent: f.requests[0]?.headers.get("authorization") };
    };
    const basic = `Basic ${Buffer.from("opencode:wrong").toString("base64")}`;
    const viaHeaders = await rejected({ headers: { Authorization: basic } });
    expect(viaHeaders.sent).toBe(basic);
    expect(viaHeaders.message).toContain("the `authorization` header of the `headers` option was rejected");
    expect(viaHeaders.message).not.toContain("wants a password");
    // The caller's header wins over the password, so the message names the header then too.
    const both = await rejected({ password: "pw", headers: { authorization: basic } });
    expect(both.sent).toBe(basic);
    expect(both.message).toContain("the `authorization` header of the `headers` option was rejected");
    expect((await rejected({ password: "wrong" })).message).toContain("the password from the `password` option was rejected");
    const none = await rejected({});
    expect(none.sent).toBeNull();
    expect(none.message).toContain("the server wants a password: set OPENCODE_SERVER_PASSWORD");
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

  it("scopes every operation that declares the scope's query parameters, v2 ones included", async () => {
    const { oc, requests } = client([json(200, []), json(200, true)], { directory: "/repo", workspace: "wrk_1" });
    await oc.v2.session.list();
    await oc.v2.pty.connect({ path: { ptyID: "pty_1" } });
    const [list, connect] = requests.map((r) => new URL(r.url).searchParams);
    expect(list?.get("directory")).toBe("/repo");
    expect(list?.get("workspace")).toBe("wrk_1");
    expect(connect?.get("location[directory]")).toBe("/repo");
    expect(connect?.get("location[workspace]")).toBe("wrk_1");
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

describe("errors", () => {
  it("returns data directly and the raw response on demand", async () => {
    const { oc } = client([json(200, SESSION, { "x-trace": "abc" })]);
    expect(await oc.session.get({ path: { sessionID: "ses_1" } })).toEqual(SESSION);
    const { oc: oc2 } = client([json(200, SESSION, { "x-trace": "abc" })]);
    const { data, response } = await oc2.session.get({ path: { sessionID: "ses_1" } }).withResponse();
    expect(data).toEqual(SESSION);
    expect(response.headers.get("x-trace")).toBe("abc");
  });
});

describe("validation before the network", () => {
  it("a malformed base URL is a clear error at construction", () => {
    for (const baseUrl of ["not a url", "ftp://127.0.0.1:21", "127.0.0.1:4096"]) {
      expect(() => createOpencodeClient({ baseUrl, fetch: scriptedFetch([]).fetch })).toThrow(/invalid baseUrl/);
    }
  });
});

describe("construction and arguments", () => {
  it.each([
    ["http://127.0.0.1:4096/api?token=1", /query or fragment/],
    ["http://127.0.0.1:4096/#x", /query or fragment/],
    ["http://user:secret@127.0.0.1:4096", /pass the `password`/],
    ["ftp://127.0.0.1", /http\(s\) URL/],
    ["not a url", /http\(s\) URL/],
  ])("baseUrl %s is a typed error at construction", (baseUrl, reason) => {
    let error: unknown;
    try {
      createOpencodeClient({ baseUrl });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OpencodeError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain("secret");
  });

  it("a body with no JSON form (a function) is a typed error before the network", async () => {
    const { oc, requests } = client([json(200, {})]);
    const error = await oc.session.create({ body: (() => 1) as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe("session.create: a function cannot be sent as a JSON body");
    expect(requests).toEqual([]);
  });

  it("asks for the spec's media type: Accept of a binary or text route is its own, JSON otherwise", async () => {
    const { oc, requests } = client([
      new Response("bytes", { headers: { "content-type": "application/octet-stream" } }),
      new Response("diff", { headers: { "content-type": "text/x-diff; charset=utf-8" } }),
      json(200, []),
    ]);
    expect(await oc.v2.fs.read()).toBeInstanceOf(Blob);
    expect(await oc.vcs.diff.raw()).toBe("diff");
    await oc.session.list();
    expect(requests.map((r) => r.headers.get("accept"))).toEqual(["application/octet-stream", "text/x-diff", "application/json"]);
  });

  it("a circular body is a typed error before the network", async () => {
    let calls = 0;
    const oc = createOpencodeClient({
      baseUrl: "http://127.0.0.1:1",
      fetch: (async () => {
        calls++;
        return new Response();
      }) as typeof fetch,
    });
    const body: Record<string, unknown> = { title: "loop" };
    body.self = body;
    const error = await oc.session.create({ body: body as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^session\.create: the request body cannot be sent as JSON/);
    expect(calls).toBe(0);
  });
});

describe("createCore (single operations)", () => {
  it("runs an operation with the policies: auth, retries, typed errors, no logging code", async () => {
    const f = scriptedFetch([json(503, { message: "busy" }), json(200, SESSION), json(404, { name: "NotFoundError" })]);
    const core = createCore({
      baseUrl: "http://127.0.0.1:1",
      password: "pw",
      fetch: f.fetch,
      retry: { sleep: async () => {}, random: () => 0 },
    });
    expect(await sessionGet(core, { path: { sessionID: "ses_1" } })).toEqual(SESSION);
    expect(f.requests).toHaveLength(2);
    expect(f.requests[1]?.headers.get("authorization")).toBe(`Basic ${Buffer.from("opencode:pw").toString("base64")}`);
    const error = await sessionGet(core, { path: { sessionID: "ses_2" }, maxRetries: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe("GET /session/ses_2 → 404: NotFoundError");
    core.close();
  });

  it("refuses what only a full client does, with a typed error", () => {
    for (const extra of [{ logger: consoleLogger }, { hooks: {} }, { metrics: new Metrics() }]) {
      expect(() => createCore(extra as never)).toThrow(OpencodeError);
      expect(() => createCore(extra as never)).toThrow(/use createOpencodeClient/);
    }
  });
});
