/** examples/node-stream: the script streams a prompt's answer from the real pinned server, answered by the fake model. */
import { startOpencodeHarness } from "@ocsdk/testing";
import { expect, it } from "vitest";
import { example, runNode } from "./run.ts";

it("streams the answer's deltas to stdout and exits by itself", async () => {
  await using h = await startOpencodeHarness({ script: [{ text: ["Streamed ", "from ", "the ", "fake ", "model."] }] });
  const { stdout, stderr } = await runNode([example("node-stream/stream.js"), "Say something"], {
    env: { OPENCODE_BASE_URL: h.server.url, OPENCODE_SERVER_PASSWORD: h.server.password ?? "", OPENCODE_SDK_LOG: "error" },
  });
  expect(stdout.trim()).toBe("Streamed from the fake model.");
  expect(stderr).toMatch(/done: msg_/);
  const agent = h.model.requests.filter((r) => (r.tools?.length ?? 0) > 0);
  expect(JSON.stringify(agent[0]?.messages)).toContain("Say something");
});
