/**
 * Runs one consumer script under one runtime and collects its steps. The script must exit by
 * itself: a client that keeps a socket or timer alive after its work is a failure, reported as such.
 */
import { spawn } from "node:child_process";
import { type ConsumerRun, parseSteps } from "./steps.ts";

/** Options of {@link runConsumer}. */
export interface RunConsumerOptions {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Whole-run deadline (default 180 s): generous, it only stops a hung process. */
  readonly timeoutMs?: number;
  /** How long the process may live after it reported its last step (default 15 s). */
  readonly exitGraceMs?: number;
}

/** Marker a consumer prints after its last step; the exit grace starts there. */
export const DONE_MARKER = "@@done";

/**
 * Spawns the consumer in its own process group, killed as a whole on a deadline.
 *
 * @example
 * ```ts
 * const run = await runConsumer({ label: "bun 1.4.5", command: bin, args: ["quickstart.mjs"], cwd, env });
 * ```
 */
export function runConsumer(options: RunConsumerOptions): Promise<ConsumerRun> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 180_000;
  const exitGraceMs = options.exitGraceMs ?? 15_000;
  return new Promise((resolve) => {
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let killed: string | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const kill = (why: string) => {
      if (killed) return;
      killed = why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const deadline = setTimeout(() => kill(`killed after ${timeoutMs} ms without exiting`), timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (!graceTimer && stdout.includes(DONE_MARKER)) {
        graceTimer = setTimeout(
          () => kill(`did not exit within ${exitGraceMs} ms after its last step (something keeps it alive)`),
          exitGraceMs,
        );
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    let spawnError: Error | undefined;
    child.once("error", (error) => {
      spawnError = error;
    });
    child.once("close", (code) => {
      clearTimeout(deadline);
      clearTimeout(graceTimer);
      if (spawnError) stderr += `\n(spawn failed: ${spawnError.message})`;
      resolve({
        label: options.label,
        steps: parseSteps(stdout),
        exitCode: code,
        ...(killed ? { killed } : {}),
        stdout,
        stderr,
        ms: Date.now() - started,
      });
    });
  });
}
