/**
 * The design guide's event vocabulary (message.start/chunk/end, tool.start/result/end, error) as an
 * adapter over a prompt handle, for code written against the guide's SDK sketch.
 */
import type { OpencodeError } from "../core/errors.js";
import { retryAfterMs } from "../core/retry.js";
import { PromptAbortedError, type PromptEvent, ProviderAuthError, ProviderRateLimitError } from "../prompt/handle.js";

/** An event in the guide's vocabulary: `event` is the SSE event name, `data` its payload. */
export type SeedEvent =
  | { event: "message.start"; data: { id: string; role: "assistant"; timestamp: string } }
  | { event: "message.chunk"; data: { id: string; content: string; index: number } }
  | { event: "message.end"; data: { id: string; tokens: number; duration_ms: number } }
  | { event: "tool.start"; data: { id: string; name: string; args: Record<string, unknown> } }
  | { event: "tool.result"; data: { id: string; success: boolean; result: string } }
  | { event: "tool.end"; data: { id: string; duration_ms: number } }
  | { event: "error"; data: { code: string; message: string; retry_after?: number } };

/** Seconds the provider asked to wait (its `Retry-After`, kept by opencode with the error), if any. */
function retryAfterSeconds(error: OpencodeError, now: () => number): number | undefined {
  if (!(error instanceof ProviderRateLimitError)) return undefined;
  const headers = error.data.responseHeaders;
  if (!headers || typeof headers !== "object") return undefined;
  const ms = retryAfterMs(new Headers(headers as Record<string, string>), now);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

function errorCode(error: OpencodeError): string {
  if (error instanceof ProviderRateLimitError) return "RATE_LIMIT";
  if (error instanceof ProviderAuthError) return "AUTH";
  if (error instanceof PromptAbortedError) return "ABORTED";
  return "ERROR";
}

/**
 * Re-tells a prompt's events in the guide's vocabulary. Errors become an `error` event and end the
 * iteration instead of throwing, as the guide's stream did.
 *
 * @example
 * ```ts
 * for await (const { event, data } of toSeedEvents(session.prompt("hi"))) {
 *   if (event === "message.chunk") process.stdout.write(data.content);
 * }
 * ```
 */
export async function* toSeedEvents(events: AsyncIterable<PromptEvent>, now: () => number = Date.now): AsyncGenerator<SeedEvent> {
  const started = new Map<string, number>();
  const chunks = new Map<string, number>();
  const tokens = new Map<string, number>();
  const toolStarts = new Map<string, number>();
  let open: string | undefined;
  const end = (id: string): SeedEvent => ({
    event: "message.end",
    data: { id, tokens: tokens.get(id) ?? 0, duration_ms: now() - (started.get(id) ?? now()) },
  });
  try {
    for await (const e of events) {
      switch (e.type) {
        case "text.delta": {
          if (!started.has(e.messageID)) {
            if (open) yield end(open);
            open = e.messageID;
            started.set(e.messageID, now());
            yield {
              event: "message.start",
              data: { id: e.messageID, role: "assistant", timestamp: new Date(now()).toISOString() },
            };
          }
          const index = chunks.get(e.messageID) ?? 0;
          chunks.set(e.messageID, index + 1);
          yield { event: "message.chunk", data: { id: e.messageID, content: e.delta, index } };
          break;
        }
        case "step.finished":
          tokens.set(e.messageID, (tokens.get(e.messageID) ?? 0) + e.tokens.output);
          break;
        case "tool.started":
          toolStarts.set(e.callID, now());
          yield { event: "tool.start", data: { id: e.callID, name: e.tool, args: e.input } };
          break;
        case "tool.completed":
        case "tool.failed": {
          const ok = e.type === "tool.completed";
          yield { event: "tool.result", data: { id: e.callID, success: ok, result: ok ? e.output : e.error } };
          yield { event: "tool.end", data: { id: e.callID, duration_ms: now() - (toolStarts.get(e.callID) ?? now()) } };
          break;
        }
        case "done":
          if (open) yield end(open);
          open = undefined;
          break;
      }
    }
  } catch (error) {
    const e = error as OpencodeError;
    const retryAfter = retryAfterSeconds(e, now);
    yield {
      event: "error",
      data: { code: errorCode(e), message: e.message, ...(retryAfter !== undefined ? { retry_after: retryAfter } : {}) },
    };
  }
}
