/** A prompt's failure as opencode stores it on the assistant message → the typed error a caller catches. */
import { OpencodeError } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import {
  PromptAbortedError,
  PromptPassedOverError,
  ProviderAuthError,
  ProviderRateLimitError,
  ProviderRetryError,
  SessionError,
  toSessionError,
} from "../../../src/prompt/errors.ts";

type StoredError = Parameters<typeof toSessionError>[0];
const stored = (name: string, data: Record<string, unknown>) => ({ name, data }) as unknown as StoredError;

describe("toSessionError", () => {
  it("an aborted message is PromptAbortedError with its message", () => {
    const e = toSessionError(stored("MessageAbortedError", { message: "stopped by user" }));
    expect(e).toBeInstanceOf(PromptAbortedError);
    expect(e.message).toBe("stopped by user");
  });

  it.each([
    ["ProviderAuthError", {}, ProviderAuthError],
    ["APIError", { statusCode: 401 }, ProviderAuthError],
    ["APIError", { statusCode: 403 }, ProviderAuthError],
    ["APIError", { statusCode: 429 }, ProviderRateLimitError],
    ["APIError", { statusCode: 500 }, SessionError],
    ["UnknownError", {}, SessionError],
  ])("%s %o → %o", (name, data, Cls) => {
    const e = toSessionError(stored(name, { message: "boom", ...data }));
    expect(e).toBeInstanceOf(Cls);
    expect(e).toBeInstanceOf(SessionError);
    expect(e).toBeInstanceOf(OpencodeError);
    expect((e as SessionError).errorName).toBe(name);
    expect((e as SessionError).statusCode).toBe((data as { statusCode?: number }).statusCode);
    expect(e.message).toBe(`${name}: boom`);
  });
});

describe("the handle's own outcomes", () => {
  it("name the retries and the prompt that was answered instead", () => {
    const retry = new ProviderRetryError(4, "overloaded");
    expect(retry).toBeInstanceOf(SessionError);
    expect(retry.attempt).toBe(4);
    expect(retry.message).toBe("ProviderRetryError: gave up after 4 provider retries: overloaded");
    const passed = new PromptPassedOverError("msg_1", "msg_2");
    expect(passed.message).toBe("prompt msg_1 got no answer of its own: the session answered the later prompt msg_2");
    expect([passed.messageID, passed.answeredBy]).toEqual(["msg_1", "msg_2"]);
  });
});
