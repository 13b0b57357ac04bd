/** Every session helper once, against the real server with the fake model. */
import { NotFoundError, OpencodeError, Sessions } from "@ocsdk/sdk";
import { type OpencodeHarness, startOpencodeHarness } from "@ocsdk/test-kit";
import { afterAll, beforeAll, expect, it } from "vitest";

let h: OpencodeHarness;
beforeAll(async () => {
  h = await startOpencodeHarness({
    config: { command: { hello: { template: "Say hello to $ARGUMENTS", description: "greets" } } },
  });
});
afterAll(async () => {
  await h?.close();
});

it("create, list, get, refresh, update, prompt, messages, todo, diff, fork, children, revert, unrevert, delete", async () => {
  const sessions = new Sessions(h.client);
  const s = await sessions.create({ title: "helpers" });
  expect(s.id).toMatch(/^ses/);
  expect((await sessions.list()).map((x) => x.id)).toContain(s.id);
  expect((await sessions.get(s.id)).title).toBe("helpers");
  await s.update({ title: "renamed" });
  expect(s.title).toBe("renamed");
  expect((await s.refresh()).title).toBe("renamed");

  h.model.enqueue({ text: "first answer" });
  const first = await s.prompt("one", { model: h.modelRef }).finalMessage();
  h.model.enqueue({ text: "second answer" });
  await s.prompt("two", { model: h.modelRef }).finalText();
  const messages = await s.messages();
  expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant", "user", "assistant"]);
  expect(await s.todo()).toEqual([]);
  expect(Array.isArray(await s.diff())).toBe(true);

  const fork = await s.fork(messages[2]?.info.id);
  expect(fork.id).not.toBe(s.id);
  expect((await fork.messages()).length).toBe(2);
  expect(Array.isArray(await s.children())).toBe(true);

  const reverted = await s.revert({ messageID: messages[2]?.info.id as string });
  expect(reverted.revert?.messageID).toBe(messages[2]?.info.id);
  const back = await s.unrevert();
  expect(back.revert).toBeUndefined();

  expect(first.info.role).toBe("assistant");
  expect(await fork.delete()).toBe(true);
  expect(await s.delete()).toBe(true);
  await expect(sessions.get(s.id)).rejects.toBeInstanceOf(NotFoundError);
});

it("command, shell, summarize, init, abort", async () => {
  const s = await new Sessions(h.client).create({ title: "actions" });
  h.model.enqueue({ text: "hello world" });
  const cmd = await s.command({ command: "hello", arguments: "world", model: `${h.modelRef.providerID}/${h.modelRef.modelID}` });
  expect(cmd.info.role).toBe("assistant");
  const userTexts = (await s.messages()).flatMap((m) => m.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])));
  expect(userTexts.join("\n")).toContain("Say hello to world");

  const shell = await s.shell({ agent: "build", command: "echo from-shell" });
  expect(shell.info.role).toBe("assistant");
  const shellParts = JSON.stringify((await s.messages()).at(-1)?.parts);
  expect(shellParts).toContain("from-shell");

  expect(await s.summarize(h.modelRef)).toBe(true);

  h.model.enqueue({ text: "# AGENTS.md\nNotes." });
  expect(await s.init(h.modelRef)).toBe(true);

  expect(await s.abort()).toBe(true);
});

it("share on a server with sharing disabled is a typed error", async () => {
  const s = await new Sessions(h.client).create({ title: "share" });
  const error = await s.share().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OpencodeError);
  // Unsharing a session that was never shared answers with the session, still without a share.
  const unshared = await s.unshare();
  expect(unshared.id).toBe(s.id);
  expect(unshared.share).toBeUndefined();
});
