/** Runs an example's file with Node as a user would, its `@ocsdk/*` imports pointed at this repo's sources. */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const REGISTER = fileURLToPath(new URL("../../packages/test-kit/src/register-sources.mjs", import.meta.url));
// By path, so examples copied outside the workspace find it too.
const TSX = fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url));
const execFileAsync = promisify(execFile);

/** `node --import tsx --import register-sources.mjs …args`: `[nodeArgs, …]` for execFile/spawn. */
export const nodeArgs = (...args: string[]) => ["--import", TSX, "--import", REGISTER, ...args];

/** Path of a file under examples/. */
export const example = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** Runs to the end; rejects with the output when it exits non-zero or outlives `timeoutMs`. */
export async function runNode(args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}) {
  return execFileAsync(process.execPath, nodeArgs(...args), {
    cwd: options.cwd ?? example("."),
    env: { ...process.env, ...options.env, NODE_OPTIONS: "" },
    timeout: options.timeoutMs ?? 90_000,
    killSignal: "SIGKILL",
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Starts a long-running example; the caller stops it. Output is collected. */
export function startNode(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, nodeArgs(...args), {
    cwd: example("."),
    env: { ...process.env, ...env, NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString("utf8");
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString("utf8");
  });
  return { child, output: () => out };
}

/** Waits until `check()` holds, polling; throws with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
