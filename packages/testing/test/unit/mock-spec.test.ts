/**
 * The mock spec's rewrites: each must keep a schema's valid values the same (or narrower, never wider)
 * while giving the faker a form it handles.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { mockFriendlySpec, writeMockSpec } from "../../src/mock-spec.ts";

const ajv = new Ajv2020({ strict: false });
const accepts = (schema: object, value: unknown) => ajv.validate(schema, value);

describe("mockFriendlySpec", () => {
  it("gives a bare object an explicit additionalProperties: true, which means the same", () => {
    const plugin = {
      type: "array",
      items: {
        anyOf: [
          { type: "string" },
          { type: "array", minItems: 2, maxItems: 2, prefixItems: [{ type: "string" }, { type: "object" }] },
        ],
      },
    };
    const out = mockFriendlySpec(plugin);
    expect(out.items.anyOf[1]).toEqual({
      type: "array",
      minItems: 2,
      maxItems: 2,
      items: [{ type: "string" }, { type: "object", additionalProperties: true }],
    });
    for (const value of [{}, { b: 1 }, { b: { c: [] } }, [], "x", null, 1]) {
      expect(accepts({ type: "object", additionalProperties: true }, value)).toBe(accepts({ type: "object" }, value));
    }
  });

  it("leaves objects with any property keyword alone", () => {
    const schemas = [
      { type: "object", properties: { a: { type: "string" } } },
      { type: "object", additionalProperties: false },
      { type: "object", additionalProperties: { type: "number" } },
    ];
    for (const schema of schemas) expect(mockFriendlySpec(schema)).toEqual(schema);
  });

  it("moves exclusive bounds inside and keeps them", () => {
    const out = mockFriendlySpec({ type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 10 });
    expect(out).toMatchObject({ minimum: 1, maximum: 9, exclusiveMinimum: 0, exclusiveMaximum: 10 });
    for (const n of [-1, 0, 1, 9, 10]) expect(accepts(out, n)).toBe(n > 0 && n < 10);
  });

  it("turns one patternProperties schema into additionalProperties", () => {
    const out = mockFriendlySpec({ type: "object", patternProperties: { "^x": { type: "string" } } });
    expect(out).toEqual({ type: "object", additionalProperties: { type: "string" } });
  });
});

describe("writeMockSpec", () => {
  it("writes into the caller's dir when given one, else into a new temp dir of its own", () => {
    const root = mkdtempSync(join(tmpdir(), "ocsdk-mock-spec-test-"));
    try {
      const spec = join(root, "spec.json");
      writeFileSync(spec, JSON.stringify({ openapi: "3.1.0", components: { schemas: { A: { type: "object" } } } }));
      const mine = join(root, "mine");
      mkdirSync(mine);
      const path = writeMockSpec(spec, { dir: mine });
      expect(path).toBe(join(mine, "opencode.mock.openapi.json"));
      expect(readdirSync(mine)).toEqual(["opencode.mock.openapi.json"]);
      expect(JSON.parse(readFileSync(path, "utf8")).components.schemas.A).toEqual({ type: "object", additionalProperties: true });
      const own = writeMockSpec(spec);
      expect(dirname(own)).not.toBe(mine);
      expect(readdirSync(dirname(own))).toEqual(["opencode.mock.openapi.json"]);
      rmSync(dirname(own), { recursive: true, force: true });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
