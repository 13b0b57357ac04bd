/**
 * The SSE parser: the WHATWG event-stream rules by example, and property tests against
 * eventsource-parser as the reference for random streams, random line ends and random chunking.
 */
import { parseSse, type SseMessage } from "@ocsdk/sdk";
import { createParser } from "eventsource-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SseParser } from "../../../src/events/sse.ts";

interface Parsed {
  messages: { data: string; event?: string; id?: string }[];
  comments: string[];
  retries: number[];
}

/** Ours, fed `chunks` of text. */
function ours(chunks: readonly string[]): Parsed {
  const out: Parsed = { messages: [], comments: [], retries: [] };
  const parser = new SseParser({
    onMessage: ({ data, event, id }) => out.messages.push({ data, ...(event ? { event } : {}), ...(id ? { id } : {}) }),
    onComment: (text) => out.comments.push(text),
    onRetry: (ms) => out.retries.push(ms),
  });
  for (const c of chunks) parser.feed(c);
  return out;
}

/** The reference, normalised to the spec's terms: the id carries over (the "last event ID"), "" is no id / no type. */
function reference(chunks: readonly string[]): Parsed {
  const out: Parsed = { messages: [], comments: [], retries: [] };
  let lastId = "";
  const parser = createParser({
    onId: (id) => {
      lastId = id;
    },
    onEvent: ({ data, event }) => out.messages.push({ data, ...(event ? { event } : {}), ...(lastId ? { id: lastId } : {}) }),
    onComment: (text) => out.comments.push(text),
    onRetry: (ms) => out.retries.push(ms),
  });
  for (const c of chunks) parser.feed(c);
  return out;
}

const bytesOf = (chunks: readonly (string | Uint8Array)[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(typeof ch === "string" ? new TextEncoder().encode(ch) : ch);
      c.close();
    },
  });

async function collect(body: ReadableStream<Uint8Array>): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of parseSse(body)) out.push(m);
  return out;
}

describe("SseParser, by example", () => {
  it("handles CR, LF and CRLF, also split across chunks, multi-line data, ids, events and comments", () => {
    const chunks = ["data: a\r", "\ndata: b\r\n\r\n: hi\n\n", "id: 7\nevent: x\nda", 'ta: {"k":1}\n\n', "data: c\r\rdata:d\n\n"];
    expect(ours(chunks)).toEqual({
      messages: [{ data: "a\nb" }, { data: '{"k":1}', event: "x", id: "7" }, { data: "c", id: "7" }, { data: "d", id: "7" }],
      comments: ["hi"],
      retries: [],
    });
  });

  it("strips one leading BOM only, and only at the start", () => {
    expect(ours(["\uFEFFdata: a\n\n\uFEFFdata: b\n\n"]).messages).toEqual([{ data: "a" }]);
    expect(ours(["", "\uFEFF", "data: a\n\n"]).messages).toEqual([{ data: "a" }]);
    expect(ours(["\uFEFF\uFEFFdata: a\n\n"]).messages).toEqual([]); // the second BOM starts an unknown field
  });

  it("follows the field rules: one space stripped, no colon means empty value, unknown fields ignored", () => {
    const { messages, retries } = ours(["data:  two spaces\ndata\ndata:\nfoo: bar\nretry: 1x\nretry: 250\n\n"]);
    expect(messages).toEqual([{ data: " two spaces\n\n" }]);
    expect(retries).toEqual([250]);
  });

  it("keeps the last id across messages, resets it on an empty id, ignores an id holding NUL", () => {
    const { messages } = ours(["id: 1\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\nid\ndata: d\n\n"]);
    expect(messages).toEqual([{ data: "a", id: "1" }, { data: "b", id: "1" }, { data: "c", id: "1" }, { data: "d" }]);
  });

  it("dispatches nothing for a block without data, and discards an unterminated last block", () => {
    expect(ours(["event: x\nid: 3\n\ndata: after\n\ndata: cut"]).messages).toEqual([{ data: "after", id: "3" }]);
  });

  it("one line arriving in many small pieces is read whole", () => {
    const data = "y".repeat(10_000);
    const text = `data: ${data}\n\n`;
    const chunks = Array.from({ length: Math.ceil(text.length / 7) }, (_, i) => text.slice(i * 7, i * 7 + 7));
    expect(ours(chunks).messages).toEqual([{ data }]);
  });
});

describe("parseSse", () => {
  it("decodes UTF-8 split inside a character and a BOM split across chunks", async () => {
    const bytes = new TextEncoder().encode("\uFEFFdata: é€😀\n\n");
    const pieces = Array.from(bytes, (b) => new Uint8Array([b]));
    expect(await collect(bytesOf(pieces))).toEqual([{ data: "é€😀" }]);
  });

  it("reports comment lines, and the retry of a message's block", async () => {
    expect(await collect(bytesOf([": ping\n\nretry: 5\ndata: x\n\n"]))).toEqual([
      { data: "", comment: true },
      { data: "x", retry: 5 },
    ]);
  });

  it("stops and frees the body when the signal aborts", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("data: 1\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    const ac = new AbortController();
    const got: string[] = [];
    for await (const m of parseSse(body, ac.signal)) {
      got.push(m.data);
      ac.abort();
    }
    expect(got).toEqual(["1"]);
    expect(cancelled).toBe(true);
  });
});

// Random streams: lines of every kind, values with colons, spaces, NUL and non-ASCII, random line ends.
const valueChar = fc.constantFrom("a", "z", " ", ":", "\0", "é", "😀", "{", '"', "d", "i");
const value = fc.array(valueChar, { maxLength: 12 }).map((cs) => cs.join(""));
const line = fc.oneof(
  value.map((v) => `data:${v}`),
  value.map((v) => `data: ${v}`),
  fc.constant("data"),
  value.map((v) => `event: ${v}`),
  value.map((v) => `id: ${v}`),
  fc.constant("id"),
  fc.oneof(fc.nat({ max: 99_999 }).map(String), value).map((v) => `retry: ${v}`),
  value.map((v) => `:${v}`),
  value.map((v) => `unknown: ${v}`),
  value,
);
const lineEnd = fc.constantFrom("\n", "\r", "\r\n");
/** One line-end style per stream (CR only, LF only, CRLF only, or mixed line by line), so CR-only streams are common. */
const lineEndStyle = fc.constantFrom<"\n" | "\r" | "\r\n" | "mixed">("\n", "\r", "\r\n", "mixed");
const streamText = fc
  .record({
    bom: fc.boolean(),
    style: lineEndStyle,
    blocks: fc.array(fc.array(fc.tuple(line, lineEnd), { maxLength: 6 }), { maxLength: 8 }),
    ends: fc.array(lineEnd, { minLength: 8, maxLength: 8 }),
    // The stream may stop inside a block: after a line and its end, or after a lone line end
    // (a trailing CR that a CRLF could still complete), which must never dispatch that block.
    tail: fc.option(fc.tuple(line, fc.constantFrom("", "\r", "\n", "\r\n")), { nil: undefined }),
  })
  .map(({ bom, style, blocks, ends, tail }) => {
    const end = (e: string) => (style === "mixed" ? e : style);
    let text = bom ? "\uFEFF" : "";
    blocks.forEach((lines, i) => {
      for (const [l, e] of lines) text += l + end(e);
      text += end(ends[i] as string); // the blank line closing the block
    });
    if (tail) text += tail[0] + tail[1];
    return text;
  });
/** `text` cut at random points (never inside a surrogate pair: chunks are decoded text). */
const chunked = (text: string) =>
  fc.uniqueArray(fc.nat({ max: Math.max(0, text.length) }), { maxLength: 20 }).map((cuts) => {
    const points = [...cuts, 0, text.length]
      .filter((p) => p === text.length || !/[\uDC00-\uDFFF]/.test(text[p] ?? ""))
      .sort((a, b) => a - b);
    const chunks: string[] = [];
    for (let i = 1; i < points.length; i++) chunks.push(text.slice(points[i - 1], points[i]));
    return chunks;
  });

describe("SseParser against eventsource-parser (property)", () => {
  it("gives the reference's messages, comments and retries for any stream and any chunking", () => {
    fc.assert(
      fc.property(
        streamText.chain((text) => fc.tuple(fc.constant(text), chunked(text))),
        ([text, chunks]) => {
          const expected = reference([text]);
          expect(reference(chunks)).toEqual(expected); // the reference agrees with itself
          expect(ours(chunks)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("parseSse over random byte chunks gives the same messages as the whole text", async () => {
    await fc.assert(
      fc.asyncProperty(
        streamText.chain((text) => {
          const bytes = new TextEncoder().encode(text);
          return fc.tuple(
            fc.constant(text),
            fc.constant(bytes),
            fc.uniqueArray(fc.nat({ max: bytes.length }), { maxLength: 20 }),
          );
        }),
        async ([text, bytes, cuts]) => {
          const points = [...new Set([0, ...cuts, bytes.length])].sort((a, b) => a - b);
          const pieces = points.slice(1).map((p, i) => bytes.slice(points[i], p));
          const all = await collect(bytesOf(pieces));
          const got = all.filter((m) => !m.comment);
          const want = reference([text]);
          expect(got.map(({ data, event, id }) => ({ data, ...(event ? { event } : {}), ...(id ? { id } : {}) }))).toEqual(
            want.messages,
          );
          expect(all.filter((m) => m.comment)).toHaveLength(want.comments.length);
          // Each dispatched message carries the retry of its own block; the reference reports every retry field.
          for (const m of got) if (m.retry !== undefined) expect(want.retries).toContain(m.retry);
        },
      ),
      { numRuns: 200 },
    );
  });
});
