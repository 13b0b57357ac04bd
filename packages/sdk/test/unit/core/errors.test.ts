/** Error mapping with an injected fetch: status → typed error, opencode's named errors, bodies that are not JSON. */
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { client, json } from "../../helpers/scripted-client.ts";

describe("errors", () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [418, APIError],
  ])("status %i → %o", async (status, Cls) => {
    const { oc } = client([json(status, { message: "nope" })], { maxRetries: 0 });
    const error = await oc.session.get({ path: { sessionID: "ses_1" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cls);
    expect(error).toBeInstanceOf(APIError);
    const e = error as APIError;
    expect(e.status).toBe(status);
    expect(e.method).toBe("GET");
    expect(e.path).toBe("/session/ses_1");
    // A 401 also says where the password comes from.
    const hint =
      status === 401 ? " (the server wants a password: set OPENCODE_SERVER_PASSWORD or pass the `password` option)" : "";
    expect(e.message).toBe(`GET /session/ses_1 → ${status}: nope${hint}`);
  });

  it("keeps opencode's named errors (name + data)", async () => {
    const body = { name: "NotFoundError", data: { message: "Session not found: ses_9" } };
    const { oc } = client([json(404, body)]);
    const e = (await oc.session.get({ path: { sessionID: "ses_9" } }).catch((x: unknown) => x)) as NotFoundError;
    expect(e.errorName).toBe("NotFoundError");
    expect(e.data).toEqual({ message: "Session not found: ses_9" });
    expect(e.serverMessage).toBe("Session not found: ses_9");
    expect(e.body).toEqual(body);
  });

  it("handles empty, HTML and plain-text bodies", async () => {
    const cases: [Response, string][] = [
      [new Response(null, { status: 502 }), "GET /session/ses_1 → 502"],
      [
        new Response("<html><head><title>Bad Gateway</title></head></html>", {
          status: 502,
          headers: { "content-type": "text/html" },
        }),
        'GET /session/ses_1 → 502: HTML page "Bad Gateway"',
      ],
      [new Response("upstream exploded", { status: 500 }), "GET /session/ses_1 → 500: upstream exploded"],
    ];
    for (const [res, message] of cases) {
      const { oc } = client([res], { maxRetries: 0 });
      const e = (await oc.session.get({ path: { sessionID: "ses_1" } }).catch((x: unknown) => x)) as APIError;
      expect(e).toBeInstanceOf(InternalServerError);
      expect(e.message).toBe(message);
    }
  });
});
