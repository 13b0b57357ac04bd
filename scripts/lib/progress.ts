/**
 * Step-by-step progress with durations, on stderr so stdout stays for results. A step passes when `fn`
 * returns, or, with `passed`, when its result passes that check (a child that ran and exited non-zero).
 */
export async function step<T>(label: string, fn: () => Promise<T> | T, passed?: (result: T) => boolean): Promise<T> {
  const started = performance.now();
  process.stderr.write(`▸ ${label} …\n`);
  try {
    const result = await fn();
    const mark = !passed || passed(result) ? "✓" : "✗";
    process.stderr.write(`${mark} ${label} (${formatMs(performance.now() - started)})\n`);
    return result;
  } catch (error) {
    process.stderr.write(`✗ ${label} (${formatMs(performance.now() - started)})\n`);
    throw error;
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Prints a pipeline error without a stack trace and exits non-zero. */
export function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

/** True when the module with this URL is the script node was asked to run. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && new URL(moduleUrl).pathname === process.argv[1];
}
