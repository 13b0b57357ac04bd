// Contract tests of the app against the validating mock of the SDK's spec (vitest).
import { startMockServer } from "@ocsdk/testing";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { createTriage } from "../src/app.js";

let mock;
// Prism loads the spec in seconds, more on a busy CI machine: above vitest's 10 s default hook timeout.
beforeAll(async () => {
  mock = await startMockServer();
}, 120_000);
afterAll(() => mock?.close());
afterEach(() => {
  // Every request the app made must match the spec; Prism's message says what is wrong otherwise.
  mock.assertNoViolations();
  mock.reset();
});

const issue = { title: "Build fails on Node 20", body: "npm run build exits 1" };

test("open and rename send requests the server accepts", async () => {
  const triage = createTriage({ baseUrl: mock.url });
  const id = await triage.open(issue);
  expect(id).toMatch(/^ses/);
  expect(await triage.rename(id, "triage: done")).toBe(true);
  expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /session", `PATCH /session/${id}`]);
});

test("a session deleted meanwhile is reported, not thrown", async () => {
  mock.override("PATCH /session/:sessionID", { status: 404, body: { name: "NotFoundError", data: { message: "gone" } } });
  expect(await createTriage({ baseUrl: mock.url }).rename("ses_gone", "x")).toBe(false);
});

test("the answer streams in deltas and is kept whole", async () => {
  mock.answerPrompts({ text: ["Pin ", "Node ", "22."] });
  const deltas = [];
  const answer = await createTriage({ baseUrl: mock.url }).ask("ses_triage1", issue, (d) => deltas.push(d));
  expect(deltas).toEqual(["Pin ", "Node ", "22."]);
  expect(answer).toBe("Pin Node 22.");
});
