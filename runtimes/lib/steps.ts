/**
 * The step protocol between the consumer scripts (and the browser page) and the tests: each step is
 * one `@@step {json}` line, so a failure names its runtime, step, error and what the process printed.
 */

/** One step as a consumer reported it. */
export interface StepRecord {
  readonly step: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly detail?: string;
  readonly error?: string;
}

/** What one consumer run produced. */
export interface ConsumerRun {
  /** Runtime and script, e.g. `deno 2.9.6 quickstart.mjs`. */
  readonly label: string;
  readonly steps: readonly StepRecord[];
  readonly exitCode: number | null;
  /** Set when the process was killed: why (a timeout, or it did not exit after its last step). */
  readonly killed?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

const PREFIX = "@@step ";

/**
 * Parses the step lines out of a consumer's stdout; other lines are left to the report.
 *
 * @example
 * ```ts
 * parseSteps('@@step {"step":"health","ok":true,"ms":3}\n'); // [{ step: "health", ok: true, ms: 3 }]
 * ```
 */
export function parseSteps(stdout: string): StepRecord[] {
  const steps: StepRecord[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith(PREFIX)) continue;
    try {
      steps.push(JSON.parse(line.slice(PREFIX.length)) as StepRecord);
    } catch {
      steps.push({ step: "(unparsable step line)", ok: false, ms: 0, error: line });
    }
  }
  return steps;
}

/**
 * Throws a message naming the runtime, the failed (or missing) step, its error and the process's
 * output, unless every expected step passed and the process exited 0 by itself.
 *
 * @example
 * ```ts
 * assertConsumerPassed(run, ["import", "health", "create"]);
 * ```
 */
export function assertConsumerPassed(run: ConsumerRun, expected: readonly string[]): void {
  const failed = run.steps.find((s) => !s.ok);
  const missing = expected.filter((name) => !run.steps.some((s) => s.step === name && s.ok));
  if (!failed && missing.length === 0 && run.exitCode === 0 && !run.killed) return;
  const passed = run.steps.filter((s) => s.ok).map((s) => s.step);
  const lines = [`${run.label}: ${failed ? `step "${failed.step}" failed: ${failed.error}` : describeEnd(run, missing)}`];
  lines.push(`  passed steps: ${passed.join(", ") || "none"}`);
  if (missing.length) lines.push(`  not reached: ${missing.join(", ")}`);
  lines.push(`  exit: ${run.killed ?? `code ${run.exitCode}`}`);
  const other = run.stdout
    .split("\n")
    .filter((l) => l && !l.startsWith(PREFIX))
    .join("\n");
  if (other.trim()) lines.push("  --- stdout ---", indent(tail(other)));
  if (run.stderr.trim()) lines.push("  --- stderr ---", indent(tail(run.stderr)));
  throw new Error(lines.join("\n"));
}

function describeEnd(run: ConsumerRun, missing: readonly string[]): string {
  if (run.killed) return run.killed;
  if (missing.length) return `ended before step "${missing[0]}"`;
  return `every step passed but the process exited with code ${run.exitCode}`;
}

function tail(text: string, max = 4000): string {
  const t = text.trim();
  return t.length > max ? `…${t.slice(-max)}` : t;
}

function indent(text: string): string {
  return text.replace(/^/gm, "  ");
}

/**
 * One line per step with its duration, for the matrix summary.
 *
 * @example
 * ```ts
 * formatTimings(run); // "health 12 ms, create 30 ms, …"
 * ```
 */
export function formatTimings(run: ConsumerRun): string {
  return run.steps.map((s) => `${s.step}${s.ok ? "" : " ✗"} ${s.ms} ms`).join(", ");
}
