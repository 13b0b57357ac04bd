/** Environment reads that work where there is no `process` and never throw. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { readEnv } from "../../../src/core/env.ts";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

describe("readEnv", () => {
  it("returns a set variable and undefined for an unset one", () => {
    vi.stubEnv("OCSDK_ENV_TEST", "value");
    expect(readEnv("OCSDK_ENV_TEST")).toBe("value");
    expect(readEnv("OCSDK_ENV_TEST_UNSET")).toBeUndefined();
  });

  it("is undefined without a process (browsers, workers)", () => {
    vi.stubGlobal("process", undefined);
    expect(readEnv("PATH")).toBeUndefined();
  });

  it("is undefined, not a throw, when reading the environment throws (Deno without --allow-env)", () => {
    const env = new Proxy(
      {},
      {
        get() {
          throw new Error("PermissionDenied: env access");
        },
      },
    );
    vi.stubGlobal("process", { env });
    expect(readEnv("PATH")).toBeUndefined();
  });
});
