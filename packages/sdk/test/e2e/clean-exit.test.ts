/**
 * A program that uses everything (server, event stream, prompt handles, a permission policy, an
 * aborted prompt) and then closes what it opened must exit by itself: no socket, timer or child
 * process left. It runs as its own Node process; a leak would keep it alive past the bound.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { listOpencodeProcesses } from "@ocsdk/test-kit";
import { expect, it } from "vitest";

const run = promisify(execFile);
const SDK = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
const KIT = fileURLToPath(new URL("../../../test-kit/src/index.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));

const PROGRAM = `
import { EventStream, PromptAbortedError, Sessions } from ${JSON.stringify(SDK)};
import { startOpencodeHarness } from ${JSON.stringify(KIT)};

const h = await startOpencodeHarness({ config: { permission: { bash: "ask" } }, env: { OCSDK_TEST_MARKER: process.env.MARKER } });
const session = await new Sessions(h.client).create({ title: "exit" });
const policy = await session.applyPermissionPolicy({ allow: ["bash:echo *"] });
h.model.enqueue({ toolCalls: [{ name: "bash", arguments: { command: "echo hi", description: "x" } }] }, { text: "done" });
console.log("text:", await session.prompt("go", { model: h.modelRef }).finalText());
h.model.enqueue({ text: Array.from({ length: 100 }, (_, i) => "w" + i + " "), delayMs: 30 });
const slow = session.prompt("slow", { model: h.modelRef });
for await (const e of slow) if (e.type === "text.delta") break;
await slow.abort();
console.log("aborted:", await slow.finalMessage().catch((e) => e instanceof PromptAbortedError));
const ac = new AbortController();
const watching = (async () => { for await (const _ of EventStream.of(h.client).subscribe({ signal: ac.signal })) {} })();
ac.abort();
await watching;
await policy.close();
await EventStream.of(h.client).close();
await h.close();
console.log("closed");
`;

it("the process exits on its own after closing everything", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ocsdk-exit-"));
  const marker = `ocsdk-exit-${randomUUID()}`;
  try {
    const file = join(dir, "program.mts");
    await writeFile(file, PROGRAM);
    // The timeout only stops a program that would never exit (the failure this test is for).
    const { stdout } = await run(TSX, [file], {
      env: { ...process.env, MARKER: marker, OPENCODE_SDK_LOG: "error" },
      timeout: 90_000,
      killSignal: "SIGKILL",
    });
    expect(stdout.trim().split("\n")).toEqual(["text: done", "aborted: true", "closed"]);
    expect(await listOpencodeProcesses(marker)).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
