/**
 * Every operation of the spec through the runtime users run (`oc.call(id)` and the nested member
 * `oc.a.b.c`), with cases derived from the spec at run time, so a new server's operations are
 * covered without editing this file:
 * - a valid request sampled from the operation's schemas, against the shared Prism mock
 *   (`--errors`: request and response validation), scoped with a directory and a workspace;
 *   the request must carry the scope wherever the spec declares it, an `Accept` the spec's success
 *   media types satisfy, and the answer must parse to data that matches the response schema;
 * - event streams (Prism cannot mock `text/event-stream`): a loopback server sends one event sampled
 *   from the stream's schema, and the data read back must match it;
 * - a negative pass: missing, `.` and `..` path values are a ValidationError before any request
 *   (`/` too, or it stays inside its one segment); a body with no JSON form is a ValidationError
 *   before any request; a body of the wrong type reaches the caller as Prism's 4xx with the reason.
 */
import { APIError, createOpencodeClient, type OpencodeClient, OpencodeError, ValidationError } from "@ocsdk/sdk";
import { OPERATIONS } from "@ocsdk/sdk/internal";
import { createNodeFetch } from "@ocsdk/sdk/node";
import {
  type BuiltRequest,
  buildRequest,
  createValidator,
  listOperations,
  loadSpec,
  type SpecOperation,
  sample,
  violationsOf,
} from "@ocsdk/test-kit";
import { type SseReplay, startSseReplay } from "@ocsdk/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const DIRECTORY = "/repo/contract";
const WORKSPACE = "wrk_contract01";
const REQUEST_TIMEOUT_MS = 15_000;

const spec = loadSpec();
const validator = createValidator(spec);
const operations = listOperations(spec);
const isSse = (op: SpecOperation) => op.streaming === "sse";

/** A request the SDK sent, and the case (`x-contract-case`) it belongs to: cases run concurrently. */
interface Sent {
  marker: string | null;
  url: URL;
  method: string;
  accept: string | null;
  status: number;
}

/** A fetch that records what the SDK sends; the SDK's own Node transport (what users run on Node) does the I/O. */
function recordingFetch(log: Sent[]): typeof fetch {
  const base = createNodeFetch();
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const response = await base(request);
    log.push({
      marker: request.headers.get("x-contract-case"),
      url: new URL(request.url),
      method: request.method,
      accept: request.headers.get("accept"),
      status: response.status,
    });
    return response;
  }) as typeof fetch;
}

function client(baseUrl: string, log: Sent[]): OpencodeClient {
  return createOpencodeClient({
    baseUrl,
    password: "contract",
    directory: DIRECTORY,
    workspace: WORKSPACE,
    logLevel: "off",
    maxRetries: 0,
    timeoutMs: REQUEST_TIMEOUT_MS,
    fetch: recordingFetch(log),
  });
}

/** The nested member of an operation (`session.get` → `oc.session.get`), bound to its group. */
function member(oc: OpencodeClient, id: string): (args?: object) => Promise<unknown> {
  const segs = id.split(".");
  let target: unknown = oc;
  for (const s of segs.slice(0, -1)) target = (target as Record<string, unknown>)[s];
  const fn = (target as Record<string, unknown>)[segs.at(-1) as string];
  if (typeof fn !== "function") throw new Error(`no member oc.${id}`);
  return (args) => (fn as (a?: object) => Promise<unknown>).call(target, args);
}

/** Query names that carry the client's scope: the client must fill them, so the sample leaves them out. */
const isScopeParam = (name: string) =>
  name === "directory" || name === "workspace" || name === "location" || name.startsWith("location[");

/** A valid request without the scope parameters. */
function validRequest(op: SpecOperation): BuiltRequest {
  const request = buildRequest(spec, validator, op);
  for (const name of Object.keys(request.query)) if (isScopeParam(name)) delete request.query[name];
  return request;
}

const declaredQuery = (op: SpecOperation) => op.parameters.filter((p) => p.in === "query").map((p) => p.name);

/** What the spec says about the scope of `op`, checked on the URL the SDK sent. */
function expectScope(op: SpecOperation, url: URL): void {
  const names = declaredQuery(op);
  const q = url.searchParams;
  if (names.some((n) => n === "location" || n.startsWith("location["))) {
    expect(q.get("location[directory]"), `${op.operationId}: location[directory]`).toBe(DIRECTORY);
    expect(q.get("location[workspace]"), `${op.operationId}: location[workspace]`).toBe(WORKSPACE);
  } else {
    for (const name of ["directory", "workspace"] as const) {
      const want = names.includes(name) ? (name === "directory" ? DIRECTORY : WORKSPACE) : null;
      expect(q.get(name), `${op.operationId}: ${name}`).toBe(want);
    }
  }
}

/** The success media types of `op`, without parameters. */
function successTypes(op: SpecOperation): string[] {
  return Object.entries(op.responses)
    .filter(([code]) => code.startsWith("2"))
    .flatMap(([, r]) => Object.keys(r.content ?? {}))
    .map((t) => t.split(";")[0]?.trim() ?? "");
}

/** An `Accept` header that at least one success media type satisfies (or any, for a route without content). */
function expectAccept(op: SpecOperation, accept: string | null): void {
  const types = successTypes(op);
  if (!types.length) return;
  const ranges = (accept ?? "").split(",").map((r) => r.split(";")[0]?.trim() ?? "");
  const ok = types.some((t) => ranges.some((r) => r === "*/*" || r === t || (r.endsWith("/*") && t.startsWith(r.slice(0, -1)))));
  expect(ok, `${op.operationId}: Accept ${accept} does not admit ${types.join(", ")}`).toBe(true);
}

/** The data the SDK returned, checked against the response schema of the status it got. */
async function expectData(op: SpecOperation, status: number, data: unknown): Promise<void> {
  const declared = op.responses[String(status)];
  expect(declared, `${op.operationId}: status ${status} is not declared`).toBeDefined();
  const [type, media] = Object.entries(declared?.content ?? {})[0] ?? [];
  if (!type || !media?.schema) return;
  if (media.schema.format === "binary") {
    expect(data, `${op.operationId}: binary data`).toBeInstanceOf(Blob);
    return;
  }
  const problem = validator.check(media.schema, data);
  expect(problem, `${op.operationId}: ${type} data does not match the schema`).toBeUndefined();
}

/** The frame a stream sends for one event sampled from its schema (the item shape or the data itself). */
function sampledFrame(op: SpecOperation): string {
  const schema = op.responses["200"]?.content?.["text/event-stream"]?.schema ?? {};
  const value = sample(spec, validator, schema) as Record<string, unknown>;
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  if ("data" in props && "event" in props) {
    return `id: ${String(value.id)}\nevent: ${String(value.event)}\ndata: ${JSON.stringify(value.data)}\n\n`;
  }
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** The first event of an SSE body, in the schema's shape. */
async function firstEvent(op: SpecOperation, response: Response): Promise<unknown> {
  const text = await response.text();
  const frame = text.replace(/\r\n/g, "\n").split("\n\n")[0] ?? "";
  const fields: Record<string, string> = {};
  for (const line of frame.split("\n")) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    fields[name] = (fields[name] ? `${fields[name]}\n` : "") + line.slice(colon + 1).replace(/^ /, "");
  }
  const data = JSON.parse(fields.data ?? "null") as unknown;
  const schema = op.responses["200"]?.content?.["text/event-stream"]?.schema ?? {};
  return "data" in ((schema.properties ?? {}) as object) ? { id: fields.id, event: fields.event, data } : data;
}

const prismLog: Sent[] = [];
const oc = client(inject("prismUrl"), prismLog);
const streamRequests = new Map(operations.filter(isSse).map((op) => [op.operationId, validRequest(op)]));
let replay: SseReplay;
const replayLog: Sent[] = [];
let streams: OpencodeClient;

beforeAll(async () => {
  const frames: Record<string, string> = {};
  for (const op of operations.filter(isSse)) {
    const request = streamRequests.get(op.operationId) as BuiltRequest;
    const path = op.path.replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(String(request.path[n])));
    frames[path] = sampledFrame(op);
  }
  replay = await startSseReplay(frames);
  streams = client(replay.url, replayLog);
});

/** Operations whose valid call passed, by door: an operation counts once both doors passed. */
const passed = new Map<string, number>();

afterAll(async () => {
  const both = [...passed.values()].filter((n) => n === DOORS.length).length;
  console.log(`contract (sdk runtime): ${both}/${operations.length} operations right through oc.call and the nested member`);
  oc.close();
  streams?.close();
  await replay?.close();
});

let cases = 0;
/** Headers and signal of one case: its marker finds its requests in a log. */
function caseOptions(): { marker: string; options: { headers: Record<string, string>; signal: AbortSignal } } {
  const marker = `case-${++cases}`;
  return { marker, options: { headers: { "x-contract-case": marker }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) } };
}

const sentFor = (log: Sent[], marker: string) => log.filter((s) => s.marker === marker);

type Door = (id: string) => (args?: object) => ReturnType<OpencodeClient["call"]>;
const DOORS: [string, (c: () => OpencodeClient) => Door][] = [
  ["oc.call", (c) => (id) => (args) => c().call(id as never, args as never)],
  ["the nested member", (c) => (id) => member(c(), id) as ReturnType<Door>],
];

describe("the table is the spec", () => {
  it("every operation of the spec is in the table with its method and path", () => {
    const fromSpec = operations.map((op) => `${op.operationId} ${op.method.toUpperCase()} ${op.path}`).sort();
    const fromTable = Object.values(OPERATIONS)
      .map((d) => `${d.id} ${d.method} ${d.path}`)
      .sort();
    expect(fromTable).toEqual(fromSpec);
    expect(operations.length).toBeGreaterThan(0);
  });
});

for (const [doorName, makeDoor] of DOORS) {
  describe.concurrent(`every operation through ${doorName} against Prism`, () => {
    const door = makeDoor(() => oc);
    for (const op of operations.filter((o) => !isSse(o))) {
      it(`${op.operationId} (${op.method.toUpperCase()} ${op.path})`, async () => {
        const { marker, options } = caseOptions();
        const { data, response } = await door(op.operationId)({ ...validRequest(op), ...options }).withResponse();
        expect(violationsOf(response), `${op.operationId}: Prism's violations`).toEqual([]);
        const sent = sentFor(prismLog, marker);
        expect(sent.length, `${op.operationId}: requests sent`).toBe(1);
        expectScope(op, (sent[0] as Sent).url);
        expectAccept(op, (sent[0] as Sent).accept);
        await expectData(op, response.status, data);
        passed.set(op.operationId, (passed.get(op.operationId) ?? 0) + 1);
      });
    }
  });

  describe.concurrent(`every event stream through ${doorName}, one sampled event`, () => {
    const door = makeDoor(() => streams);
    for (const op of operations.filter(isSse)) {
      it(`${op.operationId} (${op.method.toUpperCase()} ${op.path})`, async () => {
        const { marker, options } = caseOptions();
        const request = streamRequests.get(op.operationId) as BuiltRequest;
        const response = (await door(op.operationId)({ ...request, ...options })) as Response;
        expect(response).toBeInstanceOf(Response);
        const sent = sentFor(replayLog, marker);
        expect(sent.length, `${op.operationId}: requests sent`).toBe(1);
        expectScope(op, (sent[0] as Sent).url);
        expect((sent[0] as Sent).accept).toBe("text/event-stream");
        const event = await firstEvent(op, response);
        const schema = op.responses["200"]?.content?.["text/event-stream"]?.schema ?? {};
        expect(validator.check(schema, event), `${op.operationId}: event does not match`).toBeUndefined();
        passed.set(op.operationId, (passed.get(op.operationId) ?? 0) + 1);
      });
    }
  });

  describe.concurrent(`bad arguments through ${doorName}`, () => {
    const door = makeDoor(() => oc);
    for (const op of operations) {
      const pathParams = op.parameters.filter((p) => p.in === "path");
      for (const param of pathParams) {
        for (const bad of [undefined, ".", ".."]) {
          it(`${op.operationId}: path ${param.name} = ${JSON.stringify(bad)} is a ValidationError before any request`, async () => {
            const { marker, options } = caseOptions();
            const request = validRequest(op);
            const error = await door(op.operationId)({
              ...request,
              path: { ...request.path, [param.name]: bad },
              ...options,
            }).catch((e: unknown) => e);
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).param).toBe(param.name);
            expect(sentFor(prismLog, marker)).toEqual([]);
          });
        }
        it(`${op.operationId}: path ${param.name} = "/" stays in its segment or is refused`, async () => {
          const { marker, options } = caseOptions();
          const request = validRequest(op);
          const error = await door(op.operationId)({ ...request, path: { ...request.path, [param.name]: "/" }, ...options }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error === undefined || error instanceof OpencodeError, String(error)).toBe(true);
          const sent = sentFor(prismLog, marker);
          if (error instanceof ValidationError) expect(sent).toEqual([]);
          else {
            expect(sent.length).toBe(1);
            const segments = (sent[0] as Sent).url.pathname.split("/");
            expect(segments.length).toBe(op.path.split("/").length);
            expect(segments).toContain("%2F");
          }
        });
      }
      if (op.requestBody?.content["application/json"]) {
        it(`${op.operationId}: a body with no JSON form is a ValidationError before any request`, async () => {
          const { marker, options } = caseOptions();
          const circular: Record<string, unknown> = {};
          circular.self = circular;
          for (const body of [circular, () => 1]) {
            const error = await door(op.operationId)({ ...validRequest(op), body, ...options }).catch((e: unknown) => e);
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).param).toBe("body");
          }
          expect(sentFor(prismLog, marker)).toEqual([]);
        });
      }
      // A body the schema refuses (none for a schema that takes any JSON, like tui.control.response's).
      const bodySchema = op.requestBody?.content["application/json"]?.schema;
      const wrong = bodySchema && [42, "not-a-body", [1], { "": 1 }].find((v) => validator.check(bodySchema, v) !== undefined);
      if (wrong !== undefined) {
        it(`${op.operationId}: a body of the wrong type is Prism's 4xx, with its reason in the message`, async () => {
          const { options } = caseOptions();
          const error = await door(op.operationId)({ ...validRequest(op), body: wrong, ...options }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(APIError);
          expect((error as APIError).status).toBeGreaterThanOrEqual(400);
          expect((error as APIError).status).toBeLessThan(500);
          expect((error as APIError).message).toMatch(/\bbody\b/);
        });
      }
    }
  });
}
