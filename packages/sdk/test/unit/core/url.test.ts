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
