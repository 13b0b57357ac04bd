/**
 * pnpm record-fixtures: records real `/event` and `/global/event` streams of the pinned server
 * during scripted prompts (plain text, a tool call, a permission request) driven by the fake model,
 * into packages/client/test/fixtures/sse/. Run after a server upgrade; the streaming contract tests
 * replay and validate these files.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { OpencodeClient } from "@ocsdk/sdk";
import { type FakeTurn, type OpencodeHarness, splitFrames, startOpencodeHarness } from "@ocsdk/test-kit";
import { ROOT, SPEC_PATH, syncTestingAssets } from "./lib/paths.ts";
import { fail, isMain, step } from "./lib/progress.ts";
import { Normalizer, normalizeStream, streamSignature } from "./lib/sse-normalize.ts";

/** Where the fixtures go; OCSDK_FIXTURE_DIR records elsewhere (the reproducibility test records twice). */
export const FIXTURE_DIR = process.env.OCSDK_FIXTURE_DIR || join(ROOT, "packages", "client", "test", "fixtures", "sse");
/** Streams recorded per scenario. */
export const STREAMS = {
  event: "/event",
  global: "/global/event",
  v2: "/api/event",
} as const;
// Not recorded: /api/session/{sessionID}/event (v2.session.events) sends no response headers for
// sessions run by the v1 prompt loop, which is what the pinned server runs.

interface Scenario {
  name: string;
  description: string;
  script: FakeTurn[];
  config?: Record<string, unknown>;
  prompt: string;
  /** Reacts to events while the prompt runs (e.g. answers a permission request). */
  onEvent?: (oc: OpencodeClient, event: { type: string; properties: Record<string, unknown> }) => Promise<void>;
}

export const SCENARIOS: Scenario[] = [
  {
    name: "text",
    description: "a prompt answered with streamed text",
    script: [{ text: ["The ", "answer ", "is ", "forty-two."], delayMs: 20 }],
    prompt: "What is the answer?",
  },
  {
    name: "tool",
    description: "the model reads a file with the read tool, then answers",
    script: [
      { toolCalls: [{ name: "read", arguments: { filePath: "README.md" } }] },
      { text: ["The README ", "says hello."], delayMs: 20 },
    ],
    prompt: "What does the README say?",
  },
  {
    name: "permission",
    description: "bash needs permission (config ask); the recorder allows it once",
    config: { permission: { bash: "ask" } },
    script: [
      { toolCalls: [{ name: "bash", arguments: { command: "echo fixture", description: "Print a word" } }] },
      { text: ["Ran ", "the command."], delayMs: 20 },
    ],
    prompt: "Run echo fixture",
    onEvent: async (oc, event) => {
      if (event.type === "permission.asked") {
        await oc.permission.reply({ path: { requestID: String(event.properties.id) }, body: { reply: "once" } });
      }
    },
  },
];

/** Raw frames of a stream, collected until `stop` aborts it. */
function record(h: OpencodeHarness, path: string, stop: AbortSignal, onFrame?: (data: string) => void) {
  const frames: string[] = [];
  const done = (async () => {
    const res = await h.client.streamFetch(path, { signal: stop }).catch((error: unknown) => {
      if (stop.aborted) return undefined;
      throw error;
    });
    if (!res) return;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
        for (let i = buffer.indexOf("\n\n"); i >= 0; i = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          frames.push(frame);
          const data = frame
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trimStart())
            .join("\n");
          if (data) onFrame?.(data);
        }
      }
    } catch (error) {
      if (!stop.aborted) throw error;
    }
  })();
  return { frames, done };
}

interface Recording {
  serverVersion: string;
  /** Normalized frames per stream kind. */
  streams: Record<string, string[]>;
}

async function runScenario(s: Scenario, streams: Partial<typeof STREAMS>): Promise<Recording> {
  await using h = await startOpencodeHarness({ script: s.script, ...(s.config ? { config: s.config } : {}) });
  const stop = new AbortController();
  let sessionID = "";
  let idle: () => void = () => {};
  const becameIdle = new Promise<void>((r) => {
    idle = r;
  });
  const reactions: Promise<void>[] = [];
  const onEvent = (data: string) => {
    const event = JSON.parse(data) as { type: string; properties: Record<string, unknown> };
    if (event.type === "session.idle" && event.properties.sessionID === sessionID) idle();
    if (s.onEvent) reactions.push(s.onEvent(h.client, event));
  };
  const recs = {
    event: record(h, STREAMS.event, stop.signal, onEvent),
    global: record(h, STREAMS.global, stop.signal),
    ...(streams.v2 ? { v2: record(h, STREAMS.v2, stop.signal) } : {}),
  };
  // Every stream open (its first frame seen) before the session exists, so each sees it all.
  const t0 = Date.now();
  while (Object.values(recs).some((r) => r.frames.length === 0) && Date.now() - t0 < 10_000) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const session = await h.client.session.create({ body: { title: `fixture ${s.name}` } });
  sessionID = session.id;
  await h.client.session.prompt_async({
    path: { sessionID: session.id },
    body: { model: h.modelRef, parts: [{ type: "text", text: s.prompt }] },
  });
  const timeout = new Promise<never>((_, rej) =>
    setTimeout(() => rej(new Error(`${s.name}: session not idle in 60 s`)), 60_000).unref(),
  );
  await Promise.race([becameIdle, timeout]);
  await Promise.all(reactions);
  await new Promise((r) => setTimeout(r, 300)); // trailing events (session.updated, diffs)
  stop.abort();
  await Promise.all(Object.values(recs).map((r) => r.done));
  // Same server version, same bytes: ids, times, temp paths and heartbeats made stable.
  const normalizer = new Normalizer([
    [h.projectDir, "/tmp/ocsdk-project"],
    ...(h.server.dataDir ? [[h.server.dataDir, "/tmp/opencode-home"] as [string, string]] : []),
  ]);
  const out: Record<string, string[]> = {};
  for (const [kind, rec] of Object.entries(recs)) out[kind] = normalizeStream(rec.frames, normalizer);
  return { serverVersion: h.server.version, streams: out };
}

const render = (frames: string[]) => frames.map((f) => `${f}\n\n`).join("");

/** The streams the spec has (an older server has no /api/event): only those are recorded. */
export function streamsInSpec(spec: { paths: Record<string, unknown> }): Partial<typeof STREAMS> {
  return Object.fromEntries(Object.entries(STREAMS).filter(([, path]) => path in spec.paths)) as Partial<typeof STREAMS>;
}

/**
 * Records every scenario into {@link FIXTURE_DIR}. A scenario whose new recording covers the same
 * event shapes, from the same server version, as the baseline (OCSDK_FIXTURE_BASELINE, default the
 * fixtures already there) keeps the baseline's bytes: the server interleaves concurrent events
 * differently run to run, and a re-recording must not change files for that.
 */
export async function recordFixtures(): Promise<void> {
  await mkdir(FIXTURE_DIR, { recursive: true });
  const baselineDir = process.env.OCSDK_FIXTURE_BASELINE || FIXTURE_DIR;
  const baseline = await readBaseline(baselineDir);
  const streams = streamsInSpec(JSON.parse(await readFile(SPEC_PATH, "utf8")) as { paths: Record<string, unknown> });
  const index: Record<string, unknown> = {};
  const files = new Map<string, string>();
  // OCSDK_FIXTURE_SCENARIOS=text,tool records only those (the reproducibility test records one).
  const only = process.env.OCSDK_FIXTURE_SCENARIOS?.split(",").filter(Boolean);
  for (const s of SCENARIOS.filter((x) => !only || only.includes(x.name))) {
    const rec = await step(`record ${s.name}: ${s.description}`, () => runScenario(s, streams));
    const before = baseline.index[s.name];
    const kinds = Object.keys(rec.streams).sort();
    const same =
      before?.serverVersion === rec.serverVersion &&
      kinds.join() ===
        Object.keys(before.frames ?? {})
          .sort()
          .join() &&
      kinds.every((k) => {
        const old = baseline.files.get(`${s.name}.${k}.sse`);
        return (
          old !== undefined && streamSignature(splitFrames(old)).join("\n") === streamSignature(rec.streams[k] ?? []).join("\n")
        );
      });
    if (same) process.stderr.write(`  ${s.name}: same event shapes as the baseline from ${rec.serverVersion}: files kept\n`);
    const counts: Record<string, number> = {};
    for (const k of kinds) {
      const name = `${s.name}.${k}.sse`;
      const text = same ? (baseline.files.get(name) as string) : render(rec.streams[k] ?? []);
      files.set(name, text);
      counts[k] = splitFrames(text).length;
    }
    index[s.name] = { description: s.description, frames: counts, streams, serverVersion: rec.serverVersion };
  }
  // Fixtures of a stream the spec no longer has must not linger.
  for (const f of await readdir(FIXTURE_DIR)) if (f.endsWith(".sse") && !files.has(f)) await rm(join(FIXTURE_DIR, f));
  for (const [name, text] of files) await writeFile(join(FIXTURE_DIR, name), text);
  await writeFile(join(FIXTURE_DIR, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
  // The testing package ships copies of the repository's own fixtures.
  if (!process.env.OCSDK_FIXTURE_DIR) syncTestingAssets();
}

interface BaselineEntry {
  serverVersion?: string;
  frames?: Record<string, number>;
}

async function readBaseline(dir: string): Promise<{ index: Record<string, BaselineEntry>; files: Map<string, string> }> {
  const files = new Map<string, string>();
  let index: Record<string, BaselineEntry> = {};
  try {
    index = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as Record<string, BaselineEntry>;
    for (const f of await readdir(dir)) if (f.endsWith(".sse")) files.set(f, await readFile(join(dir, f), "utf8"));
  } catch {
    /* no baseline: everything is recorded fresh */
  }
  return { index, files };
}

if (isMain(import.meta.url)) {
  recordFixtures().catch(fail);
}
