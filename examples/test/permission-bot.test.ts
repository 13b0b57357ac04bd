/** examples/permission-bot: the bot answers the permission requests of a scripted answer by its policy. */
import { createOpencodeClient, Sessions } from "@ocsdk/sdk";
import { startMockServer } from "@ocsdk/testing";
import { expect, it } from "vitest";
import { example, startNode, waitFor } from "./run.ts";

it("allows ls, denies rm, logs each reply, and stops on SIGTERM", async () => {
  await using mock = await startMockServer({ heartbeatMs: 0 });
  const bot = startNode([example("permission-bot/bot.js")], { OPENCODE_BASE_URL: mock.url, OPENCODE_SDK_LOG: "error" });
  try {
    await waitFor(() => bot.output().includes("listening"), "the bot to listen");
    mock.answerPrompts({
      toolCalls: [
        { tool: "bash", input: { command: "ls" }, output: "README.md", permission: { permission: "bash", patterns: ["ls"] } },
        { tool: "bash", input: { command: "rm -rf /" }, permission: { permission: "bash", patterns: ["rm -rf /"] } },
      ],
      text: "done",
    });
    const oc = createOpencodeClient({ baseUrl: mock.url, logLevel: "off" });
    const run = (await new Sessions(oc).get("ses_bot1")).prompt("clean up");
    const tools: string[] = [];
    for await (const e of run)
      if (e.type === "tool.completed" || e.type === "tool.failed") tools.push(`${e.type} ${e.input.command}`);
    expect(tools).toEqual(["tool.completed ls", "tool.failed rm -rf /"]);
    await waitFor(
      () =>
        bot
          .output()
          .split("\n")
          .filter((l) => l.startsWith("{")).length === 2,
      "two logged replies",
    );
    const lines = bot
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { permission: "bash", patterns: ["ls"], reply: "once", rule: "bash:ls*" },
      { permission: "bash", patterns: ["rm -rf /"], reply: "reject", rule: "bash:rm *" },
    ]);
    mock.assertNoViolations();
  } finally {
    const exited = new Promise<number | null>((r) => bot.child.once("exit", (code) => r(code)));
    bot.child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }
});
