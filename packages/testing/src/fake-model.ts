/**
 * A scripted OpenAI-compatible model on loopback: `/v1/chat/completions` (streamed or not) and
 * `/v1/models`. opencode talks to it through `@ai-sdk/openai-compatible`, so real prompts run
 * offline and deterministically.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, listenLoopback, readBody } from "./loopback.js";

/** A tool call the model makes. `arguments` is JSON-encoded for you when it is an object. */
export interface FakeToolCall {
  name: string;
  arguments: Record<string, unknown> | string;
}

/** One scripted answer. */
export interface FakeTurn {
  /** Text, streamed as one delta per array item (a string is split in words). */
  text?: string | string[];
  /** Reasoning deltas streamed before the text (`reasoning_content`). */
  reasoning?: string[];
  /** Pause before each delta. */
  delayMs?: number;
  /** Tool calls, streamed after the text; finish reason `tool_calls`. */
  toolCalls?: FakeToolCall[];
  /** Answer with this HTTP error instead. */
  error?: { status: number; body?: unknown; headers?: Record<string, string> };
  /** Send the first delta, then hang this long (or until the client goes away). */
  stallMs?: number;
  /** Only answer requests this accepts; others skip this turn (default: any agent request). */
  match?: (body: ChatRequest) => boolean;
}

/** The part of a chat-completion request the fake reads. */
export interface ChatRequest {
  model?: string;
  stream?: boolean;
  messages?: { role: string; content?: unknown; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string } }[];
  [key: string]: unknown;
}

/** A running fake model. */
export interface FakeModel extends AsyncDisposable {
  /** Base URL for `options.baseURL`, ending in `/v1`. */
  readonly url: string;
  /** Every chat-completion request body, in arrival order. */
  readonly requests: ChatRequest[];
  /** Appends scripted turns. */
  enqueue(...turns: FakeTurn[]): void;
  /** Turns not yet used. */
  pending(): number;
  close(): Promise<void>;
}

/** Options of {@link startFakeModel}. */
export interface FakeModelOptions {
  /** Answer when no turn matches (default: `"Hello from the fake model."`). */
  fallbackText?: string;
  /** Answer of auxiliary requests without tools (session titles, summaries). */
  auxiliaryText?: string;
}

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the fake model on 127.0.0.1 with a free port. Requests that carry tools are the agent's and
 * consume the queue in order; requests without tools (titles, summaries) get `auxiliaryText`.
 *
 * @example
 * ```ts
 * await using model = await startFakeModel();
 * model.enqueue({ text: ["Hel", "lo"] }, { toolCalls: [{ name: "read", arguments: { filePath: "README.md" } }] });
 * ```
 */
export async function startFakeModel(script: FakeTurn[] = [], options: FakeModelOptions = {}): Promise<FakeModel> {
  const queue: FakeTurn[] = [...script];
  const requests: ChatRequest[] = [];
  const fallback = options.fallbackText ?? "Hello from the fake model.";
  const auxiliary = options.auxiliaryText ?? "Fake title";
  let counter = 0;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && url.pathname.endsWith("/models")) {
      return json(res, 200, { object: "list", data: [{ id: "fake-model", object: "model", owned_by: "fake" }] });
    }
    if (req.method !== "POST" || !url.pathname.endsWith("/chat/completions")) return json(res, 404, { error: "not found" });
    let body: ChatRequest;
    try {
      body = JSON.parse((await readBody(req)).toString("utf8")) as ChatRequest;
    } catch {
      return json(res, 400, { error: { message: "invalid JSON" } });
    }
    requests.push(body);
    const agent = (body.tools?.length ?? 0) > 0;
    let turn: FakeTurn;
    if (!agent) turn = { text: auxiliary };
    else {
      const i = queue.findIndex((t) => !t.match || t.match(body));
      turn = i >= 0 ? (queue.splice(i, 1)[0] as FakeTurn) : { text: fallback };
    }
    const id = `chatcmpl-${++counter}`;
    await answer(res, body, turn, id);
  });
  server.keepAliveTimeout = 1_000;
  const base = await listenLoopback(server);
  const close = () => closeServer(server);
  return {
    url: `${base}/v1`,
    requests,
    enqueue: (...turns) => void queue.push(...turns),
    pending: () => queue.length,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

function deltasOf(text: FakeTurn["text"]): string[] {
  if (text === undefined) return [];
  if (Array.isArray(text)) return text;
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

async function answer(res: ServerResponse, body: ChatRequest, turn: FakeTurn, id: string): Promise<void> {
  if (turn.error) {
    const payload = turn.error.body ?? { error: { message: `fake error ${turn.error.status}`, type: "fake_error" } };
    return json(res, turn.error.status, payload, turn.error.headers);
  }
  const model = body.model ?? "fake-model";
  const created = Math.floor(Date.now() / 1000);
  const texts = deltasOf(turn.text);
  const calls = (turn.toolCalls ?? []).map((c, i) => ({
    id: `call_${id}_${i}`,
    name: c.name,
    arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments),
  }));
  const finish = calls.length ? "tool_calls" : "stop";
  const usage = {
    prompt_tokens: 10,
    completion_tokens: texts.length + calls.length,
    total_tokens: 10 + texts.length + calls.length,
  };

  if (!body.stream) {
    return json(res, 200, {
      id,
      object: "chat.completion",
      created,
      model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: texts.join(""),
            ...(calls.length
              ? {
                  tool_calls: calls.map((c) => ({
                    id: c.id,
                    type: "function",
                    function: { name: c.name, arguments: c.arguments },
                  })),
                }
              : {}),
          },
          finish_reason: finish,
        },
      ],
      usage,
    });
  }

  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  let gone = false;
  // On the response, not the keep-alive socket: one listener per request would pile up there.
  res.once("close", () => {
    gone = true;
  });
  const send = (delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}) => {
    if (gone) return;
    const chunk = {
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
      ...extra,
    };
    res.write(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
  };
  const pace = async () => {
    if (turn.delayMs) await sleep(turn.delayMs);
  };

  send({ role: "assistant", content: "" });
  for (const r of turn.reasoning ?? []) {
    await pace();
    send({ reasoning_content: r });
  }
  for (const [i, t] of texts.entries()) {
    await pace();
    send({ content: t });
    if (i === 0 && turn.stallMs) {
      const until = Date.now() + turn.stallMs;
      while (!gone && Date.now() < until) await sleep(Math.min(50, until - Date.now()));
    }
  }
  for (const [index, c] of calls.entries()) {
    await pace();
    send({ tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: "" } }] });
    send({ tool_calls: [{ index, function: { arguments: c.arguments } }] });
  }
  send({}, finish, { usage });
  if (!gone) res.end("data: [DONE]\n\n");
}
