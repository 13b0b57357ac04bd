/**
 * Conformance of the real pinned server to its own spec: end-to-end traffic (sessions, a real
 * prompt answered by the fake model, tools, files, config) goes through a Prism validation proxy;
 * every violation is reported, known ones are in openapi/conformance-allowlist.json with a reason,
 * and a new one fails the run.
 */
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { createOpencodeClient } from "@ocsdk/sdk";
import {
  classifyViolations,
  closeServer,
  createConformanceRecorder,
  listenLoopback,
  loadAllowlist,
  type ObservedViolation,
  startConformanceProxy,
  startOpencodeHarness,
} from "@ocsdk/test-kit";
import { expect, it } from "vitest";

const SPEC = fileURLToPath(new URL("../../../../openapi/opencode.openapi.json", import.meta.url));
const ALLOWLIST = fileURLToPath(new URL("../../../../openapi/conformance-allowlist.json", import.meta.url));

it("the real server's answers match its spec, except reviewed known violations", async () => {
  await using h = await startOpencodeHarness({
    script: [{ toolCalls: [{ name: "read", arguments: { filePath: "README.md" } }] }, { text: ["The README ", "says hello."] }],
  });
  await using proxy = await startConformanceProxy({ specPath: SPEC, upstream: h.server.url });
  const rec = createConformanceRecorder();
  const oc = createOpencodeClient({
    baseUrl: proxy.url,
    password: h.server.password,
    directory: h.projectDir,
    fetch: rec.fetch,
    logLevel: "off",
    maxRetries: 0,
  });

  await oc.global.health();
  await oc.config.get();
  await oc.config.providers();
  await oc.provider.list();
  await oc.app.agents();
  await oc.command.list();
  await oc.path.get();
  await oc.project.current();
  await oc.project.list();
  await oc.vcs.get();
  await oc.file.list({ query: { path: "." } });
  await oc.file.read({ query: { path: "README.md" } });
  await oc.find.files({ query: { query: "READ" } });
  await oc.session.status();
  const session = await oc.session.create({ body: { title: "conformance" } });
  await oc.session.list();
  await oc.session.get({ path: { sessionID: session.id } });
  await oc.session.update({ path: { sessionID: session.id }, body: { title: "conformance 2" } });
  const reply = await oc.session.prompt({
    path: { sessionID: session.id },
    body: { model: h.modelRef, parts: [{ type: "text", text: "What does the README say?" }] },
  });
  await oc.session.messages({ path: { sessionID: session.id } });
  await oc.session.message({ path: { sessionID: session.id, messageID: reply.info.id } });
  await oc.session.todo({ path: { sessionID: session.id } });
  await oc.session.diff({ path: { sessionID: session.id } });
  await oc.session.children({ path: { sessionID: session.id } });
  const fork = await oc.session.fork({ path: { sessionID: session.id }, body: {} });
  await oc.session.delete({ path: { sessionID: fork.id } });
  await oc.session.delete({ path: { sessionID: session.id } });

  const failed = rec.requests.filter((r) => r.status >= 400);
  expect(failed).toEqual([]);
  const { allowlisted, unexpected } = classifyViolations(rec.violations, loadAllowlist(ALLOWLIST));
  const show = (v: ObservedViolation) => `${v.operation} (${v.method} ${v.path} ${v.status}) ${v.location}: ${v.message}`;
  console.log(
    `conformance: ${rec.requests.length} requests checked, ${rec.violations.length} violations, ${allowlisted.length} allowlisted`,
  );
  for (const v of allowlisted) console.log(`conformance: known: ${show(v)}`);
  expect(unexpected.map(show)).toEqual([]);
});

it("the proxy reports a response that breaks the spec (control)", async () => {
  const upstream = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ healthy: "yes" }));
  });
  const upstreamUrl = await listenLoopback(upstream);
  try {
    await using proxy = await startConformanceProxy({ specPath: SPEC, upstream: upstreamUrl });
    const rec = createConformanceRecorder();
    const oc = createOpencodeClient({ baseUrl: proxy.url, fetch: rec.fetch, logLevel: "off", maxRetries: 0 });
    await oc.global.health();
    expect(rec.violations.length).toBeGreaterThan(0);
    expect(rec.violations[0]).toMatchObject({ operation: "global.health", status: 200 });
    expect(rec.violations.map((v) => `${v.location}: ${v.message}`).join("\n")).toMatch(/healthy|version/);
    const { unexpected } = classifyViolations(rec.violations, loadAllowlist(ALLOWLIST));
    expect(unexpected.length).toBe(rec.violations.length);
  } finally {
    await closeServer(upstream);
  }
});
