/**
 * A server-sent-events parser (the WHATWG event-stream format): a push parser ({@link SseParser}) fed
 * with decoded text, and {@link parseSse}, an async iterable over a byte stream built on it.
 *
 * Linear in the input for any chunking: each chunk is scanned once, a line split across chunks is
 * kept as fragments and joined once when its terminator arrives.
 */

/** One SSE message. Comment lines (": heartbeat") are reported with `comment` so watchdogs see them. */
export interface SseMessage {
  data: string;
  event?: string;
  /** The last event id the stream set (it carries over to later messages, as the spec says). */
  id?: string;
  /** A `retry:` field of this message's block. */
  retry?: number;
  /** A comment line (`data` is then empty), reported by {@link parseSse}. */
  comment?: boolean;
}

/** Callbacks of {@link SseParser}. */
export interface SseParserCallbacks {
  /** A complete message (a block with at least one `data` line, ended by a blank line). */
  onMessage(message: SseMessage): void;
  /** A comment line, without the leading ":" and one space. */
  onComment?(text: string): void;
  /** A valid `retry:` field: the reconnection time the server asks for. */
  onRetry?(ms: number): void;
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

/**
 * A push parser: `feed` it decoded text in chunks of any size, it calls back per message.
 * CR, LF and CRLF line ends (also split across chunks), one leading BOM, multi-line data, comments,
 * `id` (kept across messages, ignored when it holds U+0000), `event` and `retry` as the spec says.
 *
 * @example
 * ```ts
 * const parser = new SseParser({ onMessage: (m) => console.log(m.event, m.data) });
 * parser.feed("event: greet\ndata: hel");
 * parser.feed("lo\n\n"); // logs "greet hello"
 * ```
 */
export class SseParser {
  readonly #callbacks: SseParserCallbacks;
  /** Pieces of a line not yet terminated, joined once when its end arrives. */
  #pending: string[] = [];
  /** The previous chunk ended with CR: a LF starting the next one belongs to it. */
  #skipLf = false;
  #started = false;
  #data = "";
  #dataLines = 0;
  #event: string | undefined;
  #id = "";
  #retry: number | undefined;

  constructor(callbacks: SseParserCallbacks) {
    this.#callbacks = callbacks;
  }

  /** Parses the next piece of the stream. */
  feed(chunk: string): void {
    let pos = 0;
    if (!this.#started) {
      if (chunk === "") return;
      this.#started = true;
      if (chunk.charCodeAt(0) === 0xfeff) pos = 1;
    }
    if (this.#skipLf) {
      if (pos >= chunk.length) return;
      this.#skipLf = false;
      if (chunk.charCodeAt(pos) === LF) pos++;
    }
    const length = chunk.length;
    // Next CR / LF at or after `pos`; -1 once there is none left in this chunk (never searched again).
    let cr = chunk.indexOf("\r", pos);
    let lf = chunk.indexOf("\n", pos);
    // for (;;), not while (pos < length): V8 11 (Node 20) compiles that form of this loop ~20× slower.
    for (;;) {
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) {
        if (pos < length) this.#pending.push(pos === 0 ? chunk : chunk.slice(pos));
        return;
      }
      if (this.#pending.length > 0) {
        this.#pending.push(chunk.slice(pos, end));
        const line = this.#pending.join("");
        this.#pending = [];
        this.#line(line, 0, line.length);
      } else this.#line(chunk, pos, end);
      pos = end + 1;
      if (chunk.charCodeAt(end) === CR) {
        if (pos === length) this.#skipLf = true;
        else if (chunk.charCodeAt(pos) === LF) pos++;
      }
      if (lf !== -1 && lf < pos) lf = chunk.indexOf("\n", pos);
      if (cr !== -1 && cr < pos) cr = chunk.indexOf("\r", pos);
    }
  }

  /** The stream ended: an unterminated message is discarded (as the spec says). Ready for a new stream. */
  end(): void {
    this.#pending = [];
    this.#skipLf = false;
    this.#started = false;
    this.#data = "";
    this.#dataLines = 0;
    this.#event = undefined;
    this.#retry = undefined;
    this.#id = "";
  }

  /** One line: `text.slice(start, end)`, read in place so the common `data:` line costs one slice. */
  #line(text: string, start: number, end: number): void {
    if (start === end) {
      this.#dispatch();
      return;
    }
    let value: string | undefined;
    switch (text.charCodeAt(start)) {
      case COLON: {
        const from = text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1;
        this.#callbacks.onComment?.(text.slice(from, end));
        return;
      }
      case 100 /* d */:
        value = fieldValue(text, start, end, "data");
        if (value !== undefined) {
          this.#data = this.#dataLines === 0 ? value : `${this.#data}\n${value}`;
          this.#dataLines++;
        }
        return;
      case 101 /* e */:
        value = fieldValue(text, start, end, "event");
        if (value !== undefined) this.#event = value;
        return;
      case 105 /* i */:
        value = fieldValue(text, start, end, "id");
        if (value !== undefined && !value.includes("\0")) this.#id = value;
        return;
      case 114 /* r */:
        value = fieldValue(text, start, end, "retry");
        if (value !== undefined && /^\d+$/.test(value)) {
          this.#retry = Number(value);
          this.#callbacks.onRetry?.(this.#retry);
        }
        return;
    }
    // Any other field is ignored.
  }

  #dispatch(): void {
    if (this.#dataLines > 0) {
      const message: SseMessage = { data: this.#data };
      if (this.#event) message.event = this.#event;
      if (this.#id) message.id = this.#id;
      if (this.#retry !== undefined) message.retry = this.#retry;
      this.#data = "";
      this.#dataLines = 0;
      this.#event = undefined;
      this.#retry = undefined;
      this.#callbacks.onMessage(message);
      return;
    }
    this.#event = undefined;
    this.#retry = undefined;
  }
}

/**
 * Parses an SSE byte stream into messages; stops when the stream ends or `signal` aborts
 * (the reader is released and the body cancelled either way). Comment lines come as
 * `{ data: "", comment: true }`.
 *
 * @example
 * ```ts
 * for await (const msg of parseSse(response.body!)) console.log(JSON.parse(msg.data));
 * ```
 */
export async function* parseSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  // The parser strips the one BOM the spec allows; the decoder must keep it for that.
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  const out: SseMessage[] = [];
  const parser = new SseParser({
    onMessage: (m) => out.push(m),
    onComment: () => out.push({ data: "", comment: true }),
  });
  const onAbort = () => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) return;
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      for (let i = 0; i < out.length; i++) {
        if (signal?.aborted) return;
        yield out[i] as SseMessage;
      }
      out.length = 0;
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

/** The value of field `name` when the line `text.slice(start, end)` is that field (with or without a colon). */
function fieldValue(text: string, start: number, end: number, name: string): string | undefined {
  // Only the name's length is read: a line's end is CR or LF, which no field name contains.
  if (!text.startsWith(name, start)) return undefined;
  let from = start + name.length;
  if (from === end) return "";
  if (text.charCodeAt(from) !== COLON) return undefined;
  from++;
  if (from < end && text.charCodeAt(from) === SPACE) from++;
  return text.slice(from, end);
}
