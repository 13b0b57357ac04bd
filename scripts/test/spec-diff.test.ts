import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenApiDoc } from "../lib/spec.ts";
import { CHANGE_KINDS, type ChangeKind, diffSpecs, eventStreams, formatDiff, type SpecChange } from "../lib/spec-diff.ts";
import { specDiffCli } from "../spec-diff.ts";

type Json = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ content: { "application/json": { schema } } });

/** A small spec; `paths` and `schemas` are the parts the cases vary. */
function spec(paths: Json, schemas: Json = {}, version = "1.0.0"): OpenApiDoc {
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1", "x-opencode-server-version": version },
    paths: paths as OpenApiDoc["paths"],
    components: { schemas },
  };
}

const kinds = (changes: SpecChange[]) => changes.map((c) => `${c.kind}:${c.breaking ? "B" : "n"}`).sort();
const covered = new Map<ChangeKind, Set<boolean>>();
function diff(a: OpenApiDoc, b: OpenApiDoc) {
  const d = diffSpecs(a, b);
  for (const c of d.changes) covered.set(c.kind, (covered.get(c.kind) ?? new Set()).add(c.breaking));
  return d;
}

const getSession = (extra: Json = {}) => ({
  operationId: "session.get",
  parameters: [
    { in: "path", name: "id", required: true, schema: { type: "string" } },
    { in: "query", name: "directory", required: false, schema: { type: "string" } },
  ],
  responses: { "200": { description: "ok", ...json(ref("Session")) } },
  ...extra,
});

describe("diffSpecs: operations", () => {
  it("finds nothing between equal documents", () => {
    const a = spec({ "/s/{id}": { get: getSession() } }, { Session: { type: "object" } });
    const d = diff(a, structuredClone(a));
    expect(d.changes).toEqual([]);
    expect(formatDiff(d)).toMatch(/0 change\(s\): 0 breaking, 0 non-breaking/);
  });

  it("classes an added operation non-breaking and a removed one breaking", () => {
    const a = spec({ "/a": { get: { operationId: "a.get", responses: {} } } });
    const b = spec({ "/b": { post: { operationId: "b.create", responses: {} } } });
    const d = diff(a, b);
    expect(kinds(d.changes)).toEqual(["operation.added:n", "operation.removed:B"]);
    expect(d.changes.find((c) => c.kind === "operation.removed")?.location).toBe("GET /a");
    expect(d.breaking).toBe(1);
  });

  it("matches paths whose parameter was renamed, and reports the rename as parameter changes", () => {
    const a = spec({ "/s/{id}": { get: getSession() } }, { Session: {} });
    const renamed = getSession();
    renamed.parameters[0] = { in: "path", name: "sessionID", required: true, schema: { type: "string" } };
    const b = spec({ "/s/{sessionID}": { get: renamed } }, { Session: {} });
    expect(kinds(diff(a, b).changes)).toEqual(["parameter.added:B", "parameter.removed:B"]);
  });

  it("classes an operationId change breaking (the generated function is renamed)", () => {
    const a = spec({ "/s/{id}": { get: getSession() } }, { Session: {} });
    const b = spec({ "/s/{id}": { get: getSession({ operationId: "session.fetch" }) } }, { Session: {} });
    const d = diff(a, b);
    expect(kinds(d.changes)).toEqual(["operation.renamed:B"]);
    expect(d.changes[0]?.message).toContain('"session.get" → "session.fetch"');
  });
});

describe("diffSpecs: parameters", () => {
  const base = spec({ "/s/{id}": { get: getSession() } }, { Session: {} });
  const withParams = (params: Json[]) => spec({ "/s/{id}": { get: getSession({ parameters: params }) } }, { Session: {} });
  const id = { in: "path", name: "id", required: true, schema: { type: "string" } };

  it("optional parameter added: non-breaking; required one: breaking", () => {
    const optional = withParams([
      id,
      { in: "query", name: "directory", schema: { type: "string" } },
      { in: "query", name: "limit", schema: { type: "number" } },
    ]);
    expect(kinds(diff(base, optional).changes)).toEqual(["parameter.added:n"]);
    const required = withParams([
      id,
      { in: "query", name: "directory", schema: { type: "string" } },
      { in: "header", name: "x-k", required: true, schema: { type: "string" } },
    ]);
    const d = diff(base, required);
    expect(kinds(d.changes)).toEqual(["parameter.added:B"]);
    expect(d.changes[0]?.pointer).toBe("header.x-k");
  });

  it("parameter removed, now required, now optional", () => {
    expect(kinds(diff(base, withParams([id])).changes)).toEqual(["parameter.removed:B"]);
    const req = withParams([id, { in: "query", name: "directory", required: true, schema: { type: "string" } }]);
    expect(kinds(diff(base, req).changes)).toEqual(["parameter.now-required:B"]);
    expect(kinds(diff(req, base).changes)).toEqual(["parameter.now-optional:n"]);
  });

  it("diffs parameter schemas as sent values (enum narrowing breaks, widening does not)", () => {
    const e1 = withParams([id, { in: "query", name: "directory", schema: { type: "string", enum: ["a", "b"] } }]);
    const e2 = withParams([id, { in: "query", name: "directory", schema: { type: "string", enum: ["a", "c"] } }]);
    expect(kinds(diff(e1, e2).changes)).toEqual(["enum.value-added:n", "enum.value-removed:B"]);
  });

  it("resolves $ref parameters and path-level parameters", () => {
    const a = spec({ "/x": { parameters: [{ $ref: "#/components/parameters/Dir" }], get: { operationId: "x", responses: {} } } });
    (a.components as Json).parameters = { Dir: { in: "query", name: "dir", schema: { type: "string" } } };
    const b = structuredClone(a);
    ((b.components as Json).parameters as Json).Dir = { in: "query", name: "dir", required: true, schema: { type: "string" } };
    expect(kinds(diff(a, b).changes)).toEqual(["parameter.now-required:B"]);
  });
});

describe("diffSpecs: request bodies", () => {
  const op = (body?: Json) =>
    spec({ "/s": { post: { operationId: "s.create", ...(body ? { requestBody: body } : {}), responses: {} } } });
  const body = (required: boolean, schema: unknown = { type: "object", properties: { title: { type: "string" } } }) => ({
    required,
    ...json(schema),
  });

  it("body added (optional / required), removed, now required, now optional", () => {
    expect(kinds(diff(op(), op(body(false))).changes)).toEqual(["request-body.added:n"]);
    expect(kinds(diff(op(), op(body(true))).changes)).toEqual(["request-body.added:B"]);
    expect(kinds(diff(op(body(true)), op()).changes)).toEqual(["request-body.removed:B"]);
    expect(kinds(diff(op(body(false)), op(body(true))).changes)).toEqual(["request-body.now-required:B"]);
    expect(kinds(diff(op(body(true)), op(body(false))).changes)).toEqual(["request-body.now-optional:n"]);
  });

  it("inline body properties follow the request rules", () => {
    const a = op(
      body(true, { type: "object", required: ["title"], properties: { title: { type: "string" }, tag: { type: "string" } } }),
    );
    const b = op(
      body(true, {
        type: "object",
        required: ["tag", "mode"],
        properties: { tag: { type: "string" }, mode: { type: "string" }, note: { type: "string" } },
      }),
    );
    const d = diff(a, b);
    expect(kinds(d.changes)).toEqual([
      "property.added:B", // mode (required)
      "property.added:n", // note (optional)
      "property.now-required:B", // tag
      "property.removed:B", // title
    ]);
    expect(d.changes.find((c) => c.message.includes("mode"))?.pointer).toBe("requestBody.properties.mode");
    expect(kinds(diff(b, a).changes)).toContain("property.now-optional:n");
  });

  it("request types: widening is fine, narrowing breaks; a media type change breaks", () => {
    const num = op(body(true, { type: "object", properties: { n: { type: "number" } } }));
    const numOrNull = op(body(true, { type: "object", properties: { n: { type: ["number", "null"] } } }));
    expect(kinds(diff(num, numOrNull).changes)).toEqual(["type.changed:n"]);
    expect(kinds(diff(numOrNull, num).changes)).toEqual(["type.changed:B"]);
    const text = op({ required: true, content: { "text/plain": { schema: { type: "string" } } } });
    expect(kinds(diff(op(body(true)), text).changes)).toEqual(["type.changed:B"]);
  });
});

describe("diffSpecs: responses", () => {
  const op = (responses: Json) => spec({ "/s": { get: { operationId: "s.get", responses } } });
  const ok = (schema: unknown) => ({ description: "", ...json(schema) });

  it("response codes and media types added / removed", () => {
    const a = op({ "200": ok({ type: "string" }) });
    const b = op({ "200": ok({ type: "string" }), "404": ok({ type: "object" }) });
    expect(kinds(diff(a, b).changes)).toEqual(["response.added:n"]);
    expect(kinds(diff(b, a).changes)).toEqual(["response.removed:n"]); // an error response going away breaks no one
    expect(kinds(diff(a, op({})).changes)).toEqual(["response.removed:B"]);
    const sse = op({ "200": { description: "", content: { "text/event-stream": { schema: { type: "string" } } } } });
    expect(kinds(diff(a, sse).changes)).toEqual(["response.added:n", "response.removed:B"]);
  });

  it("inline response properties follow the response rules", () => {
    const a = op({
      "200": ok({ type: "object", required: ["id"], properties: { id: { type: "string" }, old: { type: "string" } } }),
    });
    const b = op({ "200": ok({ type: "object", properties: { id: { type: "string" }, extra: { type: "number" } } }) });
    expect(kinds(diff(a, b).changes)).toEqual(["property.added:n", "property.now-optional:B", "property.removed:B"]);
    expect(kinds(diff(b, a).changes)).toContain("property.now-required:n");
  });

  it("response types: narrowing is fine, widening breaks; enums and unions", () => {
    const s = op({ "200": ok({ type: ["string", "null"] }) });
    const t = op({ "200": ok({ type: "string" }) });
    expect(kinds(diff(s, t).changes)).toEqual(["type.changed:n"]);
    expect(kinds(diff(t, s).changes)).toEqual(["type.changed:B"]);
    const e1 = op({ "200": ok({ type: "string", enum: ["idle", "busy"] }) });
    const e2 = op({ "200": ok({ type: "string", enum: ["idle", "retry"] }) });
    // A reader's switch meets a value it does not handle: widening a response breaks (README).
    expect(kinds(diff(e1, e2).changes)).toEqual(["enum.value-added:B", "enum.value-removed:n"]);
    const u1 = op({ "200": ok({ anyOf: [ref("A"), ref("B")] }) });
    const u2 = op({ "200": ok({ anyOf: [ref("A"), ref("C")] }) });
    expect(kinds(diff(u1, u2).changes)).toEqual(["variant.added:B", "variant.removed:n"]);
    expect(diff(u1, u2).changes.find((c) => c.kind === "variant.added")?.reason).toBe("breaking: a response type widened");
  });

  it("a union on one side only is matched member by member", () => {
    const union = op({ "200": ok({ anyOf: [{ type: "integer" }, { type: "boolean", enum: [false] }] }) });
    const plain = op({ "200": ok({ type: "integer" }) });
    const d = diff(union, plain);
    expect(kinds(d.changes)).toEqual(["variant.removed:n"]);
    expect(d.changes[0]?.message).toBe("union member boolean false removed (narrowed)");
    expect(kinds(diff(plain, union).changes)).toEqual(["variant.added:B"]);
    const plainString = op({ "200": ok({ type: "string" }) });
    expect(kinds(diff(union, plainString).changes)).toEqual(["variant.added:B", "variant.removed:n", "variant.removed:n"]);
  });

  it("a different $ref is a type change; array items and maps are followed", () => {
    expect(kinds(diff(op({ "200": ok(ref("A")) }), op({ "200": ok(ref("B")) })).changes)).toEqual(["type.changed:B"]);
    const arr = (p: Json) => op({ "200": ok({ type: "array", items: { type: "object", properties: p } }) });
    const d = diff(arr({ a: { type: "string" } }), arr({ a: { type: "string" }, b: { type: "string" } }));
    expect(d.changes.map((c) => c.pointer)).toEqual(["responses.200.items.properties.b"]);
    const map = (t: string) => op({ "200": ok({ type: "object", additionalProperties: { type: t } }) });
    expect(diff(map("string"), map("number")).changes[0]?.pointer).toBe("responses.200.additionalProperties");
  });
});

describe("diffSpecs: schemas compared by shape", () => {
  const op = (schema: unknown, schemas: Json = {}, body?: unknown) =>
    spec(
      {
        "/s": {
          post: {
            operationId: "s.post",
            ...(body ? { requestBody: { required: true, ...json(body) } } : {}),
            responses: { "200": { description: "", ...json(schema) } },
          },
        },
      },
      schemas,
    );
  const obj = { type: "object", properties: { id: { type: "string" } }, required: ["id"] };

  it("an inline schema and a $ref of the same shape are equal (documentation ignored)", () => {
    const a = op(ref("Info"), { Info: obj });
    const b = op({ ...obj, description: "the info" }, { Info: obj });
    expect(diff(a, b).changes).toEqual([]);
    expect(diff(b, a).changes).toEqual([]);
    // Inside a union too, and const is a one-value enum.
    const u1 = op({ anyOf: [ref("Info"), { type: "string", const: "x" }] }, { Info: obj });
    const u2 = op({ anyOf: [{ type: "string", enum: ["x"] }, obj] }, { Info: obj });
    expect(diff(u1, u2).changes).toEqual([]);
  });

  it("union members are a set of shapes: duplicates collapse, a one-member union is its member", () => {
    const dup = op({ anyOf: [ref("Info"), obj, ref("Info")] }, { Info: obj });
    expect(diff(dup, op(obj, { Info: obj })).changes).toEqual([]);
    expect(diff(op({ anyOf: [{ type: "string" }] }), op({ type: "string" })).changes).toEqual([]);
    // A member a bare sibling already admits adds no values: `"a"|string` is string.
    expect(diff(op({ anyOf: [{ type: "string", enum: ["a"] }, { type: "string" }] }), op({ type: "string" })).changes).toEqual(
      [],
    );
  });

  it("integer is a number: integer → number widens, number → integer narrows", () => {
    const int = op({ type: "integer" });
    const num = op({ type: "number" });
    expect(kinds(diff(int, num).changes)).toEqual(["type.changed:B"]);
    expect(kinds(diff(num, int).changes)).toEqual(["type.changed:n"]);
    const sent = (t: string) => op({ type: "string" }, {}, { type: t });
    expect(kinds(diff(sent("integer"), sent("number")).changes)).toEqual(["type.changed:n"]);
    expect(kinds(diff(sent("number"), sent("integer")).changes)).toEqual(["type.changed:B"]);
  });

  it("patterns: added narrows (breaks requests), removed widens (breaks responses), changed does both", () => {
    const sent = (s: Json) => op({ type: "string" }, {}, s);
    const read = (s: Json) => op(s);
    const p = (pattern?: string) => ({ type: "string", ...(pattern ? { pattern } : {}) });
    expect(kinds(diff(sent(p()), sent(p("^wrk"))).changes)).toEqual(["pattern.changed:B"]);
    expect(kinds(diff(sent(p("^wrk")), sent(p())).changes)).toEqual(["pattern.changed:n"]);
    expect(kinds(diff(read(p()), read(p("^ses"))).changes)).toEqual(["pattern.changed:n"]);
    expect(kinds(diff(read(p("^ses")), read(p())).changes)).toEqual(["pattern.changed:B"]);
    const changed = diff(sent(p("^a")), sent(p("^b"))).changes;
    expect(kinds(changed)).toEqual(["pattern.changed:B"]);
    expect(changed[0]?.message).toBe('pattern "^a" → "^b" (changed)');
  });

  it("a renamed $ref is compared by content and says so", () => {
    const a = op(
      { type: "string" },
      { Delivery: { type: "string", enum: ["immediate", "deferred"] } },
      { type: "object", properties: { d: ref("Delivery") } },
    );
    const b = op(
      { type: "string" },
      { Mode: { type: "string", enum: ["steer", "queue"] } },
      { type: "object", properties: { d: ref("Mode") } },
    );
    const d = diff(a, b).changes.filter((c) => c.location === "POST /s");
    expect(kinds(d)).toEqual(["enum.value-added:n", "enum.value-added:n", "enum.value-removed:B", "enum.value-removed:B"]);
    expect(d.find((c) => c.kind === "enum.value-removed")?.message).toBe(
      'enum value "immediate" removed (values "immediate"|"deferred" → "steer"|"queue") ($ref Delivery → $ref Mode)',
    );
  });

  it("a sent union: a new member widens (fine), a member gone narrows (breaks)", () => {
    const sent = (members: unknown[]) => op({ type: "string" }, {}, { anyOf: members });
    const d = diff(sent([{ type: "string" }, { type: "boolean" }]), sent([{ type: "string" }, { type: "number" }]));
    expect(kinds(d.changes)).toEqual(["variant.added:n", "variant.removed:B"]);
    expect(d.changes.find((c) => c.kind === "variant.removed")?.reason).toBe("breaking: a request type narrowed");
  });

  it("recursive schemas terminate (cycle guard) and still diff", () => {
    const node = (extra: Json = {}) => ({
      type: "object",
      properties: { children: { type: "array", items: ref("Node") }, ...extra },
    });
    const tree = (extra: Json = {}) => ({
      type: "object",
      properties: { children: { type: "array", items: ref("Tree") }, ...extra },
    });
    const a = op(ref("Node"), { Node: node() });
    expect(diff(a, op(ref("Tree"), { Tree: tree() })).changes.filter((c) => c.location === "POST /s")).toEqual([]);
    const d = diff(a, op(ref("Tree"), { Tree: tree({ n: { type: "number" } }) })).changes.filter((c) => c.location === "POST /s");
    expect(kinds(d)).toEqual(["property.added:n"]);
  });
});

describe("diffSpecs: component schemas", () => {
  const paths = {
    "/s": {
      post: {
        operationId: "s.create",
        requestBody: { required: true, ...json(ref("Input")) },
        responses: { "200": { description: "", ...json(ref("Session")) } },
      },
    },
  };
  const schemas = (input: Json, session: Json, extra: Json = {}) => ({ Input: input, Session: session, ...extra });
  const obj = (props: Json, required: string[] = []) => ({ type: "object", properties: props, required });

  it("schemas added and removed", () => {
    const a = spec(paths, schemas(obj({}), obj({}), { Old: { type: "string" } }));
    const b = spec(paths, schemas(obj({}), obj({}), { New: { type: "string" } }));
    expect(kinds(diff(a, b).changes)).toEqual(["schema.added:n", "schema.removed:B"]);
  });

  it("the same change is breaking in a sent schema and not in a read one", () => {
    const a = spec(paths, schemas(obj({ x: { type: "string" } }), obj({ x: { type: "string" } })));
    const b = spec(
      paths,
      schemas(
        obj({ x: { type: "string" }, y: { type: "string" } }, ["y"]),
        obj({ x: { type: "string" }, y: { type: "string" } }, ["y"]),
      ),
    );
    const d = diff(a, b);
    const byLoc = Object.fromEntries(d.changes.map((c) => [c.location, `${c.kind}:${c.breaking ? "B" : "n"}`]));
    expect(byLoc).toEqual({ "schema Input": "property.added:B", "schema Session": "property.added:n" });
  });

  it("a schema reached from both sides takes the stricter class (nested refs followed)", () => {
    const both = {
      "/s": {
        post: {
          operationId: "s.create",
          requestBody: json(ref("Wrapper")),
          responses: { "200": { description: "", ...json(ref("Session")) } },
        },
      },
    };
    const a = spec(both, { Wrapper: obj({ s: ref("Session") }), Session: obj({ x: { type: "string" } }, ["x"]) });
    const b = spec(both, { Wrapper: obj({ s: ref("Session") }), Session: obj({ x: { type: "string" } }) });
    // now-optional is harmless for senders but breaks readers.
    expect(kinds(diff(a, b).changes)).toEqual(["property.now-optional:B"]);
  });

  it("const-discriminated union members are matched by their type value", () => {
    const member = (t: string, props: Json = {}) => obj({ type: { type: "string", const: t }, ...props }, ["type"]);
    const a = spec(paths, schemas(obj({}), { oneOf: [member("a"), member("b", { n: { type: "number" } })] }));
    const b = spec(paths, schemas(obj({}), { oneOf: [member("b", { n: { type: "string" } }), member("a")] }));
    const d = diff(a, b);
    expect(kinds(d.changes)).toEqual(["type.changed:B"]);
    expect(d.changes[0]?.pointer).toBe("oneOf[type=b].properties.n");
  });

  it("an enum appearing or going away is a type change", () => {
    const a = spec(paths, schemas(obj({ m: { type: "string" } }), obj({})));
    const b = spec(paths, schemas(obj({ m: { type: "string", enum: ["x"] } }), obj({})));
    expect(kinds(diff(a, b).changes)).toEqual(["type.changed:B"]);
    expect(kinds(diff(b, a).changes)).toEqual(["type.changed:n"]);
  });
});

describe("diffSpecs: event types", () => {
  const evt = (type: string) => ({
    type: "object",
    required: ["id", "type", "properties"],
    properties: { id: { type: "string" }, type: { type: "string", enum: [type] }, properties: { type: "object" } },
  });
  const streams = (members: string[]) =>
    spec(
      {
        "/event": {
          get: {
            operationId: "event.subscribe",
            responses: { "200": { description: "", content: { "text/event-stream": { schema: ref("Event") } } } },
          },
        },
        "/global/event": {
          get: {
            operationId: "global.event",
            responses: {
              "200": {
                description: "",
                content: {
                  "text/event-stream": {
                    schema: {
                      type: "object",
                      properties: { directory: { type: "string" }, payload: { anyOf: members.map(evt) } },
                    },
                  },
                },
              },
            },
          },
        },
      },
      {
        Event: { anyOf: members.map((m) => ref(`Event_${m}`)) },
        ...Object.fromEntries(members.map((m) => [`Event_${m}`, evt(m)])),
      },
    );

  it("collects event types per stream, through refs and envelopes", () => {
    const s = eventStreams(streams(["session.created", "session.idle"]));
    expect([...(s.get("GET /event") ?? [])].sort()).toEqual(["session.created", "session.idle"]);
    expect([...(s.get("GET /global/event") ?? [])].sort()).toEqual(["session.created", "session.idle"]);
  });

  it("event type added: non-breaking; removed: breaking (per stream)", () => {
    const d = diff(streams(["session.created", "session.idle"]), streams(["session.created", "session.status"]));
    const events = d.changes.filter((c) => c.kind.startsWith("event."));
    expect(events.map((c) => `${c.location} ${c.message} ${c.breaking ? "B" : "n"}`).sort()).toEqual([
      "events GET /event event type session.idle removed B",
      "events GET /event event type session.status added n",
      "events GET /global/event event type session.idle removed B",
      "events GET /global/event event type session.status added n",
    ]);
  });
});

describe("formatDiff and the CLI", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ocsdk-spec-diff-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const a = spec(
    { "/a": { get: { operationId: "a", responses: {} } }, "/b": { get: { operationId: "b", responses: {} } } },
    {},
    "1.0.0",
  );
  const b = spec(
    { "/a": { get: { operationId: "a", responses: {} } }, "/c": { get: { operationId: "c", responses: {} } } },
    {},
    "1.1.0",
  );

  it("prints versions, counts per class and both sections", () => {
    const text = formatDiff(diffSpecs(a, b));
    expect(text).toContain("spec diff: opencode 1.0.0 → 1.1.0");
    expect(text).toMatch(/operation\.added\s+1\n/);
    expect(text).toMatch(/operation\.removed\s+1 {2}\(breaking\)/);
    expect(text).toMatch(/BREAKING changes \(1\):\n {2}GET \/b\n {4}- \[operation\.removed\] operation removed \(b\)/);
    expect(text).toMatch(/non-breaking changes \(1\):\n {2}GET \/c/);
  });

  it("caps long sections", () => {
    const many = spec(
      Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`/p${i}`, { get: { operationId: `p${i}`, responses: {} } }])),
    );
    expect(formatDiff(diffSpecs(spec({}), many), { limit: 2 })).toContain("… 3 more (use --json for all)");
  });

  it("reads two files and prints text or JSON; --fail-on-breaking sets exit code 2", async () => {
    const fa = join(dir, "a.json");
    const fb = join(dir, "b.json");
    await writeFile(fa, JSON.stringify(a));
    await writeFile(fb, JSON.stringify(b));
    const text = await specDiffCli([fa, fb]);
    expect(text.code).toBe(0);
    expect(text.output).toContain("1 breaking, 1 non-breaking");
    const out = await specDiffCli([fa, fb, "--json", "--fail-on-breaking"]);
    expect(out.code).toBe(2);
    const parsed = JSON.parse(out.output) as { breaking: number; counts: Json; changes: SpecChange[] };
    expect(parsed.counts).toEqual({ "operation.added": 1, "operation.removed": 1 });
    expect(parsed.changes.map((c) => c.location).sort()).toEqual(["GET /b", "GET /c"]);
    expect((await specDiffCli([fa, fa, "--fail-on-breaking"])).code).toBe(0);
    await expect(specDiffCli([fa])).rejects.toThrow(/usage: pnpm spec-diff/);
    await expect(specDiffCli([fa, join(dir, "missing.json")])).rejects.toThrow(/cannot read spec file .*missing\.json: ENOENT/);
  });
});

describe("coverage of the classes", () => {
  // Runs last in this file: every class, and for "depends" classes both outcomes, was produced above.
  it("every change class was produced by some hand-made pair", () => {
    const missing: string[] = [];
    for (const [kind, rule] of Object.entries(CHANGE_KINDS) as [ChangeKind, boolean | "depends"][]) {
      const seen = covered.get(kind);
      const expected = rule === "depends" ? [true, false] : [rule];
      for (const b of expected) if (!seen?.has(b)) missing.push(`${kind}:${b ? "breaking" : "non-breaking"}`);
    }
    expect(missing).toEqual([]);
  });
});
