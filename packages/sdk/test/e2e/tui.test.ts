/**
 * TUI control (the design guide's /tui) against the real server with no TUI attached: every call
 * is accepted and published as the event an attached TUI would act on.
 */
import { EventStream, Sessions } from "@ocsdk/sdk";
import { type OpencodeHarness, startOpencodeHarness } from "@ocsdk/test-kit";
import { afterAll, beforeAll, expect, it } from "vitest";

let h: OpencodeHarness;
beforeAll(async () => {
  h = await startOpencodeHarness();
});
afterAll(async () => {
  await h?.close();
});

it("TUI calls are accepted and published as TUI events", async () => {
  const oc = h.client;
  const session = await new Sessions(oc).create({ title: "tui" });
  const ac = new AbortController();
  const seen: { type: string; properties: unknown }[] = [];
  const events = EventStream.of(oc).subscribe({
    types: ["tui.prompt.append", "tui.command.execute", "tui.toast.show", "tui.session.select"],
    signal: ac.signal,
  });
  const collecting = (async () => {
    for await (const e of events) {
      seen.push({ type: e.type, properties: e.properties });
      if (seen.length === 4) break;
    }
  })();
  await EventStream.of(oc).ready();

  expect(await oc.tui.appendPrompt({ body: { text: "prefilled" } })).toBe(true);
  expect(await oc.tui.executeCommand({ body: { command: "session_new" } })).toBe(true);
  expect(await oc.tui.showToast({ body: { message: "hello", variant: "info" } })).toBe(true);
  expect(await oc.tui.selectSession({ body: { sessionID: session.id } })).toBe(true);
  for (const call of [
    oc.tui.submitPrompt,
    oc.tui.clearPrompt,
    oc.tui.openHelp,
    oc.tui.openSessions,
    oc.tui.openThemes,
    oc.tui.openModels,
  ]) {
    expect(await call()).toBe(true);
  }
  const timeout = setTimeout(() => ac.abort(), 60_000); // a deadline for a hung stream, not a speed bound
  await collecting;
  clearTimeout(timeout);
  expect(seen).toEqual([
    { type: "tui.prompt.append", properties: { text: "prefilled" } },
    { type: "tui.command.execute", properties: { command: "session.new" } },
    { type: "tui.toast.show", properties: expect.objectContaining({ message: "hello", variant: "info" }) },
    { type: "tui.session.select", properties: { sessionID: session.id } },
  ]);
});
