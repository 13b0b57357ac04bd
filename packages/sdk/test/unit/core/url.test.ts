/** URL building: path parameters are percent-encoded into their segment. */
import { ValidationError } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { client, json, SESSION } from "../../helpers/scripted-client.ts";

describe("validation before the network", () => {
  it("encodes path parameters so `../config` cannot reach another route", async () => {
    const { oc, requests } = client([json(200, SESSION)]);
    await oc.session.get({ path: { sessionID: "ses_../../config" } });
    const url = requests[0]?.url ?? "";
    expect(new URL(url).pathname).toBe("/session/ses_..%2F..%2Fconfig");
    await expect(oc.session.get({ path: { sessionID: ".." } })).rejects.toBeInstanceOf(ValidationError);
    // A parameter without a pattern is encoded too.
    await oc.auth.remove({ path: { providerID: "../config" } }).catch(() => {});
    expect(new URL(requests[1]?.url ?? "").pathname).toBe("/auth/..%2Fconfig");
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
