/**
 * A fault-injecting loopback proxy in front of the real server: GETs recover from resets, 503 and
 * 429 with Retry-After; a prompt through it is stored exactly once, whatever the proxy does to it.
 */
import { createServer, type Server } from "node:http";
import { APIConnectionError, createOpencodeClient, InternalServerError, Metrics, type OpencodeClient } from "@ocsdk/sdk";
import { type RunningServer, spawnServer } from "@ocsdk/sdk/node";
import { closeServer, forwardRequest, listenLoopback, readBody } from "@ocsdk/test-kit";
import { afterAll, beforeAll, expect, it } from "vitest";

type Fault = "reset" | "503" | "429" | "pass" | "forward-then-reset" | "forward-then-503";

let server: RunningServer;
let proxy: Server;
let proxyUrl: string;
let direct: OpencodeClient;
/** Faults to apply, per "METHOD /path", in order; an empty queue passes through. */
const faults = new Map<string, Fault[]>();
const seen: string[] = [];

beforeAll(async () => {
  server = await spawnServer();
  direct = createOpencodeClient({ baseUrl: server.url, password: server.password, logLevel: "off" });
  proxy = createServer(async (req, res) => {
    const key = `${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`;
    const fault = faults.get(key)?.shift() ?? "pass";
    seen.push(`${key} ${fault}`);
    if (fault === "reset") return void req.socket.destroy();
    if (fault === "503") return void res.writeHead(503, { "content-type": "text/plain" }).end("unavailable");
    if (fault === "429") return void res.writeHead(429, { "retry-after": "1" }).end();
    const answer = await forwardRequest(server.url, req, await readBody(req));
    if (fault === "forward-then-reset") return void req.socket.destroy();
    if (fault === "forward-then-503") return void res.writeHead(503).end();
    delete answer.headers["transfer-encoding"];
    delete answer.headers.connection;
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  proxyUrl = await listenLoopback(proxy);
});

afterAll(async () => {
  if (proxy) await closeServer(proxy);
  await server?.close();
});

const userMessages = async (sessionID: string) =>
  (await direct.session.messages({ path: { sessionID } })).filter((m) => m.info.role === "user");

it("GETs recover from a reset, a 503 and a 429 with Retry-After", async () => {
  const metrics = new Metrics();
  const oc = createOpencodeClient({ baseUrl: proxyUrl, password: server.password, metrics, maxRetries: 3 });
  const created = await direct.session.create({ body: { title: "faults" } });
  faults.set("GET /session", ["reset", "503", "429"]);
  seen.length = 0;
  const started = Date.now();
  const sessions = await oc.session.list();
  expect(sessions.map((s) => s.id)).toContain(created.id);
  expect(seen).toEqual(["GET /session reset", "GET /session 503", "GET /session 429", "GET /session pass"]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000); // Retry-After: 1 was honoured
  expect(metrics.snapshot()).toMatchObject({ requests: 1, attempts: 4, retries: 3, errors: 0 });
});

it("a prompt is stored exactly once, even when the answer is lost or faked", async () => {
  const oc = createOpencodeClient({ baseUrl: proxyUrl, password: server.password, logLevel: "off", maxRetries: 5 });
  const session = await direct.session.create({ body: { title: "prompt once" } });
  const path = `POST /session/${session.id}/message`;
  const prompt = (text: string) =>
    oc.session.prompt({ path: { sessionID: session.id }, body: { noReply: true, parts: [{ type: "text", text }] } });

  faults.set(path, ["forward-then-reset"]);
  const lost = await prompt("first").catch((e: unknown) => e);
  expect(lost).toBeInstanceOf(APIConnectionError);
  expect((lost as APIConnectionError).neverSent).toBe(false);
  expect(await userMessages(session.id)).toHaveLength(1);

  faults.set(path, ["forward-then-503"]);
  await expect(prompt("second")).rejects.toBeInstanceOf(InternalServerError);
  expect(await userMessages(session.id)).toHaveLength(2);

  // A fault before anything reached the server is not retried for a POST either: the wrapper
  // cannot tell a 503 from the proxy apart from one after the server acted.
  faults.set(path, ["503"]);
  await expect(prompt("third")).rejects.toBeInstanceOf(InternalServerError);
  const stored = await userMessages(session.id);
  expect(stored).toHaveLength(2);
  const texts = stored.flatMap((m) => m.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])));
  expect(texts).toEqual(["first", "second"]);
  expect(seen.filter((s) => s.startsWith(path))).toHaveLength(3);
});
