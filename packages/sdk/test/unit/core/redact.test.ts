/** core/redact: secrets never leave the client in an error or a log line. */
import { describe, expect, it } from "vitest";
import { collectSecretValues, redact, redactString } from "../../../src/core/redact.ts";

describe("redact", () => {
  it("replaces values under secret-looking keys at any depth, and leaves the rest alone", () => {
    const input = {
      headers: { authorization: "Basic b3BlbmNvZGU6cw==", accept: "application/json" },
      body: { type: "api", key: "sk-live-1234", nested: [{ password: "hunter22", name: "x" }] },
      refresh: "r-token",
      token: "",
    };
    expect(redact(input)).toEqual({
      headers: { authorization: "[redacted]", accept: "application/json" },
      body: { type: "api", key: "[redacted]", nested: [{ password: "[redacted]", name: "x" }] },
      refresh: "[redacted]",
      token: "", // nothing to hide
    });
    expect(input.body.key).toBe("sk-live-1234"); // a copy: the input is untouched
  });

  it("redacts Headers, Errors, credentials in strings and given literals", () => {
    const headers = new Headers({ Authorization: "Bearer abc.def", "x-trace": "1" });
    expect(redact(headers)).toEqual({ authorization: "[redacted]", "x-trace": "1" });
    expect(redact(new TypeError("bad key sk-9999"), ["sk-9999"])).toEqual({
      name: "TypeError",
      message: "bad key [redacted]",
    });
    expect(redact("sent Bearer abc.def to the server")).toBe("sent Bearer [redacted] to the server");
  });

  it("stays bounded on deep or long values", () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(redact(deep))).toContain('"[deep]"');
    expect((redact(Array.from({ length: 500 }, (_, i) => i)) as unknown[]).length).toBe(50);
  });
});

describe("redactString", () => {
  it("ignores literals too short to be secrets", () => {
    expect(redactString("key abc rejected", ["abc"])).toBe("key abc rejected");
    expect(redactString("key sk-123456 rejected, sk-123456 again", ["sk-123456"])).toBe(
      "key [redacted] rejected, [redacted] again",
    );
  });
});

describe("collectSecretValues", () => {
  it("collects the values of secret-looking fields, newest kept when over the limit", () => {
    const into = new Set<string>();
    collectSecretValues({ type: "api", key: "sk-123456", meta: { apiKey: "ak-7890", note: "public" } }, into);
    expect([...into]).toEqual(["sk-123456", "ak-7890"]);
    for (let i = 0; i < 5; i++) collectSecretValues({ token: `tok-${i}-xxxx` }, into, 0, 3);
    expect([...into]).toEqual(["tok-2-xxxx", "tok-3-xxxx", "tok-4-xxxx"]);
  });
});
