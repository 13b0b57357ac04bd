/**
 * The wrapper's non-streaming calls against the shared Prism mock of the spec: valid calls pass
 * Prism's request validation, and a violation reaches the caller as the 400 class with Prism's reason.
 */
import { BadRequestError, createOpencodeClient, Metrics, ValidationError } from "@ocsdk/sdk";
import { describe, expect, inject, it } from "vitest";

const metrics = new Metrics();
const oc = createOpencodeClient({
  metrics,
  baseUrl: inject("prismUrl"),
  password: "contract",
  directory: "/repo",
  logLevel: "off",
  maxRetries: 0,
  timeoutMs: 15_000,
});

describe("wrapper against Prism", () => {
  it("valid calls of every kind pass request validation", async () => {
    const health = await oc.global.health();
    expect(typeof health.version).toBe("string");
    expect(Array.isArray(await oc.session.list())).toBe(true);
    const session = await oc.session.create({ body: { title: "x" } });
    expect(typeof session.id).toBe("string");
    await oc.session.update({ path: { sessionID: "ses_abc" }, body: { title: "y" } });
    await oc.session.prompt_async({ path: { sessionID: "ses_abc" }, body: { parts: [{ type: "text", text: "hi" }] } });
    await oc.auth.set({ path: { providerID: "openai" }, body: { type: "api", key: "sk-test" } });
    await oc.v2.agent.list();
    const { response } = await oc.path.get().withResponse();
    expect(response.headers.get("sl-violations")).toBeNull();
  });

  it("a request Prism rejects is a BadRequestError carrying Prism's message", async () => {
    // A body of the wrong shape, sent through the raw door so our own validation does not stop it first.
    const e = (await oc
      .rawRequest("/session/ses_abc/prompt_async", { method: "POST", body: { parts: "not-a-list" } })
      .catch((x: unknown) => x)) as BadRequestError;
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^POST \/session\/ses_abc\/prompt_async → 400: request\.body\.parts: /);
    expect(e.violations.length).toBeGreaterThan(0);
    expect(e.violations[0]?.location).toEqual(["request", "body", "parts"]);
  });

  it("a malformed id never reaches the mock", async () => {
    const before = metrics.snapshot().attempts;
    await expect(oc.session.get({ path: { sessionID: "not-a-session" } })).rejects.toBeInstanceOf(ValidationError);
    expect(metrics.snapshot().attempts).toBe(before);
  });
});
