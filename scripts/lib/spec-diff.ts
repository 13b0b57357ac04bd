/**
 * Classified differences between two OpenAPI 3.1 documents, from the point of view of a
 * TypeScript user of the generated client and the wrapper.
 *
 * Pure: no I/O. The rule behind every class ("breaking" or not) is in {@link CHANGE_KINDS};
 * in short: narrowing what a user may send, or taking away / widening what a user reads, is
 * breaking; additions are not (new enum values and union members included: code that switches
 * over them must keep a default branch — the README says so).
 */
import type { OpenApiDoc } from "./spec.ts";
import { SERVER_VERSION_KEY } from "./spec.ts";

/**
 * Every change class the diff can report, with whether it breaks SDK users.
 * `"depends"` classes are decided per change (see each entry's comment).
 *
 * @example
 * ```ts
 * Object.keys(CHANGE_KINDS).length; // number of classes the unit tests must cover
 * ```
 */
export const CHANGE_KINDS = {
  "operation.added": false,
  "operation.removed": true,
  /** The generated function is named after the operationId: a rename removes the old function. */
  "operation.renamed": true,
  /** Breaking when the new parameter is required. */
  "parameter.added": "depends",
  "parameter.removed": true,
  "parameter.now-required": true,
  "parameter.now-optional": false,
  /** Breaking when the new body is required. */
  "request-body.added": "depends",
  "request-body.removed": true,
  "request-body.now-required": true,
  "request-body.now-optional": false,
  "response.added": false,
  /** Breaking when a success (2xx) response or its media type goes away. */
  "response.removed": "depends",
  "schema.added": false,
  /** The exported type of that name disappears from @ocsdk/client. */
  "schema.removed": true,
  /** Breaking in a request when the new property is required; never in a response. */
  "property.added": "depends",
  "property.removed": true,
  /** Breaking when the schema is sent (request); fine when it is only read. */
  "property.now-required": "depends",
  /** Breaking when the schema is read (response); fine when it is only sent. */
  "property.now-optional": "depends",
  /** Not breaking when a request type only widens or a response type only narrows. */
  "type.changed": "depends",
  "enum.value-added": false,
  "enum.value-removed": true,
  "variant.added": false,
  "variant.removed": true,
  "event.added": false,
  "event.removed": true,
} as const satisfies Record<string, boolean | "depends">;

/** One class of change; see {@link CHANGE_KINDS}. */
export type ChangeKind = keyof typeof CHANGE_KINDS;

/** Where a schema is used: sent by SDK users, read by them, or both. */
export type Direction = "request" | "response" | "both";

/**
 * One classified change.
 *
 * @example
 * ```ts
 * const c: SpecChange = { kind: "operation.removed", breaking: true, location: "GET /x", message: "operation removed" };
 * ```
 */
export interface SpecChange {
  kind: ChangeKind;
  breaking: boolean;
  /** `METHOD /path`, `schema Name`, or `events GET /event`. */
  location: string;
  /** Position inside the location, e.g. `requestBody.properties.title` or `query.directory`. */
  pointer?: string;
  message: string;
}

/**
 * The result of {@link diffSpecs}.
 *
 * @example
 * ```ts
 * const d = diffSpecs(oldDoc, newDoc);
 * if (d.breaking > 0) console.log("breaking upgrade");
 * ```
 */
export interface SpecDiff {
  from: { serverVersion?: string; operations: number; schemas: number };
  to: { serverVersion?: string; operations: number; schemas: number };
  changes: SpecChange[];
  breaking: number;
  nonBreaking: number;
  /** Number of changes per class (only classes that occur). */
  counts: Partial<Record<ChangeKind, number>>;
}

type Json = Record<string, unknown>;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const SCHEMA_PREFIX = "#/components/schemas/";

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

interface Operation {
  method: string;
  path: string;
  op: Json;
  /** Path-level parameters merged in. */
  params: Json[];
}

/** Operations keyed by method + path with parameter names blanked, so `{id}`→`{sessionID}` still matches. */
function operations(doc: OpenApiDoc): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!isObj(item)) continue;
    const shared = Array.isArray(item.parameters) ? (item.parameters as Json[]) : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const own = Array.isArray(op.parameters) ? (op.parameters as Json[]) : [];
      const params = new Map<string, Json>();
      for (const p of [...shared, ...own].map((p) => deref(doc, p))) params.set(`${p.in}.${p.name}`, p);
      out.set(`${method.toUpperCase()} ${path.replace(/\{[^}]*\}/g, "{}")}`, {
        method: method.toUpperCase(),
        path,
        op,
        params: [...params.values()],
      });
    }
  }
  return out;
}

/** Resolves a local `$ref` (parameters, request bodies, responses); schemas stay referenced. */
function deref(doc: OpenApiDoc, value: unknown): Json {
  let v = value;
  for (let i = 0; i < 10 && isObj(v) && typeof v.$ref === "string"; i++) {
    const parts = (v.$ref as string).replace(/^#\//, "").split("/");
    let target: unknown = doc;
    for (const part of parts) target = isObj(target) ? target[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    v = target;
  }
  return isObj(v) ? v : {};
}

function refName(schema: unknown): string | undefined {
  if (!isObj(schema) || typeof schema.$ref !== "string") return undefined;
  return schema.$ref.startsWith(SCHEMA_PREFIX) ? schema.$ref.slice(SCHEMA_PREFIX.length) : schema.$ref;
}

/** Names of component schemas referenced anywhere inside a value. */
function refsIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (isObj(value)) {
    const name = refName(value);
    if (name) out.add(name);
    for (const v of Object.values(value)) refsIn(v, out);
  }
}

/** Closure of schema names reachable from the roots. */
function reachable(doc: OpenApiDoc, roots: Set<string>): Set<string> {
  const schemas = doc.components?.schemas ?? {};
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const found = new Set<string>();
    refsIn(schemas[name], found);
    queue.push(...found);
  }
  return seen;
}

/** For each component schema: is it sent, read, or both (unused ones count as read: they are exported types). */
function directions(doc: OpenApiDoc): Map<string, Direction> {
  const req = new Set<string>();
  const res = new Set<string>();
  for (const { op, params } of operations(doc).values()) {
    for (const p of params) refsIn(p.schema, req);
    refsIn(deref(doc, op.requestBody), req);
    for (const r of Object.values(isObj(op.responses) ? op.responses : {})) refsIn(deref(doc, r), res);
  }
  const sent = reachable(doc, req);
  const read = reachable(doc, res);
  const out = new Map<string, Direction>();
  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    out.set(name, sent.has(name) ? (read.has(name) ? "both" : "request") : "response");
  }
  return out;
}

/** The set of JSON types a schema admits (`const`/`enum` imply their values' types). */
function typeSet(s: Json): Set<string> | undefined {
  if (typeof s.type === "string") return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type as string[]);
  if (isObj(s.properties)) return new Set(["object"]);
  return undefined;
}

function enumValues(s: Json): unknown[] | undefined {
  if (Array.isArray(s.enum)) return s.enum;
  if ("const" in s) return [s.const];
  return undefined;
}

const subset = (a: Set<string>, b: Set<string>) => [...a].every((x) => b.has(x));
const show = (v: unknown) => JSON.stringify(v);

/** Breaking test for the "depends" classes, per direction; `both` is breaking if either is. */
function breaks(dir: Direction, ifRequest: boolean, ifResponse: boolean): boolean {
  if (dir === "request") return ifRequest;
  if (dir === "response") return ifResponse;
  return ifRequest || ifResponse;
}

function union(s: Json): { key: "anyOf" | "oneOf"; members: unknown[] } | undefined {
  if (Array.isArray(s.anyOf)) return { key: "anyOf", members: s.anyOf };
  if (Array.isArray(s.oneOf)) return { key: "oneOf", members: s.oneOf };
  return undefined;
}

/**
 * Union members keyed by identity: the $ref name, else the discriminating `type` literal,
 * else the JSON type(s) (with the enum, if any); repeats get `#n` so none is lost.
 */
function variants(members: unknown[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const v of members) {
    let key = refName(v);
    if (!key && isObj(v)) {
      const disc = isObj(v.properties) && isObj(v.properties.type) ? enumValues(v.properties.type) : undefined;
      if (disc?.length === 1) key = `type=${String(disc[0])}`;
      else {
        const types = typeSet(v);
        const values = enumValues(v);
        key = `${types ? [...types].sort().join("|") : "schema"}${values ? ` ${values.map(show).join("|")}` : ""}`;
      }
    }
    key ??= "schema";
    let unique = key;
    for (let n = 2; out.has(unique); n++) unique = `${key}#${n}`;
    out.set(unique, v);
  }
  return out;
}

class Differ {
  readonly changes: SpecChange[] = [];

  add(kind: ChangeKind, location: string, pointer: string | undefined, message: string, breaking?: boolean): void {
    const fixed = CHANGE_KINDS[kind];
    const b = fixed === "depends" ? Boolean(breaking) : fixed;
    this.changes.push({ kind, breaking: b, location, ...(pointer ? { pointer } : {}), message });
  }

  /** Compares two schemas at one position. `$ref`s are compared by name: their targets are diffed once, as components. */
  schema(a: unknown, b: unknown, dir: Direction, location: string, pointer: string, depth = 0): void {
    if (!isObj(a) || !isObj(b) || depth > 40) return;
    const ra = refName(a);
    const rb = refName(b);
    if (ra || rb) {
      if (ra !== rb) {
        this.add(
          "type.changed",
          location,
          pointer,
          `type changed from ${ra ?? "an inline schema"} to ${rb ?? "an inline schema"}`,
          true,
        );
      }
      return;
    }
    const at = (suffix: string) => (pointer ? `${pointer}.${suffix}` : suffix);

    const ta = typeSet(a);
    const tb = typeSet(b);
    if (ta && tb && !(subset(ta, tb) && subset(tb, ta))) {
      const widened = subset(ta, tb);
      const narrowed = subset(tb, ta);
      this.add(
        "type.changed",
        location,
        pointer || undefined,
        `type changed from ${[...ta].join("|")} to ${[...tb].join("|")}`,
        breaks(dir, !widened, !narrowed),
      );
    }

    const ea = enumValues(a);
    const eb = enumValues(b);
    if (ea && eb) {
      const sa = new Set(ea.map(show));
      const sb = new Set(eb.map(show));
      for (const v of sb) if (!sa.has(v)) this.add("enum.value-added", location, pointer || undefined, `enum value ${v} added`);
      for (const v of sa)
        if (!sb.has(v)) this.add("enum.value-removed", location, pointer || undefined, `enum value ${v} removed`);
    } else if (ea && !eb && tb) {
      this.add(
        "type.changed",
        location,
        pointer || undefined,
        `no longer restricted to ${ea.map(show).join(", ")}`,
        breaks(dir, false, true),
      );
    } else if (!ea && eb && ta) {
      this.add(
        "type.changed",
        location,
        pointer || undefined,
        `now restricted to ${eb.map(show).join(", ")}`,
        breaks(dir, true, false),
      );
    }

    const pa = isObj(a.properties) ? a.properties : undefined;
    const pb = isObj(b.properties) ? b.properties : undefined;
    if (pa || pb) {
      const reqA = new Set(Array.isArray(a.required) ? (a.required as string[]) : []);
      const reqB = new Set(Array.isArray(b.required) ? (b.required as string[]) : []);
      for (const name of Object.keys(pb ?? {})) {
        if (pa && name in pa) continue;
        const required = reqB.has(name);
        this.add(
          "property.added",
          location,
          at(`properties.${name}`),
          `${required ? "required" : "optional"} property ${name} added`,
          breaks(dir, required, false),
        );
      }
      for (const name of Object.keys(pa ?? {})) {
        if (!pb || !(name in pb)) {
          this.add("property.removed", location, at(`properties.${name}`), `property ${name} removed`);
          continue;
        }
        if (!reqA.has(name) && reqB.has(name)) {
          this.add(
            "property.now-required",
            location,
            at(`properties.${name}`),
            `property ${name} is now required`,
            breaks(dir, true, false),
          );
        } else if (reqA.has(name) && !reqB.has(name)) {
          this.add(
            "property.now-optional",
            location,
            at(`properties.${name}`),
            `property ${name} is now optional`,
            breaks(dir, false, true),
          );
        }
        this.schema(pa?.[name], pb[name], dir, location, at(`properties.${name}`), depth + 1);
      }
    }

    this.schema(a.items, b.items, dir, location, at("items"), depth + 1);
    this.schema(a.additionalProperties, b.additionalProperties, dir, location, at("additionalProperties"), depth + 1);
    this.schema(a.contentSchema, b.contentSchema, dir, location, at("contentSchema"), depth + 1);

    // A union on one side only is compared as if the other side were a one-member union:
    // `integer | false` → `integer` is one removed member, not two.
    const ua = union(a);
    const ub = union(b);
    if (ua || ub) {
      const key = ua?.key ?? ub?.key ?? "anyOf";
      const ma = variants(ua?.members ?? [a]);
      const mb = variants(ub?.members ?? [b]);
      for (const [k, v] of mb) {
        if (!ma.has(k)) this.add("variant.added", location, at(key), `${key} member ${k} added`);
        else if (ua && ub) this.schema(ma.get(k), v, dir, location, at(`${key}[${k}]`), depth + 1);
        else this.schema(ma.get(k), v, dir, location, pointer, depth + 1);
      }
      for (const k of ma.keys()) if (!mb.has(k)) this.add("variant.removed", location, at(key), `${key} member ${k} removed`);
    }
    const aa = Array.isArray(a.allOf) ? (a.allOf as unknown[]) : [];
    const ab = Array.isArray(b.allOf) ? (b.allOf as unknown[]) : [];
    for (let i = 0; i < Math.min(aa.length, ab.length); i++)
      this.schema(aa[i], ab[i], dir, location, at(`allOf[${i}]`), depth + 1);
    if (aa.length !== ab.length) {
      this.add("type.changed", location, at("allOf"), `allOf has ${ab.length} part(s), had ${aa.length}`, true);
    }
  }
}

function isSuccess(status: string): boolean {
  return /^2/.test(status) || status === "default";
}

/** Event `type` values reachable from a schema: union members whose `type` property is a single literal. */
function eventTypes(doc: OpenApiDoc, schema: unknown, out: Set<string>, seen = new Set<unknown>(), depth = 0): void {
  if (!isObj(schema) || seen.has(schema) || depth > 12) return;
  seen.add(schema);
  const name = refName(schema);
  if (name) {
    eventTypes(doc, doc.components?.schemas?.[name], out, seen, depth + 1);
    return;
  }
  const typeProp = isObj(schema.properties) ? schema.properties.type : undefined;
  const values = isObj(typeProp) ? enumValues(refName(typeProp) ? deref(doc, typeProp) : typeProp) : undefined;
  if (values?.length === 1 && typeof values[0] === "string") {
    out.add(values[0]);
    return;
  }
  for (const key of ["anyOf", "oneOf"]) {
    if (Array.isArray(schema[key])) for (const v of schema[key] as unknown[]) eventTypes(doc, v, out, seen, depth + 1);
  }
  eventTypes(doc, schema.contentSchema, out, seen, depth + 1);
  // Envelopes: `/global/event` wraps events in `payload`, `/api/session/{id}/event` in `data`.
  if (isObj(schema.properties)) {
    for (const key of ["payload", "data"]) eventTypes(doc, schema.properties[key], out, seen, depth + 1);
  }
}

/** Event types per SSE stream (`GET /event` → types), from every text/event-stream response. */
export function eventStreams(doc: OpenApiDoc): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { method, path, op } of operations(doc).values()) {
    for (const r of Object.values(isObj(op.responses) ? op.responses : {})) {
      const content = deref(doc, r).content;
      const sse = isObj(content) ? content["text/event-stream"] : undefined;
      if (!isObj(sse)) continue;
      const types = out.get(`${method} ${path}`) ?? new Set<string>();
      eventTypes(doc, sse.schema, types);
      out.set(`${method} ${path}`, types);
    }
  }
  return out;
}

function countOps(doc: OpenApiDoc): number {
  return operations(doc).size;
}

/**
 * Classifies every difference between two OpenAPI documents (old → new).
 *
 * @example
 * ```ts
 * const diff = diffSpecs(await readSpecFile("old.json"), await readSpecFile("new.json"));
 * console.log(formatDiff(diff));
 * ```
 */
export function diffSpecs(oldDoc: OpenApiDoc, newDoc: OpenApiDoc): SpecDiff {
  const d = new Differ();
  const opsA = operations(oldDoc);
  const opsB = operations(newDoc);
  const dirA = directions(oldDoc);
  const dirB = directions(newDoc);

  for (const [key, b] of opsB) {
    const a = opsA.get(key);
    const loc = `${b.method} ${b.path}`;
    if (!a) {
      d.add("operation.added", loc, undefined, `operation added${b.op.operationId ? ` (${String(b.op.operationId)})` : ""}`);
      continue;
    }
    if (a.op.operationId !== b.op.operationId) {
      d.add("operation.renamed", loc, undefined, `operationId ${show(a.op.operationId)} → ${show(b.op.operationId)}`);
    }
    diffParameters(d, a, b, loc);
    diffRequestBody(d, oldDoc, newDoc, a, b, loc);
    diffResponses(d, oldDoc, newDoc, a, b, loc);
  }
  for (const [key, a] of opsA) {
    if (!opsB.has(key)) {
      d.add(
        "operation.removed",
        `${a.method} ${a.path}`,
        undefined,
        `operation removed${a.op.operationId ? ` (${String(a.op.operationId)})` : ""}`,
      );
    }
  }

  const sa = oldDoc.components?.schemas ?? {};
  const sb = newDoc.components?.schemas ?? {};
  for (const name of Object.keys(sb)) {
    if (!(name in sa)) d.add("schema.added", `schema ${name}`, undefined, "schema added");
  }
  for (const name of Object.keys(sa)) {
    if (!(name in sb)) {
      d.add("schema.removed", `schema ${name}`, undefined, "schema removed");
      continue;
    }
    const da = dirA.get(name) ?? "response";
    const db = dirB.get(name) ?? "response";
    const dir: Direction = da === db ? da : "both";
    d.schema(sa[name], sb[name], dir, `schema ${name}`, "");
  }

  const ea = eventStreams(oldDoc);
  const eb = eventStreams(newDoc);
  for (const [stream, types] of eb) {
    const before = ea.get(stream);
    if (!before) continue; // a new stream is reported as an added operation
    for (const t of types) if (!before.has(t)) d.add("event.added", `events ${stream}`, undefined, `event type ${t} added`);
    for (const t of before) if (!types.has(t)) d.add("event.removed", `events ${stream}`, undefined, `event type ${t} removed`);
  }

  const counts: Partial<Record<ChangeKind, number>> = {};
  for (const c of d.changes) counts[c.kind] = (counts[c.kind] ?? 0) + 1;
  const breaking = d.changes.filter((c) => c.breaking).length;
  return {
    from: {
      serverVersion: oldDoc.info?.[SERVER_VERSION_KEY] as string | undefined,
      operations: countOps(oldDoc),
      schemas: Object.keys(sa).length,
    },
    to: {
      serverVersion: newDoc.info?.[SERVER_VERSION_KEY] as string | undefined,
      operations: countOps(newDoc),
      schemas: Object.keys(sb).length,
    },
    changes: d.changes,
    breaking,
    nonBreaking: d.changes.length - breaking,
    counts,
  };
}

function diffParameters(d: Differ, a: Operation, b: Operation, loc: string): void {
  const pa = new Map(a.params.map((p) => [`${p.in}.${p.name}`, p]));
  const pb = new Map(b.params.map((p) => [`${p.in}.${p.name}`, p]));
  for (const [key, p] of pb) {
    const old = pa.get(key);
    if (!old) {
      const required = p.required === true;
      d.add(
        "parameter.added",
        loc,
        key,
        `${required ? "required" : "optional"} ${p.in} parameter ${String(p.name)} added`,
        required,
      );
      continue;
    }
    if (old.required !== true && p.required === true)
      d.add("parameter.now-required", loc, key, `${p.in} parameter ${String(p.name)} is now required`);
    if (old.required === true && p.required !== true)
      d.add("parameter.now-optional", loc, key, `${p.in} parameter ${String(p.name)} is now optional`);
    d.schema(old.schema, p.schema, "request", loc, key);
  }
  for (const [key, p] of pa) {
    if (!pb.has(key)) d.add("parameter.removed", loc, key, `${p.in} parameter ${String(p.name)} removed`);
  }
}

function bodySchema(doc: OpenApiDoc, body: Json): { mediaType: string; schema: unknown } | undefined {
  const content = isObj(body.content) ? body.content : {};
  const mediaType = "application/json" in content ? "application/json" : Object.keys(content)[0];
  if (!mediaType) return undefined;
  const media = deref(doc, content[mediaType]);
  return { mediaType, schema: media.schema };
}

function diffRequestBody(d: Differ, docA: OpenApiDoc, docB: OpenApiDoc, a: Operation, b: Operation, loc: string): void {
  const ba = a.op.requestBody === undefined ? undefined : deref(docA, a.op.requestBody);
  const bb = b.op.requestBody === undefined ? undefined : deref(docB, b.op.requestBody);
  if (!ba && !bb) return;
  if (!ba && bb) {
    d.add(
      "request-body.added",
      loc,
      "requestBody",
      `${bb.required ? "required" : "optional"} request body added`,
      bb.required === true,
    );
    return;
  }
  if (ba && !bb) {
    d.add("request-body.removed", loc, "requestBody", "request body removed");
    return;
  }
  const A = ba as Json;
  const B = bb as Json;
  if (A.required !== true && B.required === true)
    d.add("request-body.now-required", loc, "requestBody", "request body is now required");
  if (A.required === true && B.required !== true)
    d.add("request-body.now-optional", loc, "requestBody", "request body is now optional");
  const sa = bodySchema(docA, A);
  const sb = bodySchema(docB, B);
  if (sa && sb) {
    if (sa.mediaType !== sb.mediaType) {
      d.add("type.changed", loc, "requestBody", `request media type ${sa.mediaType} → ${sb.mediaType}`, true);
    } else d.schema(sa.schema, sb.schema, "request", loc, "requestBody");
  }
}

function diffResponses(d: Differ, docA: OpenApiDoc, docB: OpenApiDoc, a: Operation, b: Operation, loc: string): void {
  const ra = isObj(a.op.responses) ? a.op.responses : {};
  const rb = isObj(b.op.responses) ? b.op.responses : {};
  const media = (doc: OpenApiDoc, r: unknown) => {
    const content = deref(doc, r).content;
    return isObj(content) ? content : {};
  };
  for (const status of Object.keys(rb)) {
    if (!(status in ra)) {
      d.add("response.added", loc, `responses.${status}`, `response ${status} added`);
      continue;
    }
    const ca = media(docA, ra[status]);
    const cb = media(docB, rb[status]);
    for (const type of Object.keys(cb)) {
      if (!(type in ca)) d.add("response.added", loc, `responses.${status}`, `response ${status} ${type} added`);
    }
    for (const [type, m] of Object.entries(ca)) {
      if (!(type in cb)) {
        d.add("response.removed", loc, `responses.${status}`, `response ${status} ${type} removed`, isSuccess(status));
        continue;
      }
      d.schema(deref(docA, m).schema, deref(docB, cb[type]).schema, "response", loc, `responses.${status}`);
    }
  }
  for (const status of Object.keys(ra)) {
    if (!(status in rb)) d.add("response.removed", loc, `responses.${status}`, `response ${status} removed`, isSuccess(status));
  }
}

/**
 * Renders a diff as readable text: a summary, the counts per class, then breaking and
 * non-breaking changes grouped by location. `limit` caps the lines per section.
 *
 * @example
 * ```ts
 * process.stdout.write(formatDiff(diffSpecs(a, b), { limit: 200 }));
 * ```
 */
export function formatDiff(diff: SpecDiff, options: { limit?: number } = {}): string {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const lines: string[] = [];
  const v = (s?: string) => s ?? "unknown";
  lines.push(`spec diff: opencode ${v(diff.from.serverVersion)} → ${v(diff.to.serverVersion)}`);
  lines.push(`  operations ${diff.from.operations} → ${diff.to.operations}, schemas ${diff.from.schemas} → ${diff.to.schemas}`);
  lines.push(`  ${diff.changes.length} change(s): ${diff.breaking} breaking, ${diff.nonBreaking} non-breaking`);
  if (diff.changes.length === 0) return `${lines.join("\n")}\n`;
  lines.push("", "counts per class:");
  for (const kind of Object.keys(CHANGE_KINDS) as ChangeKind[]) {
    const n = diff.counts[kind];
    if (!n) continue;
    const b = diff.changes.filter((c) => c.kind === kind && c.breaking).length;
    lines.push(`  ${kind.padEnd(26)} ${String(n).padStart(5)}${b && b !== n ? `  (${b} breaking)` : b ? "  (breaking)" : ""}`);
  }
  for (const [title, breaking] of [
    ["BREAKING changes", true],
    ["non-breaking changes", false],
  ] as const) {
    const subset = diff.changes.filter((c) => c.breaking === breaking);
    if (!subset.length) continue;
    lines.push("", `${title} (${subset.length}):`);
    const byLoc = new Map<string, SpecChange[]>();
    for (const c of subset) byLoc.set(c.location, [...(byLoc.get(c.location) ?? []), c]);
    let printed = 0;
    for (const loc of [...byLoc.keys()].sort()) {
      if (printed >= limit) break;
      lines.push(`  ${loc}`);
      for (const c of byLoc.get(loc) ?? []) {
        if (printed >= limit) break;
        printed++;
        lines.push(`    - [${c.kind}] ${c.pointer ? `${c.pointer}: ` : ""}${c.message}`);
      }
    }
    if (printed < subset.length) lines.push(`  … ${subset.length - printed} more (use --json for all)`);
  }
  return `${lines.join("\n")}\n`;
}
