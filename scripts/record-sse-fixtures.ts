/**
 * pnpm record-fixtures: records real `/event` and `/global/event` streams of the pinned server
 * during scripted prompts (plain text, a tool call, a permission request) driven by the fake model,
 * into packages/client/test/fixtures/sse/. Run after a server upgrade; the streaming contract tests
 * replay and validate these files.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { OpencodeClient } from "@ocsdk/sdk";
import { type FakeTurn, type OpencodeHarness, startOpencodeHarness } from "@ocsdk/test-kit";
import { ROOT } from "./lib/paths.ts";
import { fail, isMain, step } from "./lib/progress.ts";

export const FIXTURE_DIR = join(ROOT, "packages", "client", "test", "fixtures", "sse");
/** Streams recorded per scenario. */
export const STREAMS = {
  event: "/event",
  global: "/global/event",
  v2: "/api/event",
} as const;
// Not recorded: /api/session/{sessionID}/event (v2.session.events) sends no response headers for
// sessions run by the v1 prompt loop, which is what the pinned server runs.
/** Heartbeats every ~10 s carry nothing; a couple are kept so replay covers them. */
const MAX_HEARTBEATS = 2;

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

function trimHeartbeats(frames: string[]): string[] {
  let beats = 0;
  return frames.filter((f) => !f.includes('"server.heartbeat"') || ++beats <= MAX_HEARTBEATS);
}

async function runScenario(s: Scenario): Promise<Record<string, number>> {
  await using h = await startOpencodeHarness({ script: s.script, ...(s.config ? { config: s.config } : {}) });
  const stop = new AbortController();
  const session = await h.client.session.create({ body: { title: `fixture ${s.name}` } });
  let idle: () => void = () => {};
  const becameIdle = new Promise<void>((r) => {
    idle = r;
  });
  const reactions: Promise<void>[] = [];
  const onEvent = (data: string) => {
    const event = JSON.parse(data) as { type: string; properties: Record<string, unknown> };
    if (event.type === "session.idle" && event.properties.sessionID === session.id) idle();
    if (s.onEvent) reactions.push(s.onEvent(h.client, event));
  };
  const recs = {
    event: record(h, STREAMS.event, stop.signal, onEvent),
    global: record(h, STREAMS.global, stop.signal),
    v2: record(h, STREAMS.v2, stop.signal),
  };
  // The bus streams open (server.connected seen) before the prompt, so nothing is missed.
  const t0 = Date.now();
  while ((recs.event.frames.length === 0 || recs.global.frames.length === 0) && Date.now() - t0 < 10_000) {
    await new Promise((r) => setTimeout(r, 20));
  }
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
  const counts: Record<string, number> = {};
  for (const [kind, rec] of Object.entries(recs)) {
    const frames = trimHeartbeats(rec.frames);
    await writeFile(join(FIXTURE_DIR, `${s.name}.${kind}.sse`), frames.map((f) => `${f}\n\n`).join(""));
    counts[kind] = frames.length;
  }
  return counts;
}

export async function recordFixtures(): Promise<void> {
  await mkdir(FIXTURE_DIR, { recursive: true });
  const index: Record<string, unknown> = {};
  for (const s of SCENARIOS) {
    const counts = await step(`record ${s.name}: ${s.description}`, () => runScenario(s));
    index[s.name] = { description: s.description, frames: counts, streams: STREAMS };
  }
  await writeFile(join(FIXTURE_DIR, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
}

if (isMain(import.meta.url)) {
  recordFixtures().catch(fail);
}
