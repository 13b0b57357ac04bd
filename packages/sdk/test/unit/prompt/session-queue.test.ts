/** Turns of a session's prompts: in order per session, independent across sessions and owners, abortable. */
import { describe, expect, it } from "vitest";
import { takeTurn } from "../../../src/prompt/session-queue.ts";

const flush = () => new Promise((r) => setImmediate(r));

describe("session turns", () => {
  it("each prompt of a session goes after the earlier ones released, whatever order they release in", async () => {
    const owner = {};
    const turns = [takeTurn(owner, "ses_a"), takeTurn(owner, "ses_a"), takeTurn(owner, "ses_a")];
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

  it("other sessions and other owners do not wait", async () => {
    const owner = {};
    const a = takeTurn(owner, "ses_a");
    const b = takeTurn(owner, "ses_a");
    const other = takeTurn(owner, "ses_b");
    const foreign = takeTurn({}, "ses_a");
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
    const owner = {};
    const first = takeTurn(owner, "ses_a");
    const second = takeTurn(owner, "ses_a");
    const third = takeTurn(owner, "ses_a");
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
    const turn = takeTurn({}, "ses_a");
    await expect(turn.ready(AbortSignal.abort(new Error("no")))).rejects.toThrow("no");
    turn.release();
    turn.release();
    await expect(takeTurn({}, "ses_a").ready()).resolves.toBeUndefined();
  });
});
