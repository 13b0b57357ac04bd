/**
 * Re-recording the SSE fixtures on the same server version changes no byte: one scenario recorded
 * twice by the real recorder against the pinned server. The first recording is normalized (no
 * run-specific ids, times or temp paths); the second keeps its bytes because it covers the same
 * event shapes.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, tsNode } from "../lib/paths.ts";
import { FIXED_TIME, Normalizer, normalizeStream, streamSignature } from "../lib/sse-normalize.ts";

const run = promisify(execFile);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ocsdk-fixtures-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function record(): Promise<Map<string, string>> {
  await run(...tsNode(join(ROOT, "scripts", "record-sse-fixtures.ts")), {
    cwd: ROOT,
    env: { ...process.env, OCSDK_FIXTURE_DIR: dir, OCSDK_FIXTURE_SCENARIOS: "text" },
    timeout: 240_000,
  });
  const files = new Map<string, string>();
  for (const f of (await readdir(dir)).sort()) files.set(f, await readFile(join(dir, f), "utf8"));
  return files;
}

describe("the fixture recorder", () => {
  it("records the same bytes twice on the same server version", async () => {
    const first = await record();
    expect([...first.keys()]).toEqual(["index.json", "text.event.sse", "text.global.sse", "text.v2.sse"]);
    const all = [...first.values()].join("\n");
    expect(all).not.toMatch(/ocsdk-project-[A-Za-z0-9]{6}/);
    expect(all).not.toMatch(/opencode-home-[A-Za-z0-9]{6}/);
    expect(all).not.toMatch(/\b(evt|ses|msg|prt)_[0-9a-f]{6}[0-9A-Za-z]*[a-zA-Z][0-9A-Za-z]*\b/);
    const times = [...all.matchAll(/"(created|updated|start|end|time)":(\d{13})/g)].map((m) => Number(m[2]));
    expect(times.length).toBeGreaterThan(0);
    expect(new Set(times)).toEqual(new Set([FIXED_TIME]));
    expect(JSON.parse(first.get("index.json") as string).text.frames.event).toBeGreaterThan(3);
    const second = await record();
    expect(second).toEqual(first);
  }, 480_000);
});

describe("normalization (pure)", () => {
  const frames = [
    'data: {"id":"evt_20f80d62c001321GgXsVC8WtZ6","type":"server.connected","properties":{}}',
    'data: {"id":"evt_20f80d62c002aaaaaaaaaaaaaa","type":"server.heartbeat","properties":{}}',
    'data: {"id":"evt_20f80d687001St0xc4QWn4wmIq","type":"session.updated","properties":{"sessionID":"ses_df07f29f5ffe0Ds9G7jRL34m8w","info":{"slug":"kind-rocket","directory":"/tmp/run/ocsdk-project-cS50UR","projectID":"b7e57cf06d4a67bcfd2223df65e6c9c9488be569","time":{"created":1795556431371}}}}',
  ];

  it("replaces ids, hashes, times, slugs and temp paths with stable stand-ins; one canonical heartbeat", () => {
    const out = normalizeStream(frames, new Normalizer([["/tmp/run/ocsdk-project-cS50UR", "/tmp/ocsdk-project"]]));
    expect(out).toEqual([
      'data: {"id":"evt_00000000000000000000000001","type":"server.connected","properties":{}}',
      'data: {"id":"evt_99999999999999999999999999","type":"server.heartbeat","properties":{}}',
      `data: {"id":"evt_00000000000000000000000002","type":"session.updated","properties":{"sessionID":"ses_00000000000000000000000001","info":{"slug":"fixture-slug","directory":"/tmp/ocsdk-project","projectID":"${"0".repeat(39)}1","time":{"created":${FIXED_TIME}}}}}`,
    ]);
    // Another run with other ids and paths gives the same text.
    const other = frames.map((f) =>
      f
        .replace(/20f80d/g, "21a9b3")
        .replace("cS50UR", "Xy12Zq")
        .replace("b7e57cf0", "c0ffee00")
        .replace("1795556431371", "1795556999999"),
    );
    expect(normalizeStream(other, new Normalizer([["/tmp/run/ocsdk-project-Xy12Zq", "/tmp/ocsdk-project"]]))).toEqual(out);
  });

  it("the signature ignores values and order, not event types or fields", () => {
    const a = ['data: {"type":"a","n":1}', 'data: {"type":"b","s":"x"}'];
    expect(streamSignature([...a].reverse())).toEqual(streamSignature(a));
    expect(streamSignature(['data: {"type":"a","n":2}', ...a])).toEqual(streamSignature(a));
    expect(streamSignature(['data: {"type":"c"}', ...a])).not.toEqual(streamSignature(a));
    expect(streamSignature(['data: {"type":"a","n":"1"}', 'data: {"type":"b","s":"x"}'])).not.toEqual(streamSignature(a));
  });
});
