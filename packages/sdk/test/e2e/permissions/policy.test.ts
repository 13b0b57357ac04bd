/**
 * The permission policy against the real server: opencode asks before `bash` (config `ask`), the
 * fake model calls bash, and the policy allows, denies or asks the callback.
 */
import type { PermissionRequest } from "@ocsdk/client";
import { type PromptEvent, Sessions } from "@ocsdk/sdk";
import { type OpencodeHarness, startOpencodeHarness } from "@ocsdk/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let h: OpencodeHarness;
beforeAll(async () => {
  h = await startOpencodeHarness({ config: { permission: { bash: "ask", edit: "ask" } } });
});
afterAll(async () => {
  await h?.close();
});

async function runBash(command: string, policy: Parameters<Awaited<ReturnType<Sessions["create"]>>["applyPermissionPolicy"]>[0]) {
  h.model.enqueue({ toolCalls: [{ name: "bash", arguments: { command, description: "test command" } }] }, { text: "finished" });
  const session = await new Sessions(h.client).create({ title: command });
  await using applied = await session.applyPermissionPolicy(policy);
  const run = session.prompt(`run ${command}`, { model: h.modelRef });
  const events: PromptEvent[] = [];
  let error: unknown;
  try {
    for await (const e of run) events.push(e);
  } catch (e) {
    error = e;
  }
  const status = (await h.client.session.status()) as Record<string, { type: string }>;
  return { events, error, decisions: [...applied.decisions], idle: (status[session.id]?.type ?? "idle") === "idle" };
}

describe("permission policy", () => {
  it("allow → the tool runs", async () => {
    const r = await runBash("echo policy-allowed", { allow: ["bash:echo *"] });
    expect(r.decisions.map((d) => [d.verdict, d.reply, d.rule])).toEqual([["allow", "once", "bash:echo *"]]);
    expect(r.events.some((e) => e.type === "permission.asked")).toBe(true);
    const done = r.events.find((e) => e.type === "tool.completed");
    expect(done?.type === "tool.completed" && done.output).toContain("policy-allowed");
    expect(r.idle).toBe(true);
  });

  it("deny → the tool fails cleanly and the session goes idle", async () => {
    const r = await runBash("rm -rf important", { allow: ["bash:echo *"], deny: ["bash:rm *"] });
    expect(r.decisions.map((d) => [d.verdict, d.reply])).toEqual([["deny", "reject"]]);
    expect(r.events.some((e) => e.type === "tool.completed")).toBe(false);
    const failed = r.events.find((e) => e.type === "tool.failed");
    expect(failed?.type === "tool.failed" && failed.tool).toBe("bash");
    expect(r.idle).toBe(true);
  });

  it("a compound command runs only when the policy allows every command in it", async () => {
    const policy = { allow: ["bash:echo *", "bash:ls*"] };
    const both = await runBash("echo compound-ok && ls", policy);
    expect(both.decisions.map((d) => [d.request.patterns, d.verdict])).toEqual([[["echo compound-ok", "ls"], "allow"]]);
    const done = both.events.find((e) => e.type === "tool.completed");
    expect(done?.type === "tool.completed" && done.output).toContain("compound-ok");
    const hidden = await runBash("echo $(touch smuggled)", policy);
    expect(hidden.decisions.map((d) => [d.request.patterns, d.verdict, d.rule])).toEqual([
      [["echo $(touch smuggled)", "touch smuggled"], "deny", "fallback"],
    ]);
    expect(hidden.events.some((e) => e.type === "tool.failed")).toBe(true);
    expect(hidden.idle).toBe(true);
  });

  it("ask → the callback decides", async () => {
    const asked: PermissionRequest[] = [];
    const policy = {
      ask: ["bash"],
      onAsk: (req: PermissionRequest) => {
        asked.push(req);
        return req.patterns.every((p) => p.startsWith("echo"));
      },
    };
    const yes = await runBash("echo asked-yes", policy);
    expect(yes.decisions.map((d) => [d.verdict, d.reply])).toEqual([["ask", "once"]]);
    expect(yes.events.some((e) => e.type === "tool.completed")).toBe(true);
    const no = await runBash("touch nope", policy);
    expect(no.decisions.map((d) => [d.verdict, d.reply])).toEqual([["ask", "reject"]]);
    expect(no.events.some((e) => e.type === "tool.failed")).toBe(true);
    expect(asked.map((r) => r.patterns)).toEqual([["echo asked-yes"], ["touch nope"]]);
  });
});
