/**
 * Building valid values from JSON Schemas (OpenAPI 3.1 / JSON Schema 2020-12 subset), so that
 * contract tests can send requests the spec accepts without a hand-kept list of payloads.
 */

/** A JSON Schema object, as found in an OpenAPI document. */
export type JsonSchema = { [key: string]: unknown };

/** Options for {@link sampleFromSchema}. */
export interface SampleOptions {
  /** Document that `#/...` references resolve against (the OpenAPI document). */
  root: unknown;
  /** Also fill optional properties (default: only required ones). */
  optional?: boolean;
  /**
   * Accepts or rejects a candidate for a `oneOf`/`anyOf` schema; the first accepted branch wins.
   * Lets the caller plug in a real validator, because a minimal sample may match several branches.
   */
  accept?: (schema: JsonSchema, value: unknown) => boolean;
  /** Recursion guard for self-referencing schemas (default 12). */
  maxDepth?: number;
}

/**
 * Resolves a local JSON pointer reference such as `#/components/schemas/Session`.
 *
 * @example
 * ```ts
 * const session = resolveRef(spec, "#/components/schemas/Session");
 * ```
 */
export function resolveRef(root: unknown, ref: string): JsonSchema {
  // "doc#/a/b" is treated like "#/a/b": callers may make refs absolute for their validator.
  const hash = ref.indexOf("#");
  if (hash < 0) throw new Error(`only same-document $ref is supported: ${ref}`);
  let node: unknown = root;
  for (const raw of ref
    .slice(hash + 1)
    .split("/")
    .filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = (node as Record<string, unknown> | undefined)?.[key];
    if (node === undefined) throw new Error(`unresolvable $ref: ${ref}`);
  }
  return node as JsonSchema;
}

/**
 * A string matching `pattern`. Handles the anchored-prefix patterns the OpenCode spec uses
 * (`^ses`, `^msg_`) and a hex colour; anything else falls back to a plain word, which the
 * caller's validator (see {@link SampleOptions.accept}) will catch.
 */
function stringForPattern(pattern: string): string {
  if (/^\^#\[0-9a-fA-F\]\{6\}\$$/.test(pattern)) return "#a0b1c2";
  const prefix = /^\^([A-Za-z0-9_-]*)/.exec(pattern)?.[1];
  if (prefix !== undefined && /^\^[A-Za-z0-9_-]*$/.test(pattern)) {
    return `${prefix}${prefix.endsWith("_") ? "" : "_"}contract01`;
  }
  return "contract";
}

function stringSample(schema: JsonSchema): string {
  let value = typeof schema.pattern === "string" ? stringForPattern(schema.pattern) : "contract";
  if (schema.format === "uri" || schema.format === "url") value = "http://127.0.0.1/contract";
  if (schema.format === "date-time") value = "2024-01-01T00:00:00Z";
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Number.POSITIVE_INFINITY;
  while (value.length < min) value += "x";
  return value.slice(0, max);
}

function numberSample(schema: JsonSchema, integer: boolean): number {
  let value = 1;
  if (typeof schema.minimum === "number") value = Math.max(value, schema.minimum);
  if (typeof schema.exclusiveMinimum === "number") value = Math.max(value, schema.exclusiveMinimum + 1);
  if (typeof schema.maximum === "number") value = Math.min(value, schema.maximum);
  if (typeof schema.exclusiveMaximum === "number") value = Math.min(value, schema.exclusiveMaximum - 1);
  return integer ? Math.ceil(value) : value;
}

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return (schema.type as string[]).find((t) => t !== "null") ?? "null";
  if (typeof schema.type === "string") return schema.type;
  if (schema.properties || schema.required || schema.additionalProperties !== undefined) return "object";
  if (schema.items || schema.prefixItems) return "array";
  return undefined;
}

/**
 * A value valid against `schema`: `const`, first `enum` member, first acceptable `oneOf`/`anyOf`
 * branch, merged `allOf`, required object properties, strings honouring prefix patterns.
 *
 * @example
 * ```ts
 * const body = sampleFromSchema(spec.components.schemas.SessionCreate, { root: spec });
 * const id = sampleFromSchema({ type: "string", pattern: "^ses" }, { root: spec }); // "ses_contract01"
 * ```
 */
export function sampleFromSchema(schema: unknown, options: SampleOptions, depth = 0): unknown {
  const maxDepth = options.maxDepth ?? 12;
  if (schema === true || schema === undefined) return "contract";
  if (!schema || typeof schema !== "object") return null;
  let s = schema as JsonSchema;
  if (depth > maxDepth) return null;
  if (typeof s.$ref === "string") {
    // Siblings of $ref (2020-12) are merged over the target.
    const { $ref, ...rest } = s;
    s = { ...resolveRef(options.root, $ref as string), ...rest };
  }
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if (s.examples && Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];

  for (const key of ["oneOf", "anyOf"] as const) {
    const branches = s[key];
    if (!Array.isArray(branches) || branches.length === 0) continue;
    const { [key]: _omit, ...base } = s;
    const candidates = branches.map((b) => sampleFromSchema({ ...base, ...(b as JsonSchema) }, options, depth + 1));
    // Prefer a non-null branch; then the first one the validator accepts.
    const ordered = candidates
      .map((value, index) => ({ value, index }))
      .sort((a, b) => Number(a.value === null) - Number(b.value === null));
    if (options.accept) {
      const ok = ordered.find((c) => options.accept?.(s, c.value));
      if (ok) return ok.value;
    }
    return ordered[0]?.value;
  }
  if (Array.isArray(s.allOf)) {
    const { allOf, ...base } = s;
    const merged: JsonSchema = { ...base };
    for (const part of allOf as JsonSchema[]) {
      const p = typeof part.$ref === "string" ? resolveRef(options.root, part.$ref) : part;
      merged.properties = { ...(merged.properties as object), ...(p.properties as object) };
      merged.required = [...((merged.required as string[]) ?? []), ...((p.required as string[]) ?? [])];
      for (const [k, v] of Object.entries(p)) if (!(k in merged)) merged[k] = v;
    }
    return sampleFromSchema(merged, options, depth + 1);
  }

  switch (typeOf(s)) {
    case "null":
      return null;
    case "boolean":
      return true;
    case "integer":
      return numberSample(s, true);
    case "number":
      return numberSample(s, false);
    case "string":
      return stringSample(s);
    case "array": {
      const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
      const items = prefix.map((p) => sampleFromSchema(p, options, depth + 1));
      const min = typeof s.minItems === "number" ? s.minItems : 0;
      while (items.length < min) items.push(sampleFromSchema(s.items ?? {}, options, depth + 1));
      return items;
    }
    case "object": {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set((s.required as string[] | undefined) ?? []);
      for (const [name, sub] of Object.entries(props)) {
        if (required.has(name) || options.optional) out[name] = sampleFromSchema(sub, options, depth + 1);
      }
      // Required names without a declared property: fill from additionalProperties/patternProperties.
      for (const name of required) {
        if (name in out) continue;
        const extra =
          typeof s.additionalProperties === "object" ? s.additionalProperties : Object.values(s.patternProperties ?? {})[0];
        out[name] = sampleFromSchema(extra ?? {}, options, depth + 1);
      }
      return out;
    }
    default:
      return "contract";
  }
}
