/**
 * Polls `condition` until it holds; rejects with "timed out waiting for `what`" after `timeoutMs`
 * (a generous deadline, never a measure of speed: tests must pass on a busy machine).
 *
 * @example
 * ```ts
 * await until(() => sockets.size === 0, "every socket closed");
 * ```
 */
export async function until(condition: () => boolean, what: string, timeoutMs = 15_000, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
