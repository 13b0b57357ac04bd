/**
 * Machine instructions a bench child process runs, counted by valgrind (every thread included):
 * the instruction benches compare these, since counts do not depend on what else the machine runs.
 *
 * @example
 * ```ts
 * if (!hasValgrind()) process.exit(0);
 * const perEvent = (countInstructions(CONSUMER, ["sdk", "20000"]) - countInstructions(CONSUMER, ["sdk", "5000"])) / 15_000;
 * ```
 */
import { spawnSync } from "node:child_process";

/** Whether valgrind can run here; the benches print how to install it when not. */
export function hasValgrind(): boolean {
  if (spawnSync("valgrind", ["--version"]).status === 0) return true;
  console.log("valgrind is not installed: no instruction counts (apt-get install -y valgrind)");
  return false;
}

/** Runs `script` (TypeScript, through tsx) with `args` under cachegrind; returns its instruction count. */
export function countInstructions(script: string, args: string[]): number {
  const r = spawnSync(
    "valgrind",
    [
      "--tool=cachegrind",
      "--cache-sim=no",
      "--cachegrind-out-file=/dev/null",
      "--smc-check=all-non-file",
      process.execPath,
      "--import",
      "tsx",
      script,
      ...args,
    ],
    { encoding: "utf8", timeout: 600_000 },
  );
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${args.join(" ")}: valgrind failed (${r.status}): ${r.stderr.slice(-500)}`);
  return Number((m[1] as string).replaceAll(",", ""));
}
