/** Request metrics and hooks, counted over scripted answers. */
import { Metrics } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { client, json } from "../../helpers/scripted-client.ts";

describe("logging and metrics", () => {
  it("counts requests, attempts, retries, errors and latency; hooks fire", async () => {
    const seen: string[] = [];
    const metrics = new Metrics();
    const { oc } = client([json(503, {}), json(200, []), json(404, {})], {
      metrics,
      hooks: {
        onRequest: (i) => void seen.push(`req ${i.attempt}`),
        onRetry: (i) => void seen.push(`retry ${i.retry} ${i.delayMs}`),
        onResponse: (e) => void seen.push(`res ${e.status}`),
        onError: (e) => void seen.push(`err ${e.status}`),
      },
    });
    await oc.session.list();
    await oc.session.get({ path: { sessionID: "ses_x" }, maxRetries: 0 }).catch(() => {});
    const m = metrics.snapshot();
    expect(m).toMatchObject({ requests: 2, attempts: 3, retries: 1, errors: 1 });
    expect(m.latency.count).toBe(2);
    expect(m.byOperation["session.get"]).toEqual({ requests: 1, errors: 1 });
    expect(seen).toEqual(["req 1", "res 503", "retry 1 500", "req 2", "res 200", "req 1", "res 404", "err 404"]);
  });
});
