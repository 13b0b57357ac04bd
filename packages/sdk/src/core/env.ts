/** Environment variables where the runtime has them (Node, Bun, Deno with --allow-env); never throws. */

/**
 * The value of an environment variable, or undefined (browsers, workers, Deno without permission).
 *
 * @example
 * ```ts
 * readEnv("OPENCODE_SERVER_PASSWORD");
 * ```
 */
export function readEnv(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const value = env?.[name];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
