/** Turns of a session's prompts: in order per session, independent across sessions and clients, abortable. */

import { createOpencodeClient, Sessions } from "@ocsdk/sdk";
import { describe, expect, it } from "vitest";
import { type SessionLines, takeTurn } from "../../../src/prompt/session-queue.ts";

const flush = () => new Promise((r) => setImmediate(r));

describe("session turns", () => {
  it("each prompt of a session goes after the earlier ones released, whatever order they release in", async () => {
    const lines: SessionLines = new Map();
    const turns = [takeTurn(lines, "ses_a"), takeTurn(lines, "ses_a"), takeTurn(lines, "ses_a")];
    const ready: number[] = [];
    turns.forEach((t, i) => void t.ready().then(() => ready.push(i)));
    await flush();
    expect(ready).toEqual([0]);
    turns[2]?.release(); // the last gives up early: the second still waits for the first
    await flush();
    expect(ready).toEqual([0]);
    turns[0]?.release();
    await flush();
    expect(ready).toEqual([0, 1]);
    turns[1]?.release();
    await flush();
    expect(ready).toEqual([0, 1, 2]);
  });

  it("says whether an earlier prompt was in line when the turn was taken", async () => {
    const lines: SessionLines = new Map();
    const first = takeTurn(lines, "ses_a");
    const second = takeTurn(lines, "ses_a");
    expect([first.waits, second.waits, takeTurn(lines, "ses_b").waits]).toEqual([false, true, false]);
    first.release();
    second.release();
    await flush();
    expect(takeTurn(lines, "ses_a").waits).toBe(false); // the line emptied
  });

  it("other sessions and other clients' lines do not wait", async () => {
    const lines: SessionLines = new Map();
    const a = takeTurn(lines, "ses_a");
    const b = takeTurn(lines, "ses_a");
    const other = takeTurn(lines, "ses_b");
    const foreign = takeTurn(new Map(), "ses_a");
    const ready: string[] = [];
    void b.ready().then(() => ready.push("b"));
    void other.ready().then(() => ready.push("other"));
    void foreign.ready().then(() => ready.push("foreign"));
    await flush();
    expect(ready.sort()).toEqual(["foreign", "other"]);
    a.release();
    await flush();
    expect(ready).toContain("b");
  });

  it("waiting ends with the signal's reason, and the line goes on", async () => {
    const lines: SessionLines = new Map();
    const first = takeTurn(lines, "ses_a");
    const second = takeTurn(lines, "ses_a");
    const third = takeTurn(lines, "ses_a");
    const controller = new AbortController();
    const waiting = second.ready(controller.signal);
    controller.abort(new Error("gave up"));
    await expect(waiting).rejects.toThrow("gave up");
    second.release();
    let thirdReady = false;
    void third.ready().then(() => {
      thirdReady = true;
    });
    await flush();
    expect(thirdReady).toBe(false);
    first.release();
    await flush();
    expect(thirdReady).toBe(true);
  });

  it("an aborted signal rejects at once; release is idempotent", async () => {
    const turn = takeTurn(new Map(), "ses_a");
    await expect(turn.ready(AbortSignal.abort(new Error("no")))).rejects.toThrow("no");
    turn.release();
    turn.release();
    await expect(takeTurn(new Map(), "ses_a").ready()).resolves.toBeUndefined();
  });
});

describe("session turns across Sessions helpers", () => {
  // A client whose fetch is a tiny in-memory server: a live event stream that never answers, and
  // prompt sends recorded by their text.
  function fakeClient(sent: string[]) {
    const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(String(input));
      const json = (body: unknown, status = 200) =>
        new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
      if (url.pathname === "/event") {
        const frame = `data: ${JSON.stringify({ id: "evt_1", type: "server.connected", properties: {} })}\n\n`;
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode(frame));
            init?.signal?.addEventListener("abort", () => c.error(init.signal?.reason));
          },
        });
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      }
      if (url.pathname === "/session/ses_turns/prompt_async") {
        const parts = (JSON.parse(String(init?.body)) as { parts: { text: string }[] }).parts;
        sent.push(parts[0]?.text ?? "");
        return new Response(null, { status: 204 });
      }
      if (url.pathname === "/session/ses_turns") return json({ id: "ses_turns", title: "turns" });
      return json([]);
    };
    return createOpencodeClient({ baseUrl: "http://127.0.0.1:9", fetch: fetch as typeof globalThis.fetch });
  }

  it("two new Sessions(oc) of one client share the turn queue; another client does not", async () => {
    const sent: string[] = [];
    const oc = fakeClient(sent);
    const other = fakeClient(sent);
    const waitFor = async (cond: () => boolean) => {
      for (const until = Date.now() + 10_000; !cond(); await new Promise((r) => setTimeout(r, 5))) {
        if (Date.now() > until) throw new Error(`condition not met; sent: ${sent.join(", ")}`);
      }
    };
    try {
      const a = (await new Sessions(oc).get("ses_turns")).prompt("a");
      await waitFor(() => sent.includes("a"));
      const b = (await new Sessions(oc).get("ses_turns")).prompt("b");
      const c = (await new Sessions(other).get("ses_turns")).prompt("c");
      for (const h of [a, b, c]) h.finalText().catch(() => {});
      // c waits for nobody (another client); b waits for a, which is never answered here.
      await waitFor(() => sent.includes("c"));
      expect(sent).toEqual(["a", "c"]);
      expect(b.phase).toBe("unsent");
    } finally {
      oc.close();
      other.close();
    }
  });
});
