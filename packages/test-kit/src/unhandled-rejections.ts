/**
 * Collects the process's unhandled rejections from now until `stop()`, so a test can assert that
 * none happened (no background promise of the SDK may be left unhandled).
 *
 * @example
 * ```ts
 * const unhandled = recordUnhandledRejections();
 * try {
 *   await somethingThatFailsInTheBackground();
 *   expect(unhandled.reasons).toEqual([]);
 * } finally {
 *   unhandled.stop();
 * }
 * ```
 */
export function recordUnhandledRejections(): { reasons: unknown[]; stop(): void } {
  const reasons: unknown[] = [];
  const onUnhandled = (reason: unknown) => void reasons.push(reason);
  process.on("unhandledRejection", onUnhandled);
  return { reasons, stop: () => void process.off("unhandledRejection", onUnhandled) };
}
