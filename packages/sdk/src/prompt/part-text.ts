/**
 * The streamed text of one part, shared by its delta events. Each event's `text` is a view over it,
 * made when read: events that each held the text so far would cost memory quadratic in the answer's
 * length once a consumer reads them (V8 flattens every one it touches).
 */
export class PartText {
  #text: string;

  constructor(text = "") {
    this.#text = text;
  }

  /** The text so far. */
  get value(): string {
    return this.#text;
  }

  /** Appends a delta; returns the new length (the end of the view of the event that carries it). */
  append(delta: string): number {
    this.#text += delta;
    return this.#text.length;
  }

  /**
   * Gives `event` an enumerable `text` property: the first `end` characters of this part's text.
   * JSON, spread and structured clone see it like a plain field.
   */
  attachView<E extends object>(event: E, end: number): E & { readonly text: string } {
    return Object.defineProperty(event, "text", { enumerable: true, get: () => this.#text.slice(0, end) }) as E & {
      readonly text: string;
    };
  }
}
