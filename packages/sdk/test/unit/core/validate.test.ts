/** Argument checks before the network: ids that break their spec pattern never leave the client. */
import { ValidationError } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import type { OperationDef } from "../../../src/core/operation-types.ts";
import { checkedPath } from "../../../src/core/validate.ts";
import { client, json, SESSION } from "../../helpers/scripted-client.ts";

describe("validation before the network", () => {
  it("rejects ids that break their spec pattern, without a request", async () => {
    const { oc, requests } = client([json(200, SESSION)]);
    const e = (await oc.session.get({ path: { sessionID: "msg_123" } }).catch((x: unknown) => x)) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.param).toBe("sessionID");
    expect(e.pattern).toBe("^ses");
    await expect(oc.session.get({ path: { sessionID: "" } })).rejects.toBeInstanceOf(ValidationError);
    expect(requests).toHaveLength(0);
  });
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

  it("checkedPath fills and encodes the path, and checks patterned query values, in one pass", () => {
    const op: OperationDef = {
      id: "thing.get",
      method: "GET",
      path: "/thing/{thingID}",
      patterns: { thingID: "^thg", workspace: "^wrk" },
    } as OperationDef;
    expect(checkedPath(op, { path: { thingID: "thg a/b" } })).toBe("/thing/thg%20a%2Fb");
    expect(() => checkedPath(op, { path: { thingID: "x" } })).toThrow(ValidationError);
    expect(() => checkedPath(op, { path: { thingID: "thg" }, query: { workspace: "nope" } })).toThrow(
      'thing.get: query parameter workspace="nope" does not match ^wrk',
    );
    const plain = { id: "plain.get", method: "GET", path: "/plain" } as OperationDef;
    expect(checkedPath(plain, undefined)).toBe("/plain");
  });
});
