/** The harness itself: a prompt through the real server is answered by the fake model and stored. */
import { startOpencodeHarness } from "@ocsdk/testing";
import { expect, it } from "vitest";

it("a prompt yields the fake model's text as the stored assistant message", async () => {
  await using h = await startOpencodeHarness({ script: [{ text: ["Hello", " from", " the", " script."] }] });
  const session = await h.client.session.create({ body: { title: "harness" } });
  const reply = await h.client.session.prompt({
    path: { sessionID: session.id },
    body: { model: h.modelRef, parts: [{ type: "text", text: "say hello" }] },
  });
  expect(reply.info.role).toBe("assistant");
  const text = reply.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
  expect(text).toBe("Hello from the script.");
  const stored = await h.client.session.messages({ path: { sessionID: session.id } });
  expect(stored.map((m) => m.info.role)).toEqual(["user", "assistant"]);
  const agentRequests = h.model.requests.filter((r) => (r.tools?.length ?? 0) > 0);
  expect(agentRequests).toHaveLength(1);
  expect(JSON.stringify(agentRequests[0]?.messages)).toContain("say hello");
});
