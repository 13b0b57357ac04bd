/**
 * Turns of a session's prompts. opencode answers only the latest of the user messages waiting in a
 * session, so a client that wants an answer per prompt sends the next one only after the previous
 * one settled. Per client (its lines live in its helper registry), per session id; nothing is kept
 * for a session with no prompts.
 */

/** The lines of one client's sessions: the tail of each session's line, by session id. */
export type SessionLines = Map<string, Promise<void>>;

/** A place in a session's line. */
export interface SessionTurn {
  /** Resolves when every earlier prompt of the session released its turn; rejects with `signal`'s reason. */
  ready(signal?: AbortSignal): Promise<void>;
  /** Gives the turn up (done, or never taken): the next prompt may go. Idempotent. */
  release(): void;
  /** An earlier prompt of the session was in line when this turn was taken. */
  readonly waits: boolean;
}

/**
 * Takes a place at the end of `sessionID`'s line in `lines` (one client's).
 *
 * @example
 * ```ts
 * const turn = takeTurn(lines, sessionID);
 * try { await turn.ready(signal); await send(); await answered(); } finally { turn.release(); }
 * ```
 */
export function takeTurn(line: SessionLines, sessionID: string): SessionTurn {
  const earlier = line.get(sessionID);
  const before = earlier ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  // The line waits for the earlier prompts and for ours, whatever order they release in.
  const tail = Promise.all([before, mine]).then(() => {
    if (line.get(sessionID) === tail) line.delete(sessionID);
  });
  line.set(sessionID, tail);
  return {
    ready(signal) {
      if (!signal) return before;
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        before.then(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    },
    release: () => release(),
    waits: earlier !== undefined,
  };
}
