/**
 * Answers that are not what the spec promises, from the real server (a wrong baseUrl prefix gets its
 * web UI as 200 text/html) or through a fault proxy in front of it (a truncated JSON body), and
 * errors that must not carry the secrets the request sent.
 */
import { createServer, type Server } from "node:http";
import { inspect } from "node:util";
import {
  AuthenticationError,
  BadRequestError,
  createOpencodeClient,
  InvalidResponseError,
  type OpencodeClient,
} from "@ocsdk/sdk";
import { type RunningServer, spawnServer } from "@ocsdk/sdk/node";
import { closeServer, forwardRequest, listenLoopback, readBody } from "@ocsdk/test-kit";
import { afterAll, beforeAll, expect, it } from "vitest";

let server: RunningServer;
let direct: OpencodeClient;
let proxy: Server;
let proxyUrl: string;
const truncate = new Map<string, number>();
const seen: string[] = [];

beforeAll(async () => {
  server = await spawnServer();
  direct = createOpencodeClient({ baseUrl: server.url, password: server.password, logLevel: "off" });
  proxy = createServer(async (req, res) => {
    const key = `${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`;
    seen.push(key);
    const answer = await forwardRequest(server.url, req, await readBody(req));
    const left = truncate.get(key) ?? 0;
    // A body cut in half, with a content-length that matches the cut: only the JSON is broken.
    const body = left > 0 ? answer.body.subarray(0, Math.floor(answer.body.length / 2)) : answer.body;
    if (left > 0) truncate.set(key, left - 1);
    delete answer.headers["transfer-encoding"];
    delete answer.headers.connection;
    res.writeHead(answer.status, { ...answer.headers, "content-length": String(body.length) }).end(body);
  });
  proxyUrl = await listenLoopback(proxy);
});

afterAll(async () => {
  if (proxy) await closeServer(proxy);
  await server?.close();
});

it("a wrong baseUrl prefix (the server's web UI, 200 text/html) is a typed error, and nothing is created", async () => {
  const before = (await direct.session.list()).length;
  const oc = createOpencodeClient({ baseUrl: `${server.url}/v1`, password: server.password, logLevel: "off" });
  const health = await oc.global.health().catch((e: unknown) => e);
  expect(health).toBeInstanceOf(InvalidResponseError);
  expect((health as InvalidResponseError).message).toBe(
    "GET /global/health → 200: not an opencode API response: text/html; wrong baseUrl or server version?",
  );
  expect((health as InvalidResponseError).attempts).toBe(1);
  const created = await oc.session.create({ body: { title: "lost" } }).catch((e: unknown) => e);
  expect(created).toBeInstanceOf(InvalidResponseError);
  expect((created as InvalidResponseError).contentType).toMatch(/^text\/html/);
  expect((await direct.session.list()).length).toBe(before);
});

it("a truncated JSON body is a typed error, retried for a GET, not for a POST", async () => {
  const oc = createOpencodeClient({
    baseUrl: proxyUrl,
    password: server.password,
    logLevel: "off",
    retry: { initialDelayMs: 10 },
  });
  const created = await direct.session.create({ body: { title: "truncated" } });
  truncate.set("GET /session", 1);
  seen.length = 0;
  const list = await oc.session.list();
  expect(list.map((s) => s.id)).toContain(created.id);
  expect(seen).toEqual(["GET /session", "GET /session"]);

  truncate.set("POST /session", 1);
  seen.length = 0;
  const error = await oc.session.create({ body: { title: "once" } }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidResponseError);
  expect((error as InvalidResponseError).message).toMatch(/^POST \/session → 200: invalid JSON in the response body/);
  expect((error as InvalidResponseError).retryable).toBe(true);
  expect(seen).toEqual(["POST /session"]);
});

it("a 400 on auth.set does not carry the API key in message, body, JSON or inspect", async () => {
  const apiKey = "sk-ocsdk-test-0123456789abcdef";
  const error = await direct.auth
    .set({ path: { providerID: "openai" }, body: { type: "not-a-type", key: apiKey } as never })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BadRequestError);
  const e = error as BadRequestError;
  for (const text of [e.message, JSON.stringify(e.body), JSON.stringify(e), inspect(e, { depth: 10 }), String(e.serverMessage)]) {
    expect(text).not.toContain(apiKey);
  }
  // The server does echo it: the redaction is what keeps it out.
  const raw = await fetch(`${server.url}/auth/openai`, {
    method: "PUT",
    headers: {
      authorization: `Basic ${Buffer.from(`opencode:${server.password}`).toString("base64")}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ type: "not-a-type", key: apiKey }),
  });
  expect(raw.status).toBe(400);
  expect(await raw.text()).toContain(apiKey);
});

it("a 401 says which variable or option supplies the password", async () => {
  const none = await createOpencodeClient({ baseUrl: server.url, logLevel: "off" })
    .session.list()
    .catch((e: unknown) => e);
  expect(none).toBeInstanceOf(AuthenticationError);
  expect((none as Error).message).toContain("set OPENCODE_SERVER_PASSWORD or pass the `password` option");
  const wrong = await createOpencodeClient({ baseUrl: server.url, password: "wrong", logLevel: "off" })
    .session.list()
    .catch((e: unknown) => e);
  expect(wrong).toBeInstanceOf(AuthenticationError);
  expect((wrong as Error).message).toContain("the password from the `password` option was rejected");
});
