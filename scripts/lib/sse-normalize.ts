/**
 * Makes recorded SSE streams reproducible: re-recording on the same server version gives the same
 * bytes. What differs run to run is replaced by stable stand-ins of the same shape, per scenario
 * (one mapping for all its streams, so an id seen on /event and /global/event stays one id):
 * ids (`ses_…`, `evt_…`) numbered in order of first appearance, git hashes likewise, epoch-ms
 * times set to one instant, the random session slug, temp paths. Heartbeats (their number depends
 * on how long the recording took) are dropped and one canonical heartbeat is put after the first
 * frame. Pure: frames in, frames out.
 */

/** Instant every recorded epoch-millisecond time is set to (2023-11-14T22:13:20Z). */
export const FIXED_TIME = 1_700_000_000_000;

/** Id shapes opencode uses: a short prefix, `_`, then a time-sortable random suffix. */
const ID = /\b([a-z]{2,6})_([0-9A-Za-z]{16,40})\b/g;
const GIT_HASH = /\b[0-9a-f]{40}\b/g;
/** Epoch-ms numbers (2001–2286): recorded times, never counts or sizes. */
const isEpochMs = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 1e12 && v < 1e13;

/** Stable stand-ins shared by every stream of one scenario. */
export class Normalizer {
  readonly #ids = new Map<string, string>();
  readonly #counters = new Map<string, number>();
  readonly #hashes = new Map<string, string>();

  /**
   * @param paths temp paths of the run (project dir, data dir), each with the stable text to put in
   *   its place, longest first so a nested path is replaced before its parent.
   */
  constructor(readonly paths: [from: string, to: string][] = []) {
    this.paths = [...paths].sort((a, b) => b[0].length - a[0].length);
  }

  /** One frame (its raw text, `data:` lines and all) normalized. */
  frame(raw: string): string {
    return raw
      .split("\n")
      .map((line) => (line.startsWith("data:") ? `data: ${this.data(line.slice(5).trimStart())}` : line))
      .join("\n");
  }

  /** The JSON of one `data:` line normalized (text that is not JSON only gets the string rewrites). */
  data(text: string): string {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.#text(text);
    }
    return JSON.stringify(this.#value(value, ""));
  }

  #value(v: unknown, key: string): unknown {
    if (typeof v === "string") return key === "slug" ? "fixture-slug" : this.#text(v);
    if (isEpochMs(v)) return FIXED_TIME;
    if (Array.isArray(v)) return v.map((x) => this.#value(x, key));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.#value(x, k);
      return out;
    }
    return v;
  }

  #text(s: string): string {
    let out = s;
    for (const [from, to] of this.paths) if (from) out = out.split(from).join(to);
    out = out.replace(ID, (whole, prefix: string, suffix: string) => {
      const known = this.#ids.get(whole);
      if (known) return known;
      const n = (this.#counters.get(prefix) ?? 0) + 1;
      this.#counters.set(prefix, n);
      const id = `${prefix}_${String(n).padStart(suffix.length, "0")}`;
      this.#ids.set(whole, id);
      return id;
    });
    return out.replace(GIT_HASH, (hash) => {
      const known = this.#hashes.get(hash);
      if (known) return known;
      const stable = String(this.#hashes.size + 1).padStart(40, "0");
      this.#hashes.set(hash, stable);
      return stable;
    });
  }
}

/** Whether a frame is a heartbeat: a `server.heartbeat` event or a `: heartbeat` comment. */
export function isHeartbeat(frame: string): boolean {
  return /^: ?heartbeat/m.test(frame) || frame.includes('"type":"server.heartbeat"');
}

/**
 * A recorded stream made reproducible: heartbeats out, one canonical heartbeat after the first
 * frame (the `server.connected` frame with its type changed, or a comment if it is not one),
 * every frame through the scenario's {@link Normalizer}.
 *
 * @example
 * ```ts
 * const n = new Normalizer([[projectDir, "/tmp/ocsdk-project"]]);
 * const frames = normalizeStream(recorded, n);
 * ```
 */
export function normalizeStream(frames: string[], normalizer: Normalizer): string[] {
  const kept = frames.filter((f) => !isHeartbeat(f)).map((f) => normalizer.frame(f));
  if (kept.length === 0) return kept;
  const [first, ...rest] = kept as [string, ...string[]];
  const hadComment = frames.some((f) => /^: ?heartbeat/m.test(f));
  // Its own id (evt_999…), so nothing that dedupes by id drops it.
  const beat =
    first.includes('"type":"server.connected"') && !hadComment
      ? first
          .replace('"type":"server.connected"', '"type":"server.heartbeat"')
          .replace(/"id":"evt_([0-9A-Za-z]+)"/, (_, s: string) => `"id":"evt_${"9".repeat(s.length)}"`)
      : ": heartbeat";
  return [first, beat, ...rest];
}

/** Shape of a JSON value: leaves as their type, objects by key, arrays as the set of their items' shapes. */
function shapeOf(v: unknown): string {
  if (Array.isArray(v)) return `[${[...new Set(v.map(shapeOf))].sort().join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map(
        (k) =>
          `${k}:${k === "type" ? JSON.stringify((v as Record<string, unknown>)[k]) : shapeOf((v as Record<string, unknown>)[k])}`,
      )
      .join(",")}}`;
  }
  return v === null ? "null" : typeof v;
}

/**
 * What a recorded stream covers: the set of distinct event shapes (`type` values kept, other
 * leaves as their JSON type). Two recordings of one server version with the same signature cover
 * the same contract even when the server interleaved concurrent events differently, so the
 * recorder keeps the earlier bytes: re-recording then changes no file.
 *
 * @example
 * ```ts
 * streamSignature(['data: {"type":"a","n":1}', 'data: {"type":"a","n":2}']); // ['{n:number,type:"a"}']
 * ```
 */
export function streamSignature(frames: string[]): string[] {
  const shapes = new Set<string>();
  for (const frame of frames) {
    const data = frame
      .split("\n")
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trimStart())
      .join("\n");
    if (!data) {
      shapes.add(frame.trim());
      continue;
    }
    try {
      shapes.add(shapeOf(JSON.parse(data)));
    } catch {
      shapes.add(data);
    }
  }
  return [...shapes].sort();
}
