/**
 * Classified differences between two OpenAPI 3.1 documents, from the point of view of a
 * TypeScript user of the generated client and the wrapper.
 *
 * Pure: no I/O. The rule behind every class ("breaking" or not) is in {@link CHANGE_KINDS}, as
 * the README states it: narrowing what a user may send, or taking away / widening what a user
 * reads (new enum values or union members a `switch` does not handle, a property that may now be
 * missing) is breaking. Schemas are compared by shape: $refs resolved (cycles cut), an inline
 * schema equal to a $ref's target is equal, unions are sets of shapes, `integer` ⊂ `number`.
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
  /** Widens: breaking where the schema is read (a response). */
  "enum.value-added": "depends",
  /** Narrows: breaking where the schema is sent (a request). */
  "enum.value-removed": "depends",
  /** Widens: breaking where the schema is read (a response). */
  "variant.added": "depends",
  /** Narrows: breaking where the schema is sent (a request). */
  "variant.removed": "depends",
  /** Added narrows (breaks requests), removed widens (breaks responses), changed does both. */
  "pattern.changed": "depends",
  "event.added": false,
  "event.removed": true,
} as const satisfies Record<string, boolean | "depends">;

/** Why the fixed classes are what they are (the "depends" ones explain themselves per change). */
const KIND_REASONS: Partial<Record<string, string>> = {
  "operation.added": "a new operation",
  "operation.removed": "the generated function is gone",
  "operation.renamed": "the generated function is renamed",
  "parameter.added": "a parameter added",
  "parameter.removed": "a parameter callers pass is gone",
  "parameter.now-required": "callers must now pass it",
  "parameter.now-optional": "callers may leave it out",
  "request-body.added": "a request body added",
  "request-body.removed": "the body callers send is gone",
  "request-body.now-required": "callers must now send a body",
  "request-body.now-optional": "callers may leave the body out",
  "response.added": "a new response",
  "response.removed": "a response callers read is gone",
  "schema.added": "a new exported type",
  "schema.removed": "an exported type is gone",
  "event.added": "a new event type",
  "event.removed": "an event type listeners handle is gone",
  "type.changed": "the type changed",
};

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
  /** Why it is (not) breaking, in the README's terms. */
  reason: string;
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

/** Keywords that document a schema without changing which values it admits. */
const DOC_KEYS = new Set(["description", "title", "examples", "example", "default", "deprecated", "$comment", "$id", "$schema"]);

/** JSON types a value has (integers are numbers too, see {@link covers}). */
function typeOfValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** The set of JSON types a schema admits, when it says (`type`, or implied by properties / enum). */
function typeSet(s: Json): Set<string> | undefined {
  if (typeof s.type === "string") return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type as string[]);
  const values = enumValues(s);
  if (values) return new Set(values.map(typeOfValue));
  if (isObj(s.properties)) return new Set(["object"]);
  return undefined;
}

function enumValues(s: Json): unknown[] | undefined {
  if (Array.isArray(s.enum)) return s.enum;
  if ("const" in s) return [s.const];
  return undefined;
}

/** Every type of `a` is admitted by `b` (`number` admits `integer`). */
function covers(b: Set<string>, a: Set<string>): boolean {
  return [...a].every((t) => b.has(t) || (t === "integer" && b.has("number")));
}

const show = (v: unknown) => JSON.stringify(v);
const showValues = (vs: unknown[]) => vs.map(show).join("|");

function union(s: Json): unknown[] | undefined {
  if (Array.isArray(s.anyOf)) return s.anyOf;
  if (Array.isArray(s.oneOf)) return s.oneOf;
  return undefined;
}

/** Keys of a schema other than documentation. */
const meaningful = (s: Json) => Object.keys(s).filter((k) => !DOC_KEYS.has(k) && !k.startsWith("x-"));

/**
 * Canonical text of a schema's shape: $refs inlined (each target once, cycles cut), documentation
 * dropped, `const` as a one-value enum, `oneOf` as `anyOf`, union members sorted with duplicates
 * collapsed, a one-member union as its member. Two schemas with the same text admit the same values.
 */
class Shapes {
  readonly #memo = new Map<string, string>();
  readonly #stack = new Set<string>();
  constructor(readonly doc: OpenApiDoc) {}

  target(name: string): unknown {
    return this.doc.components?.schemas?.[name];
  }

  key(s: unknown): string {
    if (!isObj(s)) return show(s);
    const name = refName(s);
    if (name) {
      const memo = this.#memo.get(name);
      if (memo !== undefined) return memo;
      if (this.#stack.has(name)) return `{"$cycle":${show(name)}}`;
      const target = this.target(name);
      if (target === undefined) return `{"$unresolved":${show(name)}}`;
      this.#stack.add(name);
      const k = this.key(target);
      this.#stack.delete(name);
      this.#memo.set(name, k);
      return k;
    }
    const members = union(s);
    if (members) {
      const keys = [...new Set(members.map((m) => this.key(m)))].sort();
      const rest = meaningful(s).filter((k) => k !== "anyOf" && k !== "oneOf");
      if (keys.length === 1 && rest.length === 0) return keys[0] as string;
      const others = this.#fields(s, rest);
      return `{"anyOf":[${keys.join(",")}]${others ? `,${others}` : ""}}`;
    }
    return `{${this.#fields(s, meaningful(s))}}`;
  }

  #fields(s: Json, keys: string[]): string {
    const out: string[] = [];
    const types = typeSet(s);
    if (types && !keys.includes("type")) keys = [...keys, "type"];
    for (const k of keys.filter((k) => k !== "const").sort()) {
      const v = s[k];
      let text: string;
      if (k === "type") text = show([...(types ?? [])].sort());
      else if (k === "enum") text = show([...new Set((v as unknown[]).map(show))].sort());
      else if (k === "required" && Array.isArray(v)) text = show([...v].sort());
      else if (k === "properties" && isObj(v)) {
        text = `{${Object.keys(v)
          .sort()
          .map((p) => `${show(p)}:${this.key(v[p])}`)
          .join(",")}}`;
      } else if (Array.isArray(v)) text = `[${v.map((x) => this.key(x)).join(",")}]`;
      else if (isObj(v)) text = this.key(v);
      else text = show(v);
      out.push(`${show(k)}:${text}`);
    }
    if ("const" in s && !keys.includes("enum")) out.push(`"enum":${show([show(s.const)])}`);
    return out.sort().join(",");
  }
}

/** Whether a schema admits only values of some types, without any other constraint (`{type: "string"}`, `{}`). */
function bare(s: Json): boolean {
  return meaningful(s).every((k) => k === "type");
}

/** Why a change is (or is not) breaking, in the README's words. */
function reasonFor(dir: Direction, effect: "narrowed" | "widened" | "changed", breaking: boolean): string {
  const side = dir === "request" ? "a request type" : dir === "response" ? "a response type" : "a type both sent and read";
  if (effect === "changed")
    return `${breaking ? "breaking" : "non-breaking"}: ${side} changed in a way that both narrows and widens`;
  return `${breaking ? "breaking" : "non-breaking"}: ${side} ${effect}`;
}

/** Breaking per the README: narrowing what users send, widening what they read. */
function breaksFor(dir: Direction, effect: "narrowed" | "widened" | "changed"): boolean {
  const req = effect !== "widened";
  const res = effect !== "narrowed";
  return dir === "request" ? req : dir === "response" ? res : req || res;
}

class Differ {
  readonly changes: SpecChange[] = [];
  readonly a: Shapes;
  readonly b: Shapes;

  constructor(docA: OpenApiDoc, docB: OpenApiDoc) {
    this.a = new Shapes(docA);
    this.b = new Shapes(docB);
  }

  add(
    kind: ChangeKind,
    location: string,
    pointer: string | undefined,
    message: string,
    breaking?: boolean,
    reason?: string,
  ): void {
    const fixed = CHANGE_KINDS[kind];
    const b = fixed === "depends" ? Boolean(breaking) : fixed;
    this.changes.push({
      kind,
      breaking: b,
      location,
      ...(pointer ? { pointer } : {}),
      message,
      reason: reason ?? `${b ? "breaking" : "non-breaking"}: ${KIND_REASONS[kind] ?? kind}`,
    });
  }

  /** A change with a direction effect: classed and explained by {@link breaksFor}. */
  effect(
    kind: ChangeKind,
    location: string,
    pointer: string,
    message: string,
    dir: Direction,
    effect: "narrowed" | "widened" | "changed",
    via: string,
  ): void {
    const breaking = breaksFor(dir, effect);
    this.add(kind, location, pointer || undefined, `${message}${via}`, breaking, reasonFor(dir, effect, breaking));
  }

  /**
   * Compares two schemas at one position. The same $ref on both sides is left to that component's
   * own diff; anything else (inline vs $ref, a renamed $ref) is compared by shape, through the refs.
   */
  schema(a: unknown, b: unknown, dir: Direction, location: string, pointer: string, via = "", pairs = new Set<string>()): void {
    if (!isObj(a) || !isObj(b)) return;
    const ra = refName(a);
    const rb = refName(b);
    if (ra && ra === rb) return;
    if (this.a.key(a) === this.b.key(b)) return;
    if (ra || rb) {
      const pair = `${ra ?? ""}|${rb ?? ""}`;
      if (pairs.has(pair)) return; // a cycle: this pair is already being compared further up
      const ta = ra ? this.a.target(ra) : a;
      const tb = rb ? this.b.target(rb) : b;
      if (ta === undefined || tb === undefined) {
        this.add(
          "type.changed",
          location,
          pointer || undefined,
          `type changed from ${ra ?? "an inline schema"} to ${rb ?? "an inline schema"}${via}`,
          true,
        );
        return;
      }
      const label = `${ra ? `$ref ${ra}` : "an inline schema"} → ${rb ? `$ref ${rb}` : "an inline schema"}`;
      this.schema(
        ta,
        tb,
        dir,
        location,
        pointer,
        ` (${label}${via ? `; ${via.replace(/^ \(|\)$/g, "")}` : ""})`,
        new Set([...pairs, pair]),
      );
      return;
    }
    const at = (suffix: string) => (pointer ? `${pointer}.${suffix}` : suffix);
    const next = (x: unknown, y: unknown, p: string) => this.schema(x, y, dir, location, p, via, pairs);

    const ua = union(a);
    const ub = union(b);
    if (ua || ub) {
      this.#union(
        ua ?? [a],
        ub ?? [b],
        dir,
        location,
        ua && ub ? at(Array.isArray(b.oneOf) ? "oneOf" : "anyOf") : pointer,
        via,
        pairs,
      );
      return;
    }

    const ta = typeSet(a);
    const tb = typeSet(b);
    const ea = enumValues(a);
    const eb = enumValues(b);
    if (ta && tb && !(covers(ta, tb) && covers(tb, ta))) {
      const widened = covers(tb, ta);
      const narrowed = covers(ta, tb);
      const effect = widened ? "widened" : narrowed ? "narrowed" : "changed";
      this.effect(
        "type.changed",
        location,
        pointer,
        `type ${[...ta].join("|")} → ${[...tb].join("|")} (${effect})`,
        dir,
        effect,
        via,
      );
    } else if (ea && eb) {
      const sa = new Map(ea.map((v) => [show(v), v]));
      const sb = new Map(eb.map((v) => [show(v), v]));
      const context = `(values ${showValues(ea)} → ${showValues(eb)})`;
      for (const v of sb.keys())
        if (!sa.has(v))
          this.effect("enum.value-added", location, pointer, `enum value ${v} added ${context}`, dir, "widened", via);
      for (const v of sa.keys())
        if (!sb.has(v))
          this.effect("enum.value-removed", location, pointer, `enum value ${v} removed ${context}`, dir, "narrowed", via);
    } else if (ea && !eb) {
      this.effect("type.changed", location, pointer, `no longer restricted to ${showValues(ea)} (widened)`, dir, "widened", via);
    } else if (!ea && eb) {
      this.effect("type.changed", location, pointer, `now restricted to ${showValues(eb)} (narrowed)`, dir, "narrowed", via);
    }

    const pa = typeof a.pattern === "string" ? a.pattern : undefined;
    const pb = typeof b.pattern === "string" ? b.pattern : undefined;
    if (pa !== pb) {
      const effect = pa === undefined ? "narrowed" : pb === undefined ? "widened" : "changed";
      const text =
        pa === undefined
          ? `pattern ${show(pb)} added`
          : pb === undefined
            ? `pattern ${show(pa)} removed`
            : `pattern ${show(pa)} → ${show(pb)}`;
      this.effect("pattern.changed", location, pointer, `${text} (${effect})`, dir, effect, via);
    }

    const propsA = isObj(a.properties) ? a.properties : undefined;
    const propsB = isObj(b.properties) ? b.properties : undefined;
    if (propsA || propsB) {
      const reqA = new Set(Array.isArray(a.required) ? (a.required as string[]) : []);
      const reqB = new Set(Array.isArray(b.required) ? (b.required as string[]) : []);
      for (const name of Object.keys(propsB ?? {})) {
        if (propsA && name in propsA) continue;
        const required = reqB.has(name);
        const breaking = dir !== "response" && required;
        this.add(
          "property.added",
          location,
          at(`properties.${name}`),
          `${required ? "required" : "optional"} property ${name} added${via}`,
          breaking,
          breaking
            ? "breaking: senders must now set it"
            : dir === "response"
              ? "non-breaking: a response property added"
              : "non-breaking: an optional request property added",
        );
      }
      for (const name of Object.keys(propsA ?? {})) {
        if (!propsB || !(name in propsB)) {
          this.add(
            "property.removed",
            location,
            at(`properties.${name}`),
            `property ${name} removed${via}`,
            true,
            dir === "request" ? "breaking: a request field removed" : "breaking: a property readers use is now missing",
          );
          continue;
        }
        if (!reqA.has(name) && reqB.has(name)) {
          this.effect(
            "property.now-required",
            location,
            at(`properties.${name}`),
            `property ${name} is now required`,
            dir,
            "narrowed",
            via,
          );
        } else if (reqA.has(name) && !reqB.has(name)) {
          this.effect(
            "property.now-optional",
            location,
            at(`properties.${name}`),
            `property ${name} is now optional (may be missing)`,
            dir,
            "widened",
            via,
          );
        }
        next(propsA?.[name], propsB[name], at(`properties.${name}`));
      }
    }

    next(a.items, b.items, at("items"));
    next(a.additionalProperties, b.additionalProperties, at("additionalProperties"));
    next(a.contentSchema, b.contentSchema, at("contentSchema"));
    const aa = Array.isArray(a.allOf) ? (a.allOf as unknown[]) : [];
    const ab = Array.isArray(b.allOf) ? (b.allOf as unknown[]) : [];
    for (let i = 0; i < Math.min(aa.length, ab.length); i++) next(aa[i], ab[i], at(`allOf[${i}]`));
    if (aa.length !== ab.length) {
      this.effect("type.changed", location, at("allOf"), `allOf has ${ab.length} part(s), had ${aa.length}`, dir, "changed", via);
    }
  }

  /**
   * Unions as sets of shapes: members equal in shape match (duplicates collapse; a member another
   * bare member already admits adds nothing); the rest pair up by identity and are compared; what is
   * left was added (widened) or removed (narrowed).
   */
  #union(ma: unknown[], mb: unknown[], dir: Direction, location: string, pointer: string, via: string, pairs: Set<string>): void {
    const resolve = (shapes: Shapes, m: unknown): Json => {
      const name = refName(m);
      const t = name ? shapes.target(name) : m;
      return isObj(t) ? t : {};
    };
    const flatten = (shapes: Shapes, members: unknown[]): unknown[] =>
      members.flatMap((m) => {
        const inner = union(resolve(shapes, m));
        return inner && meaningful(resolve(shapes, m)).every((k) => k === "anyOf" || k === "oneOf")
          ? flatten(shapes, inner)
          : [m];
      });
    const effective = (shapes: Shapes, members: unknown[]) => {
      const byKey = new Map<string, unknown>();
      for (const m of flatten(shapes, members)) if (!byKey.has(shapes.key(m))) byKey.set(shapes.key(m), m);
      const list = [...byKey.values()];
      // A member admitted by a bare sibling (`"x"|string`) adds no values.
      return list.filter((m) => {
        const r = resolve(shapes, m);
        const t = typeSet(r);
        return !list.some(
          (o) =>
            o !== m &&
            bare(resolve(shapes, o)) &&
            (typeSet(resolve(shapes, o)) === undefined || (t && covers(typeSet(resolve(shapes, o)) as Set<string>, t))) &&
            !bare(r),
        );
      });
    };
    const A = effective(this.a, ma);
    const B = effective(this.b, mb);
    const keysB = new Set(B.map((m) => this.b.key(m)));
    const keysA = new Set(A.map((m) => this.a.key(m)));
    let leftA = A.filter((m) => !keysB.has(this.a.key(m)));
    let leftB = B.filter((m) => !keysA.has(this.b.key(m)));
    const ids = (shapes: Shapes, m: unknown): string[] => {
      const r = resolve(shapes, m);
      const out: string[] = [];
      const name = refName(m);
      const disc = isObj(r.properties) && isObj(r.properties.type) ? enumValues(resolve(shapes, r.properties.type)) : undefined;
      if (disc?.length === 1) out.push(`type=${String(disc[0])}`);
      if (name) out.push(name);
      const t = typeSet(r);
      if (t) out.push([...t].sort().join("|"));
      return out;
    };
    // Pair leftovers by the strongest shared identity: discriminator, then $ref name, then JSON type.
    for (let level = 0; level < 3; level++) {
      for (const x of [...leftA]) {
        const idx = ids(this.a, x);
        const id = idx[Math.min(level, idx.length - 1)];
        if (id === undefined) continue;
        const y = leftB.find((m) => ids(this.b, m).includes(id));
        if (!y) continue;
        leftA = leftA.filter((m) => m !== x);
        leftB = leftB.filter((m) => m !== y);
        this.schema(x, y, dir, location, `${pointer ? `${pointer}` : "anyOf"}[${id}]`, via, pairs);
      }
    }
    const where = pointer || "anyOf";
    for (const m of leftB) {
      this.effect(
        "variant.added",
        location,
        where,
        `union member ${this.#describe(this.b, m)} added (widened)`,
        dir,
        "widened",
        via,
      );
    }
    for (const m of leftA) {
      this.effect(
        "variant.removed",
        location,
        where,
        `union member ${this.#describe(this.a, m)} removed (narrowed)`,
        dir,
        "narrowed",
        via,
      );
    }
  }

  /** A member as a reader would recognise it: its $ref name, discriminator, type and values. */
  #describe(shapes: Shapes, m: unknown): string {
    const name = refName(m);
    const r = isObj(m) ? (name ? shapes.target(name) : m) : undefined;
    if (!isObj(r)) return name ?? "schema";
    const disc = isObj(r.properties) && isObj(r.properties.type) ? enumValues(r.properties.type as Json) : undefined;
    const types = typeSet(r);
    const values = enumValues(r);
    const parts = [
      name,
      disc?.length === 1 ? `type=${show(disc[0])}` : undefined,
      types ? [...types].join("|") : undefined,
      values ? showValues(values) : undefined,
    ].filter(Boolean);
    return parts.join(" ") || "schema";
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
  const d = new Differ(oldDoc, newDoc);
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
