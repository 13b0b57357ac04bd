/** Query strings of the operation table: hey-api's styles for primitives, arrays, objects and dates. */
import { ValidationError } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { serializeQuery } from "../../../src/core/url.ts";
import { client, json } from "../../helpers/scripted-client.ts";

describe("serializeQuery", () => {
  it("no query, or only unset values: an empty string", () => {
    expect(serializeQuery(undefined)).toBe("");
    expect(serializeQuery({})).toBe("");
    expect(serializeQuery({ a: undefined, b: null })).toBe("");
  });

  it("primitives are percent-encoded `name=value` pairs, in order", () => {
    expect(serializeQuery({ directory: "/a b", limit: 5, roots: true })).toBe("directory=%2Fa%20b&limit=5&roots=true");
    expect(serializeQuery({ q: "a&b=c#d?" })).toBe("q=a%26b%3Dc%23d%3F");
  });

  it("arrays explode as form (`a=1&a=2`), skipping unset items", () => {
    expect(serializeQuery({ ids: [1, undefined, 2] })).toBe("ids=1&ids=2");
    expect(serializeQuery({ ids: [] })).toBe("");
  });

  it("objects are deepObject (`location[directory]=…`), skipping unset keys", () => {
    expect(serializeQuery({ location: { directory: "/r", workspace: undefined } })).toBe("location[directory]=%2Fr");
  });

  it("dates are ISO strings", () => {
    expect(serializeQuery({ since: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) })).toBe("since=2024-01-02T03:04:05.000Z");
  });

  it("a nested array or object is a ValidationError naming the parameter and the operation", () => {
    const error = (() => {
      try {
        serializeQuery({ location: { deep: { x: 1 } } }, "v2.agent.list");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).param).toBe("location[deep]");
    expect((error as Error).message).toBe("v2.agent.list: query parameter location[deep] cannot hold a nested object");
    expect(() => serializeQuery({ ids: [[1]] })).toThrow("query parameter ids cannot hold a nested array");
  });
});

describe("query values without a query form", () => {
  it("a nested object or array inside a query value is a ValidationError before the network", async () => {
    const { oc, requests } = client([json(200, [])]);
    const nested = [{ location: { directory: { deep: 1 } } }, { location: { directory: ["a", "b"] } }];
    for (const query of nested) {
      const error = await oc.v2.agent.list({ query: query as never }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).operationId).toBe("v2.agent.list");
      expect((error as ValidationError).param).toBe("location[directory]");
      expect((error as Error).message).toMatch(/^v2\.agent\.list: query parameter location\[directory\] cannot hold a nested/);
    }
    expect(requests).toEqual([]);
  });

  it("a date inside a deepObject value is sent as its ISO string", async () => {
    const { oc, requests } = client([json(200, [])]);
    await oc.v2.agent.list({ query: { location: { directory: new Date(0) } } as never });
    expect(new URL(requests[0]?.url ?? "").searchParams.get("location[directory]")).toBe("1970-01-01T00:00:00.000Z");
  });
});
