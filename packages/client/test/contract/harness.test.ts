/**
 * The contract harness can fail: a wrong path or a missing required field in a request makes a case
 * fail with Prism's reason; negative requests reach the caller of the wrapper as typed errors with
 * Prism's message, bounded in time.
 */
import { BadRequestError, createOpencodeClient, NotFoundError, ValidationError } from "@ocsdk/sdk";
import { describe, expect, inject, it } from "vitest";
import { ContractViolation, createContractContext, runContractCase } from "./lib/contract-case.ts";

const ctx = createContractContext(inject("prismUrl"));
const op = (id: string) => {
  const found = ctx.operations.find((o) => o.operationId === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
};

describe("the contract case fails when the request is wrong", () => {
  it("passes unmodified (control)", async () => {
    await expect(runContractCase(ctx, op("session.prompt"))).resolves.toMatchObject({ status: 200 });
  });

  it("a wrong path", async () => {
    const error = await runContractCase(ctx, op("session.get"), { overrides: { url: "/sessions/{sessionID}" } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContractViolation);
    expect((error as Error).message).toMatch(/GET \/session\/\{sessionID\} \(session\.get\): status 404/);
  });

  it("a missing required body field", async () => {
    const error = (await runContractCase(ctx, op("session.prompt"), {
      request: (r) => ({ ...r, body: { ...(r.body as object), parts: undefined } }),
    }).catch((e: unknown) => e)) as ContractViolation;
    expect(error).toBeInstanceOf(ContractViolation);
    expect(error.message).toMatch(/Prism reported violations: request\.body: .*parts/);
    expect(error.violations.some((v) => v.location.join(".") === "request.body")).toBe(true);
  });

  it("a missing required query parameter", async () => {
    const error = (await runContractCase(ctx, op("find.text"), { request: (r) => ({ ...r, query: {} }) }).catch(
      (e: unknown) => e,
    )) as ContractViolation;
    expect(error).toBeInstanceOf(ContractViolation);
    expect(error.message).toMatch(/request\.query: .*pattern/);
  });
});

describe("negative requests through the wrapper are typed errors with Prism's message", () => {
  const oc = createOpencodeClient({ baseUrl: inject("prismUrl"), logLevel: "off", maxRetries: 0, timeoutMs: 15_000 });

  it("wrong types", async () => {
    const e = (await oc
      .rawRequest("/session", { method: "POST", body: { title: 42 } })
      .catch((x: unknown) => x)) as BadRequestError;
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.message).toMatch(/^POST \/session → 400: request\.body\.title: .*string/);
  });

  it("missing required fields", async () => {
    // Typed away by TypeScript, so forced here as plain JS callers would send it.
    const body = {} as { parts: [] };
    const e = (await oc.session.prompt({ path: { sessionID: "ses_1" }, body }).catch((x: unknown) => x)) as BadRequestError;
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.message).toMatch(/request\.body: .*parts/);
  });

  it("malformed ids: caught before the network, and Prism's own check when sent anyway", async () => {
    await expect(oc.session.get({ path: { sessionID: "bogus" } })).rejects.toBeInstanceOf(ValidationError);
    const e = (await oc.rawRequest("/session/bogus").catch((x: unknown) => x)) as BadRequestError;
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.message).toMatch(/request\.path\.sessionid: .*\^ses/i);
  });

  it("an unknown route", async () => {
    await expect(oc.rawRequest("/no/such/route")).rejects.toBeInstanceOf(NotFoundError);
  });
});
