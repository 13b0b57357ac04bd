// The same contract tests with Node's own runner (node --test): @ocsdk/testing needs no vitest.
import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { startMockServer } from "@ocsdk/testing";
import { createTriage } from "../src/app.js";

let mock;
before(async () => {
  mock = await startMockServer();
});
after(() => mock?.close());
afterEach(() => {
  mock.assertNoViolations();
  mock.reset();
});

const issue = { title: "Build fails on Node 20", body: "npm run build exits 1" };

test("open and rename send requests the server accepts", async () => {
  const triage = createTriage({ baseUrl: mock.url });
  const id = await triage.open(issue);
  assert.match(id, /^ses/);
  assert.equal(await triage.rename(id, "triage: done"), true);
  assert.deepEqual(
    mock.requests.map((r) => `${r.method} ${r.path}`),
    ["POST /session", `PATCH /session/${id}`],
  );
});

test("a session deleted meanwhile is reported, not thrown", async () => {
  mock.override("PATCH /session/:sessionID", { status: 404, body: { name: "NotFoundError", data: { message: "gone" } } });
  assert.equal(await createTriage({ baseUrl: mock.url }).rename("ses_gone", "x"), false);
});

test("the answer streams in deltas and is kept whole", async () => {
  mock.answerPrompts({ text: ["Pin ", "Node ", "22."] });
  const deltas = [];
  const answer = await createTriage({ baseUrl: mock.url }).ask("ses_triage1", issue, (d) => deltas.push(d));
  assert.deepEqual(deltas, ["Pin ", "Node ", "22."]);
  assert.equal(answer, "Pin Node 22.");
});
