/**
 * Last-resort cleanup when the process ends: on `exit`, and on SIGINT, SIGTERM or SIGHUP, whose
 * default action ends the process without `exit` listeners. Prism leads its own process group and
 * a mock spec lives in a temp dir, so neither goes by itself.
 */

const callbacks = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const fn of [...callbacks]) {
    callbacks.delete(fn);
    try {
      fn();
    } catch {
      /* best effort: the process is ending */
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  // First in line: a runner's own handler (vitest's) may call process.exit() at once, and an
  // `exit` listener that exits again skips the listeners after it.
  process.prependListener("exit", runAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      runAll();
      // No one else handles it: re-raise, so the default action still ends the process.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.prependListener(signal, onSignal);
  }
}

/**
 * Runs `fn` (synchronous) when the process exits or gets a signal that ends it, unless the
 * returned remover ran first.
 *
 * @example
 * ```ts
 * const forget = onProcessEnd(() => rmSync(dir, { recursive: true, force: true }));
 * // … on a normal close:
 * forget();
 * ```
 */
export function onProcessEnd(fn: () => void): () => void {
  install();
  callbacks.add(fn);
  return () => {
    callbacks.delete(fn);
  };
}
