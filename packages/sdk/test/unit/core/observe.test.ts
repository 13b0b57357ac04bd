/** The full client's observer, driven directly: hooks, metrics and redacted log records per attempt, with an injected clock. */
import { Metrics, OpencodeError } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { createObserver } from "../../../src/core/observe.ts";

describe("createObserver", () => {
  it("reports an attempt to hooks, metrics and the logger; a throwing hook changes nothing", () => {
    let t = 1_000;
    const seen: string[] = [];
    const lines: unknown[][] = [];
    const sink = { error: () => {}, warn: (...a: unknown[]) => lines.push(["warn", ...a]), info: () => {}, debug: () => {} };
    const metrics = new Metrics();
    const o = createObserver(
      {
        logger: sink,
        logLevel: "warn",
        metrics,
        hooks: {
          onRequest: (i) => seen.push(`request ${i.method} ${i.path} #${i.attempt}`),
          onResponse: (e) => seen.push(`response ${e.status} ${e.durationMs} ms`),
          onError: () => {
            throw new Error("hook bug");
          },
        },
      },
      new Set(["pw-secret"]),
      () => t,
    );
    const info = { operationId: "session.get", method: "GET", path: "/session/ses_1", attempt: 1 };
    const started = o.start("session.get");
    const t0 = o.request(info, { accept: "application/json" }, undefined);
    t += 25;
    o.response(info, 500, t0);
    o.fail(info, new OpencodeError("GET /session/ses_1 → 500: pw-secret leaked"), t0, 500);
    o.end("session.get", started, true);
    expect(seen).toEqual(["request GET /session/ses_1 #1", "response 500 25 ms"]);
    expect(lines).toEqual([["warn", "GET /session/ses_1 → 500: [redacted] leaked", { attempts: 1 }]]);
    const snap = metrics.snapshot();
    expect([snap.requests, snap.attempts, snap.errors, snap.latency.totalMs]).toEqual([1, 1, 1, 25]);
  });
});
