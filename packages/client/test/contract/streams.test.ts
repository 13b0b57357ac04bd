/**
 * Streaming contracts: real `/event` and `/global/event` streams recorded from the pinned server
 * (pnpm record-fixtures) are replayed from a loopback SSE server, read through the wrapper's stream
 * path, and every event is validated against the spec's event schemas. Event types the spec does
 * not describe are reported as findings, never dropped; a described type with a wrong shape fails.
 * The streams tested come from the spec: an older server without `/api/event` simply has no v2
 * stream, hence no v2 fixture and no v2 test (and the list is checked against the spec).
 */
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createOpencodeClient } from "@ocsdk/sdk";
import { type JsonSchema, splitFrames, startSseReplay } from "@ocsdk/test-kit";
import { afterAll, describe, expect, it } from "vitest";
import { createValidator, loadSpec } from "./lib/spec.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/sse/", import.meta.url));
const spec = loadSpec();
const validator = createValidator(spec);
const schemas = spec.components.schemas;

type TypeField = { const?: string; enum?: string[] };
/** Event types a union schema describes (members by $ref or inline). */
function typesOf(union: string): Set<string> {
  const members = (schemas[union] as { anyOf?: object[]; oneOf?: object[] }) ?? {};
  return new Set(
    (members.anyOf ?? members.oneOf ?? []).flatMap((m) => {
      const ref = (m as { $ref?: string }).$ref;
      const s = (ref ? schemas[ref.split("/").pop() as string] : m) as { properties?: { type?: TypeField } };
      const t = s.properties?.type;
      return t?.const ? [t.const] : (t?.enum ?? []);
    }),
  );
}
const describedTypes = { event: typesOf("Event"), global: typesOf("Event"), v2: typesOf("V2Event") };

/** Every stream the recorder knows, with the schema its events follow. */
const KNOWN_STREAMS = {
  event: { path: "/event", schema: "Event" },
  global: { path: "/global/event", schema: "GlobalEvent" },
  v2: { path: "/api/event", schema: "V2Event" },
} as const;
type StreamKind = keyof typeof KNOWN_STREAMS;
/** Event streams of the spec that have no recording, and why. */
const NOT_RECORDED: Record<string, string> = {
  "/api/session/{sessionID}/event":
    "sends no response headers for sessions run by the v1 prompt loop, which is what the pinned server runs",
};
type PathItem = { get?: { responses?: Record<string, { content?: Record<string, unknown> }> } };
/** GET routes of the spec that answer text/event-stream. */
const specStreams = Object.entries(spec.paths as Record<string, PathItem>)
  .filter(([, item]) => Object.values(item.get?.responses ?? {}).some((r) => r.content?.["text/event-stream"]))
  .map(([path]) => path)
  .sort();
/** The streams of this spec: the tests below are generated from it. */
const STREAMS = Object.fromEntries(
  Object.entries(KNOWN_STREAMS).filter(([, s]) => specStreams.includes(s.path) && s.schema in schemas),
) as Partial<typeof KNOWN_STREAMS>;
/** Reviewed known violations of the real server (shared with the conformance run). */
interface Allowed {
  operation: string;
  eventType?: string;
  message: string;
  reason: string;
}
const ALLOWLIST = fileURLToPath(new URL("../../../../openapi/conformance-allowlist.json", import.meta.url));
const allowed = (JSON.parse(await readFile(ALLOWLIST, "utf8")) as { violations: Allowed[] }).violations;
const OPERATION_OF = { event: "event.subscribe", global: "global.event", v2: "v2.event.subscribe" } as const;
const known: string[] = [];

const files = (await readdir(FIXTURES)).filter((f) => f.endsWith(".sse")).sort();
const findings = new Map<string, number>();
let totalEvents = 0;
let validated = 0;
const allTypes = new Set<string>();

/** Reads the SSE body through the wrapper and returns the `data` of each frame. */
async function readThroughWrapper(url: string, path: string): Promise<string[]> {
  const oc = createOpencodeClient({ baseUrl: url, logLevel: "off" });
  const res = await oc.streamFetch(path, { signal: AbortSignal.timeout(15_000) });
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  return splitFrames(await res.text()).map((frame) =>
    frame
      .split("\n")
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trimStart())
      .join("\n"),
  );
}

describe("recorded streams replayed and validated", () => {
  it("the streams tested are exactly the spec's event streams (less the reviewed unrecorded ones)", () => {
    const tested = Object.values(STREAMS).map((s) => s.path);
    const unrecorded = Object.keys(NOT_RECORDED).filter((p) => specStreams.includes(p));
    expect([...tested, ...unrecorded].sort()).toEqual(specStreams);
  });

  it("fixtures exist for every stream of every scenario", async () => {
    const index = JSON.parse(await readFile(`${FIXTURES}index.json`, "utf8")) as Record<string, unknown>;
    const expected = Object.keys(index).flatMap((name) => Object.keys(STREAMS).map((k) => `${name}.${k}.sse`));
    expect(files).toEqual(expected.sort());
    expect(Object.keys(index)).toEqual(expect.arrayContaining(["text", "tool", "permission"]));
  });

  for (const file of files) {
    const kind = file.split(".")[1] as StreamKind;
    const stream = STREAMS[kind];
    if (!stream) continue; // the file check above fails on a fixture of a stream the spec lacks
    it(`${file}: every event matches ${stream.schema}`, async () => {
      const { path, schema } = stream;
      const text = await readFile(`${FIXTURES}${file}`, "utf8");
      await using replay = await startSseReplay({ [path]: text });
      const frames = await readThroughWrapper(replay.url, path);
      expect(frames.length).toBe(splitFrames(text).length);
      // Comment frames (": heartbeat") carry no data.
      const datas = frames.filter((d) => d !== "");
      const problems: string[] = [];
      const types = new Set<string>();
      for (const data of datas) {
        const value = JSON.parse(data) as { type?: string; payload?: { type?: string } };
        const type = (kind === "global" ? value.payload?.type : value.type) ?? "(none)";
        types.add(type);
        allTypes.add(type);
        if (!describedTypes[kind].has(type)) {
          findings.set(type, (findings.get(type) ?? 0) + 1);
          continue;
        }
        validated++;
        const problem = validator.check(schemas[schema] as JsonSchema, value);
        if (!problem) continue;
        const listed = allowed.some(
          (a) => a.operation === OPERATION_OF[kind] && (a.eventType ?? type) === type && problem.includes(a.message),
        );
        if (listed) known.push(`${file} ${type}: ${problem}`);
        else problems.push(`${type}: ${problem}`);
      }
      totalEvents += datas.length;
      console.log(`streams: ${file}: ${datas.length} events, ${types.size} types`);
      expect(problems).toEqual([]);
      // The scenario's own events are there (not only heartbeats).
      expect(types.has(kind === "v2" ? "session.updated" : "message.part.updated")).toBe(true);
    });
  }

  it("the validator rejects a described event with a wrong shape (control)", () => {
    const bad = { id: "evt_1", type: "session.idle", properties: { sessionID: 42 } };
    expect(validator.check(schemas.Event as JsonSchema, bad)).toBeDefined();
  });
});

afterAll(() => {
  console.log(
    `streams: ${totalEvents} events replayed, ${validated} validated against the spec, ${allTypes.size} distinct types`,
  );
  const list = [...findings].map(([t, n]) => `${t} ×${n}`).join(", ");
  console.log(`streams: findings (types not in the spec): ${list || "none"}`);
  console.log(`streams: ${known.length} allowlisted violations (openapi/conformance-allowlist.json)`);
});
