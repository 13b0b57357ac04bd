/** Logging: redaction at every level, the level from the environment. */
import { createOpencodeClient, type Logger } from "@ocsdk/sdk";
import { describe, expect, it, vi } from "vitest";
import { client, json, scriptedFetch } from "../../helpers/scripted-client.ts";

describe("logging and metrics", () => {
  it("redacts passwords, Basic tokens and API keys at every level", async () => {
    const lines: string[] = [];
    const sink: Logger = {
      error: (m, d) => void lines.push(m, JSON.stringify(d ?? {})),
      warn: (m, d) => void lines.push(m, JSON.stringify(d ?? {})),
      info: (m, d) => void lines.push(m, JSON.stringify(d ?? {})),
      debug: (m, d) => void lines.push(m, JSON.stringify(d ?? {})),
    };
    const password = "hunter2-very-secret";
    const apiKey = "sk-live-0123456789abcdef";
    const token = Buffer.from(`opencode:${password}`).toString("base64");
    const { oc } = client([json(500, { message: `bad key ${apiKey}` }), json(200, true)], {
      password,
      logger: sink,
      logLevel: "debug",
    });
    await oc.auth.set({ path: { providerID: "openai" }, body: { type: "api", key: apiKey } });
    expect(lines.length).toBeGreaterThan(3);
    const all = lines.join("\n");
    expect(all).toContain("/auth/openai");
    for (const secret of [password, apiKey, token]) expect(all).not.toContain(secret);
  });

  it("takes the level from OPENCODE_SDK_LOG", () => {
    vi.stubEnv("OPENCODE_SDK_LOG", "debug");
    const sink: Logger = { error() {}, warn() {}, info() {}, debug() {} };
    expect(createOpencodeClient({ fetch: scriptedFetch([]).fetch, logger: sink }).logger.level).toBe("debug");
    // Logging is opt-in: without a sink nothing is logged, whatever the level.
    expect(createOpencodeClient({ fetch: scriptedFetch([]).fetch }).logger.level).toBe("off");
    vi.unstubAllEnvs();
  });
});
