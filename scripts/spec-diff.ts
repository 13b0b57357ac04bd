/**
 * pnpm spec-diff <old.json> <new.json> [--json] [--limit N] [--fail-on-breaking]
 * Classified differences between two OpenAPI documents: readable text (default) or JSON.
 * Exit code 0, or 2 with --fail-on-breaking when a breaking change is found.
 */

import { formatRowChanges, matrixRowsChanged } from "./lib/compat/matrix.ts";
import { fail, isMain } from "./lib/progress.ts";
import { readSpecFile } from "./lib/spec.ts";
import { diffSpecs, formatDiff, type SpecDiff } from "./lib/spec-diff.ts";

const USAGE = "usage: pnpm spec-diff <old.json> <new.json> [--json] [--limit N] [--fail-on-breaking]";

/**
 * Runs the CLI on an argument list; returns the text to print and the exit code.
 *
 * @example
 * ```ts
 * const { output, code } = await specDiffCli(["old.json", "new.json", "--json"]);
 * ```
 */
export async function specDiffCli(argv: string[]): Promise<{ output: string; code: number; diff: SpecDiff }> {
  const files: string[] = [];
  let json = false;
  let failOnBreaking = false;
  let limit: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--json") json = true;
    else if (arg === "--fail-on-breaking") failOnBreaking = true;
    else if (arg === "--limit") {
      limit = Number(argv[++i]);
      if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit needs a positive integer\n${USAGE}`);
    } else if (arg.startsWith("--")) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else files.push(arg);
  }
  if (files.length !== 2) throw new Error(USAGE);
  const [oldDoc, newDoc] = await Promise.all(files.map((f) => readSpecFile(f)));
  const diff = diffSpecs(oldDoc as NonNullable<typeof oldDoc>, newDoc as NonNullable<typeof newDoc>);
  // Which rows of the compatibility matrix (packages/sdk/README.md) use what changed.
  const rows = matrixRowsChanged(diff);
  const output = json
    ? `${JSON.stringify({ ...diff, matrixRows: rows }, null, 2)}\n`
    : `${formatDiff(diff, limit ? { limit } : {})}\n${formatRowChanges(rows)}`;
  return { output, code: failOnBreaking && diff.breaking > 0 ? 2 : 0, diff };
}

if (isMain(import.meta.url)) {
  specDiffCli(process.argv.slice(2))
    .then(({ output, code }) => {
      process.stdout.write(output);
      process.exitCode = code;
    })
    .catch(fail);
}
