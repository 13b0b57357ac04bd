/** Client-made ids in opencode's own format, so they sort like the server's. */

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
let lastMs = 0;
let counter = 0;

/**
 * A new ascending id with the given prefix: 12 hex digits of (ms × 4096 + counter) then 14 random
 * base-62 characters, e.g. `msg_20f80ed0f0017YYWdmR9W42qNK`.
 *
 * @example
 * ```ts
 * const id = newAscendingId("msg"); // "msg_…"
 * ```
 */
export function newAscendingId(prefix: string, now: number = Date.now()): string {
  if (now !== lastMs) {
    lastMs = now;
    counter = 0;
  }
  counter++;
  const value = (BigInt(now) * 4096n + BigInt(counter)) & 0xffffffffffffn;
  let random = "";
  for (let i = 0; i < 14; i++) random += ALPHABET[(crypto.getRandomValues(new Uint32Array(1))[0] as number) % ALPHABET.length];
  return `${prefix}_${value.toString(16).padStart(12, "0")}${random}`;
}

/**
 * A new user-message id (`msg_…`), made by the client so a prompt's answer can be told apart from
 * any other in the same session.
 *
 * @example
 * ```ts
 * await oc.session.prompt_async({ path: { sessionID }, body: { messageID: newMessageId(), parts } });
 * ```
 */
export function newMessageId(): string {
  return newAscendingId("msg");
}
