/**
 * Spec-derived contract cases: every operation of openapi/opencode.openapi.json, with a valid request
 * built from its own schemas, an Ajv validator of the whole document and Prism's violations header.
 * Shared by the contract tests of the generated client and of the SDK.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { type JsonSchema, sampleFromSchema } from "./schema-sample.ts";

/** The committed spec. */
export const SPEC_PATH = fileURLToPath(new URL("../../../openapi/opencode.openapi.json", import.meta.url));

/** Id under which the whole document is registered with Ajv; refs are rewritten to point at it. */
const SPEC_ID = "opencode-spec";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";
const METHODS: HttpMethod[] = ["get", "post", "put", "patch", "delete"];

interface Parameter {
  in: "path" | "query" | "header" | "cookie";
  name: string;
  required?: boolean;
  schema?: JsonSchema;
  style?: string;
}

interface MediaType {
  schema?: JsonSchema;
}

export interface SpecOperation {
  method: HttpMethod;
  path: string;
  operationId: string;
  parameters: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
  /** Why the operation is covered by the streaming contracts instead of Prism, if it is. */
  streaming?: "sse" | "websocket";
  [key: string]: unknown;
}

type RawOperation = Pick<SpecOperation, "operationId" | "requestBody" | "responses"> & {
  parameters?: Parameter[];
  "x-websocket"?: boolean;
};

export interface Spec {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema> };
}

/**
 * The spec with every `#/components/...` ref made absolute (`opencode-spec#/components/...`), so any
 * subschema can be compiled by Ajv on its own.
 */
export function loadSpec(): Spec {
  const text = readFileSync(SPEC_PATH, "utf8");
  return JSON.parse(text.replaceAll('"#/components/', `"${SPEC_ID}#/components/`)) as Spec;
}

/** Every operation in the spec, in document order, with its streaming classification. */
export function listOperations(spec: Spec): SpecOperation[] {
  const ops: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method] as RawOperation | undefined;
      if (!op) continue;
      const entry: SpecOperation = { ...op, method, path, parameters: op.parameters ?? [] };
      const success = Object.entries(op.responses).filter(([code]) => code.startsWith("2"));
      if (success.some(([, r]) => Object.keys(r.content ?? {}).includes("text/event-stream"))) entry.streaming = "sse";
      // The pty `connect` routes upgrade to a WebSocket; only one of them carries x-websocket.
      else if (op["x-websocket"] === true || /\/pty\/\{ptyID\}\/connect$/.test(path)) entry.streaming = "websocket";
      ops.push(entry);
    }
  }
  return ops;
}

/** Ajv (JSON Schema 2020-12) with the spec registered, plus a cached compile. */
export function createValidator(spec: Spec) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
  ajv.addSchema(spec as object, SPEC_ID);
  const cache = new WeakMap<object, ValidateFunction>();
  const compile = (schema: JsonSchema): ValidateFunction => {
    let fn = cache.get(schema);
    if (!fn) {
      fn = ajv.compile(schema);
      cache.set(schema, fn);
    }
    return fn;
  };
  return {
    compile,
    /** Errors as readable text, or undefined when `value` is valid. */
    check(schema: JsonSchema, value: unknown): string | undefined {
      const fn = compile(schema);
      if (fn(value)) return undefined;
      return ajv.errorsText(fn.errors?.slice(0, 5), { separator: "; " });
    },
  };
}

export type Validator = ReturnType<typeof createValidator>;

/** A valid value for `schema`, using the validator to choose between oneOf/anyOf branches. */
export function sample(spec: Spec, validator: Validator, schema: JsonSchema | undefined): unknown {
  return sampleFromSchema(schema ?? {}, {
    root: spec,
    accept: (s, v) => validator.check(s, v) === undefined,
  });
}

export interface BuiltRequest {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: unknown;
}

/** Valid parameters (required and optional) and body for `op`, built from its schemas. */
export function buildRequest(spec: Spec, validator: Validator, op: SpecOperation): BuiltRequest {
  const req: BuiltRequest = { path: {}, query: {} };
  for (const p of op.parameters) {
    const value = sample(spec, validator, p.schema);
    if (p.in === "path") req.path[p.name] = value;
    else if (p.in === "query") req.query[p.name] = value;
  }
  const json = op.requestBody?.content["application/json"];
  if (json) req.body = sample(spec, validator, json.schema);
  return req;
}

/** One entry of Prism's `sl-violations` header. */
export interface Violation {
  location: string[];
  severity: string;
  code: string | number;
  message: string;
}

/** Parses Prism's `sl-violations` response header (absent = no violations). */
export function violationsOf(response: Response | undefined): Violation[] {
  const raw = response?.headers.get("sl-violations");
  if (!raw) return [];
  return JSON.parse(raw) as Violation[];
}
