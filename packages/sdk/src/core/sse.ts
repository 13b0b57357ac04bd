/** A server-sent-events parser over a byte stream (the WHATWG event-stream format). */

/** One SSE message. Comment lines (": heartbeat") are reported with `comment` so watchdogs see them. */
export interface SseMessage {
  data: string;
  event?: string;
  id?: string;
  retry?: number;
  /** The frame held only comments. */
  comment?: boolean;
}

/**
 * Parses an SSE byte stream into messages; stops when the stream ends or `signal` aborts
 * (the reader is released and the body cancelled either way).
 *
 * @example
 * ```ts
 * for await (const msg of parseSse(response.body!)) console.log(JSON.parse(msg.data));
 * ```
 */
export async function* parseSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  let buffer = "";
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  let retry: number | undefined;
  let sawField = false;
  let sawComment = false;
  try {
    for (;;) {
      if (signal?.aborted) return;
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (;;) {
        const nl = buffer.search(/\r\n|\r|\n/);
        // A lone "\r" at the end may be the first half of "\r\n": wait for the next chunk.
        if (nl < 0 || (buffer[nl] === "\r" && nl === buffer.length - 1)) break;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith("\r\n", nl) ? 2 : 1));
        if (line === "") {
          if (sawField) {
            const msg: SseMessage = { data: data.join("\n") };
            if (event !== undefined) msg.event = event;
            if (id !== undefined) msg.id = id;
            if (retry !== undefined) msg.retry = retry;
            yield msg;
          } else if (sawComment) yield { data: "", comment: true };
          data = [];
          event = undefined;
          retry = undefined;
          sawField = false;
          sawComment = false;
          continue;
        }
        if (line.startsWith(":")) {
          sawComment = true;
          continue;
        }
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? "" : line.slice(colon + 1);
        if (val.startsWith(" ")) val = val.slice(1);
        sawField = true;
        if (field === "data") data.push(val);
        else if (field === "event") event = val;
        else if (field === "id") id = val;
        else if (field === "retry" && /^\d+$/.test(val)) retry = Number(val);
      }
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.cancel().catch(() => {});
    try {
      reader.releaseLock();
    } catch {
      /* a read was still pending */
    }
  }
}
