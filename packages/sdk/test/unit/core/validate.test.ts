/** Argument checks before the network: ids that break their spec pattern never leave the client. */
import { ValidationError } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
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
});
