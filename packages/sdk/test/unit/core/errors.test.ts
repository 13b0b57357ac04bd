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

describe("errors say why", () => {
  const problem = {
    type: "https://stoplight.io/prism/errors#NOT_ACCEPTABLE",
    title: "The server cannot produce a representation for your accept header",
    status: 406,
    detail: "Unable to find content for application/json",
  };

  it("the title and detail of a problem+json body reach the message", async () => {
    const { oc } = client([json(406, problem, { "content-type": "application/problem+json" })], { maxRetries: 0 });
    const e = (await oc.session.list().catch((x: unknown) => x)) as APIError;
    expect(e.message).toBe(`GET /session → 406: ${problem.title}: ${problem.detail}`);
    expect(e.serverMessage).toBe(`${problem.title}: ${problem.detail}`);
  });

  it("Prism's violations come first, its problem's title after them", async () => {
    const violations = [{ location: ["request", "query", "limit"], severity: "Error", code: "type", message: "must be number" }];
    const { oc } = client([json(400, { ...problem, status: 400 }, { "sl-violations": JSON.stringify(violations) })], {
      maxRetries: 0,
    });
    const e = (await oc.session.list().catch((x: unknown) => x)) as BadRequestError;
    expect(e.message).toBe(`GET /session → 400: request.query.limit: must be number (${problem.title}: ${problem.detail})`);
    expect(e.violations).toEqual([{ location: ["request", "query", "limit"], code: "type", message: "must be number" }]);
  });

  it("the validation list of Prism's own 422 body, when no header carries it", async () => {
    const body = {
      type: "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY",
      title: "Invalid request",
      status: 422,
      detail: "Your request is not valid",
      validation: [{ location: ["body"], severity: "Error", code: "type", message: "Request body must be object" }],
    };
    const { oc } = client([json(422, body)], { maxRetries: 0 });
    const e = (await oc.session.list().catch((x: unknown) => x)) as UnprocessableEntityError;
    expect(e.message).toBe("GET /session → 422: body: Request body must be object (Invalid request: Your request is not valid)");
    expect(e.violations).toHaveLength(1);
  });

  it('a header cut off after "Too many violations!" still names the whole entries it holds', async () => {
    const entries = [
      { location: ["response", "body", "a"], severity: "Error", code: "required", message: 'must have "a"' },
      { location: ["response", "body", "b"], severity: "Error", code: "type", message: "must be string" },
    ];
    const full = JSON.stringify(entries);
    // Prism keeps the start of the JSON: the second entry is cut in the middle.
    const header = `Too many violations! ${full.slice(0, full.indexOf("must be"))}`;
    const { oc } = client([json(500, {}, { "sl-violations": header })], { maxRetries: 0 });
    const e = (await oc.session.list().catch((x: unknown) => x)) as InternalServerError;
    expect(e.violations.map((v) => v.message)).toEqual(["Too many violations! (the list was cut off)", 'must have "a"']);
    expect(e.message).toBe('GET /session → 500: Too many violations! (the list was cut off); response.body.a: must have "a"');
  });
});
