/**
 * The SDK's journeys against one real server binary with the fake model: what a user does first
 * (health, sessions, a streamed prompt with a tool that asks permission, abort, prompts queued in one
 * session, events, a server restart, the v2 API). Each ends in a cell of the compatibility matrix:
 * works, degrades (how), not available, or fails; a journey that does not end is cut by its deadline
 * and fails with what it waited for, so one hang never stops the run.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OPERATIONS } from "../../../packages/sdk/src/generated/operations.gen.ts";
import {
  applyPermissionPolicy,
  createOpencodeClient,
  EventStream,
  NotFoundError,
  type OpencodeClient,
  PromptAbortedError,
  type PromptHandle,
  PromptPassedOverError,
  Sessions,
  UnsupportedServerFeatureError,
} from "../../../packages/sdk/src/index.ts";
import { spawnServer } from "../../../packages/sdk/src/server/spawn.ts";
import {
  type ChatRequest,
  type FakeModel,
  type FakeTurn,
  fakeModelConfig,
  initGitProject,
  type OpencodeHarness,
  startFakeModel,
  startOpencodeHarness,
} from "../../../packages/testing/src/index.ts";

/** What a journey found. `fails` is a defect of the SDK (or of the server) to fix, never a row to keep. */
export type CellStatus = "works" | "degrades" | "unavailable" | "fails";

/** One cell of the matrix. */
export interface JourneyResult {
  readonly feature: Feature;
  readonly status: CellStatus;
  /** How it degrades, why it is not available or fails; empty when it works. Deterministic: no timings. */
  readonly note: string;
  /** Measurements (timings, counts) for the run's log; not part of the matrix. */
  readonly detail: string;
}

/** The matrix rows, in order. */
export const FEATURES = [
  "health",
  "sessions",
  "prompt streaming",
  "tool with permission",
  "abort",
  "queued prompts",
  "steered prompts",
  "events",
  "restart",
  "v2 API",
] as const;
export type Feature = (typeof FEATURES)[number];

class Outcome {
  constructor(
    readonly status: CellStatus,
    readonly note = "",
    readonly detail = "",
  ) {}
}
const works = (detail = "") => new Outcome("works", "", detail);
const degrades = (note: string, detail = "") => new Outcome("degrades", note, detail);
const unavailable = (note: string, detail = "") => new Outcome("unavailable", note, detail);
const fails = (note: string, detail = "") => new Outcome("fails", note, detail);

interface Context {
  readonly version: string;
  readonly binary: string;
  readonly harness: OpencodeHarness;
  readonly oc: OpencodeClient;
  readonly model: FakeModel;
  readonly modelRef: { providerID: string; modelID: string };
  /** Handles started by the journey: the deadline reports their phases. */
  readonly handles: PromptHandle[];
}

/** The text of the request's last user message: a journey's turns answer only its own prompts. */
function lastUserText(body: ChatRequest): string {
  const users = (body.messages ?? []).filter((m) => m.role === "user");
  const content = users[users.length - 1]?.content;
  return typeof content === "string" ? content : JSON.stringify(content ?? "");
}
const turnFor = (marker: string, turn: FakeTurn): FakeTurn => ({ ...turn, match: (b) => lastUserText(b).includes(marker) });

const errorName = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

const JOURNEYS: Record<Feature, (ctx: Context) => Promise<Outcome>> = {
  async health({ oc, version }) {
    const health = await oc.global.health();
    if (health.healthy !== true || health.version !== version) return fails(`reports ${JSON.stringify(health)}`);
    return works();
  },

  async sessions({ oc }) {
    const session = await oc.session.create({ body: { title: "compat" } });
    await oc.session.update({ path: { sessionID: session.id }, body: { title: "compat renamed" } });
    const listed = (await oc.session.list()).some((s) => s.id === session.id && s.title === "compat renamed");
    const got = await oc.session.get({ path: { sessionID: session.id } });
    await oc.session.delete({ path: { sessionID: session.id } });
    const gone = await oc.session.get({ path: { sessionID: session.id } }).then(
      () => false,
      (e) => e instanceof NotFoundError,
    );
    if (!listed || got.id !== session.id || !gone) return fails(`listed ${listed}, got ${got.id}, gone ${gone}`);
    return works();
  },

  async "prompt streaming"({ oc, model, modelRef, handles }) {
    model.enqueue(turnFor("[stream]", { text: ["Hel", "lo ", "from ", "compat"] }));
    const session = await new Sessions(oc).create({ title: "stream" });
    const run = session.prompt("[stream] say hello", { model: modelRef });
    handles.push(run);
    const deltas: string[] = [];
    let steps = 0;
    for await (const event of run) {
      if (event.type === "text.delta") deltas.push(event.delta);
      if (event.type === "step.finished") steps++;
    }
    const final = await run.finalText();
    const detail = `${deltas.length} deltas, ${steps} step(s)`;
    if (final !== "Hello from compat") return fails(`final text ${JSON.stringify(final)}`, detail);
    if (deltas.join("") !== final) return fails(`deltas add up to ${JSON.stringify(deltas.join(""))}`, detail);
    if (deltas.length < 2) return degrades("the text arrives in one piece, not as deltas", detail);
    if (steps === 0) return degrades("no step.finished event (tokens, cost)", detail);
    return works(detail);
  },

  async "tool with permission"({ oc, model, modelRef, handles }) {
    model.enqueue(
      turnFor("[tool]", {
        toolCalls: [{ name: "bash", arguments: { command: "echo compat-ok", description: "Print a marker" } }],
      }),
      turnFor("[tool]", { text: "tool done" }),
    );
    const session = await new Sessions(oc).create({ title: "tool" });
    await using policy = await applyPermissionPolicy(oc, { allow: ["bash:echo *"] }, { sessionID: session.id });
    const run = session.prompt("[tool] run the marker", { model: modelRef });
    handles.push(run);
    let asked = false;
    let output = "";
    for await (const event of run) {
      if (event.type === "permission.asked" && event.request.permission === "bash") asked = true;
      if (event.type === "tool.completed" && event.tool === "bash") output = event.output;
    }
    const final = await run.finalText();
    const allowed = policy.decisions.some((d) => d.reply !== "reject");
    const detail = `asked ${asked}, policy ${policy.decisions.map((d) => d.reply).join(",")}, output ${JSON.stringify(output.trim())}`;
    if (!output.includes("compat-ok") || final !== "tool done") return fails(`tool output or final text missing`, detail);
    if (!allowed) return degrades("the tool ran without asking the policy", detail);
    if (!asked) return degrades("no permission.asked event on the handle (the policy still answers)", detail);
    return works(detail);
  },

  async abort({ oc, model, modelRef, handles }) {
    model.enqueue(turnFor("[abort]", { text: ["partial ", "never"], stallMs: 120_000 }));
    const session = await new Sessions(oc).create({ title: "abort" });
    const run = session.prompt("[abort] start and stall", { model: modelRef });
    handles.push(run);
    for await (const event of run) if (event.type === "text.delta") break;
    const started = performance.now();
    await run.abort();
    const error = await run.finalMessage().then(
      () => undefined,
      (e: unknown) => e,
    );
    const status = (await oc.session.status()) as Record<string, { type: string }>;
    const idle = (status[session.id]?.type ?? "idle") === "idle";
    const detail = `settled ${Math.round(performance.now() - started)} ms after abort()`;
    if (!(error instanceof PromptAbortedError)) return fails(`settled with ${errorName(error)}`, detail);
    if (!idle) return fails(`the session is still ${status[session.id]?.type}`, detail);
    return works(detail);
  },

  async "queued prompts"({ oc, model, modelRef, handles }) {
    const answers = ["answer one", "answer two", "answer three"];
    model.enqueue(...answers.map((text, i) => turnFor(`[q${i + 1}]`, { text })));
    const session = await new Sessions(oc).create({ title: "queue" });
    const runs = answers.map((_, i) => session.prompt(`[q${i + 1}] question ${i + 1}`, { model: modelRef }));
    handles.push(...runs);
    const settled = await Promise.allSettled(runs.map((r) => r.finalText()));
    const got = settled.map((s) => (s.status === "fulfilled" ? s.value : errorName(s.reason)));
    if (got.every((text, i) => text === answers[i])) return works(`answers ${JSON.stringify(got)}`);
    const typed = settled.every((s) => s.status === "fulfilled" || (s.reason as Error)?.name?.endsWith("Error"));
    const note = got.map((t, i) => `prompt ${i + 1}: ${t}`).join("; ");
    return typed ? degrades(`not every prompt gets its own answer (${note})`) : fails(note);
  },

  async "steered prompts"({ oc, model, modelRef, handles }) {
    // Sent at once while the first still streams: each settles, with its own answer or as passed over.
    model.enqueue(
      turnFor("[s1]", { text: ["first ", "answer ", "slowly"], delayMs: 300 }),
      turnFor("[s2]", { text: "second answer" }),
      turnFor("[s3]", { text: "third answer" }),
    );
    const session = await new Sessions(oc).create({ title: "steer" });
    const runs = [1, 2, 3].map((i) => session.prompt(`[s${i}] steered ${i}`, { model: modelRef, delivery: "steer" }));
    handles.push(...runs);
    const settled = await Promise.allSettled(runs.map((r) => r.finalText()));
    const got = settled.map((s) =>
      s.status === "fulfilled"
        ? JSON.stringify(s.value)
        : s.reason instanceof PromptPassedOverError
          ? "passed over"
          : errorName(s.reason),
    );
    const detail = got.join(", ");
    const odd = settled.filter((s) => s.status === "rejected" && !(s.reason instanceof PromptPassedOverError));
    if (odd.length) return fails(`a steered prompt settled with ${errorName((odd[0] as PromiseRejectedResult).reason)}`, detail);
    return works(detail);
  },

  async events({ oc }) {
    const events = EventStream.of(oc);
    const seen: string[] = [];
    const subscribed = (async () => {
      for await (const event of events.subscribe({ types: ["session.created", "session.updated"] })) {
        seen.push(`${event.type}:${event.properties.info.title}`);
        if (event.type === "session.updated" && event.properties.info.title === "events renamed") break;
      }
    })();
    const titles: string[] = [];
    const listening = events.listen({ types: ["session.updated"] }, (event) => void titles.push(event.properties.info.title));
    await events.ready();
    const session = await oc.session.create({ body: { title: "events" } });
    await oc.session.update({ path: { sessionID: session.id }, body: { title: "events renamed" } });
    await subscribed;
    listening.close();
    const detail = `subscribe saw ${seen.length}, listen saw ${titles.length}`;
    if (!seen.includes("session.created:events")) return fails("subscribe saw no session.created", detail);
    if (!titles.includes("events renamed")) return fails("listen saw no session.updated", detail);
    return works(detail);
  },

  async restart({ binary, model }) {
    // Its own server on its own data and port, restarted where the client looks.
    const dataDir = await mkdtemp(join(tmpdir(), "ocsdk-compat-data-"));
    const projectDir = await mkdtemp(join(tmpdir(), "ocsdk-compat-project-"));
    const password = `compat-${Math.random().toString(36).slice(2)}`;
    const start = (port = 0) =>
      spawnServer({ binary, config: fakeModelConfig(model), isolated: dataDir, cwd: projectDir, password, port });
    let server = await start();
    const port = Number(new URL(server.url).port);
    // Short reconnect delays: the journey waits for the restarted server, not for a backoff.
    const oc = createOpencodeClient({
      baseUrl: server.url,
      password,
      directory: projectDir,
      logLevel: "off",
      events: { initialDelayMs: 100, maxDelayMs: 500 },
    });
    try {
      await initGitProject(projectDir);
      const events = EventStream.of(oc);
      let reconnects = 0;
      events.onState((s) => {
        if (s.state === "reconnecting") reconnects++;
      });
      const titles: string[] = [];
      const listening = events.listen({ types: ["session.updated"] }, (e) => void titles.push(e.properties.info.title));
      await events.ready();
      const session = await oc.session.create({ body: { title: "before restart" } });
      await server.close();
      server = await start(port);
      await events.ready();
      // The stream may reopen before the server publishes events again: update until one is seen.
      for (let i = 0; i < 50 && !titles.includes("after restart"); i++) {
        await oc.session.update({ path: { sessionID: session.id }, body: { title: "after restart" } });
        await new Promise((r) => setTimeout(r, 200));
      }
      listening.close();
      const kept = (await oc.session.list()).some((s) => s.id === session.id);
      const detail = `${reconnects} reconnect(s)`;
      if (!kept) return fails("the session is gone after the restart", detail);
      if (reconnects === 0) return fails("the event stream never noticed the restart", detail);
      if (!titles.includes("after restart")) return fails("no event after the restart", detail);
      return works(detail);
    } finally {
      oc.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
      await rm(projectDir, { recursive: true, force: true });
    }
  },

  async "v2 API"({ oc, version }) {
    const served = new Set<string>();
    const doc = (await (await oc.rawRequest("/doc")).json()) as { paths?: Record<string, Record<string, unknown>> };
    for (const [path, item] of Object.entries(doc.paths ?? {}))
      for (const m of Object.keys(item)) served.add(`${m.toUpperCase()} ${path}`);
    const v2 = Object.values(OPERATIONS).filter((op) => op.id.startsWith("v2."));
    const missing = v2.filter((op) => !served.has(`${op.method} ${op.path}`));
    if (missing.length === 0) return works();
    // The first call to a missing one: a typed error that names the version, at once.
    const probe = missing.find((op) => op.method === "GET" && !op.path.includes("{")) ?? missing[0];
    if (!probe) return fails("no operation to probe");
    const started = performance.now();
    const error = await oc.call(probe.id as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    const ms = Math.round(performance.now() - started);
    const detail = `${missing.length}/${v2.length} missing; ${probe.id} → ${error instanceof Error ? error.name : "answered"} in ${ms} ms`;
    if (!(error instanceof UnsupportedServerFeatureError) || error.serverVersion !== version) {
      return fails(`calling a missing operation (${probe.id}) gave ${errorName(error)}`, detail);
    }
    const how = "calling one rejects at once with UnsupportedServerFeatureError";
    if (missing.length === v2.length) return unavailable(`oc.v2 (/api/*) is missing; ${how}`, detail);
    return degrades(`${missing.length} of ${v2.length} operations of oc.v2 (/api/*) are missing; ${how}`, detail);
  },
};

/** Options of {@link runJourneys}. */
export interface RunJourneysOptions {
  /** Deadline per journey (default 90 s): past it the journey fails, naming the handles' phases. */
  timeoutMs?: number;
  /** Only these features (default: all). */
  features?: readonly Feature[];
  /** Called as each journey ends. */
  onResult?: (result: JourneyResult) => void;
}

/**
 * Runs every journey against the server `binary` (which reports `version`), one after the other on one
 * harness (the restart journey on a server of its own).
 *
 * @example
 * ```ts
 * const results = await runJourneys("1.17.19", await opencodeBinary("1.17.19"));
 * ```
 */
export async function runJourneys(version: string, binary: string, options: RunJourneysOptions = {}): Promise<JourneyResult[]> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const model = await startFakeModel();
  const results: JourneyResult[] = [];
  try {
    const harness = await startOpencodeHarness({ binary, model, config: { permission: { bash: "ask" } } });
    try {
      for (const feature of options.features ?? FEATURES) {
        const ctx: Context = {
          version,
          binary,
          harness,
          oc: harness.client,
          model,
          modelRef: harness.modelRef,
          handles: [],
        };
        const outcome = await withDeadline(timeoutMs, () => JOURNEYS[feature](ctx), ctx);
        const result: JourneyResult = { feature, status: outcome.status, note: outcome.note, detail: outcome.detail };
        results.push(result);
        options.onResult?.(result);
      }
    } finally {
      await harness.close();
    }
  } finally {
    await model.close();
  }
  return results;
}

async function withDeadline(ms: number, journey: () => Promise<Outcome>, ctx: Context): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      const phases = ctx.handles.map((h) => h.phase).join(", ");
      resolve(fails(`no result within ${ms / 1000} s${phases ? ` (handle phases: ${phases})` : ""}`));
    }, ms);
  });
  const running = journey().catch((error: unknown) => fails(errorName(error)));
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
    // A journey cut by its deadline: stop what it left running.
    await Promise.allSettled(ctx.handles.map((h) => h.abort()));
  }
}
