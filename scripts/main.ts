/**
 * pnpm start: the main job on the embedded default.
 * Pull the spec from the pinned opencode server → generate the client and the SDK's operation table → build → summary.
 * Extra arguments (--url URL, --file PATH) are passed to the pull.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { generate, OPERATIONS_FILE } from "./generate.ts";
import { diffTrees, readTree } from "./lib/generate.ts";
import { GENERATED_DIR, pinnedServerVersion, ROOT, SPEC_PATH } from "./lib/paths.ts";
import { fail, formatMs, step } from "./lib/progress.ts";
import { type OpenApiDoc, summarize } from "./lib/spec.ts";
import { pullAndWrite } from "./pull-spec.ts";

const run = promisify(execFile);

async function main(): Promise<void> {
  const started = performance.now();
  const beforeSpec = await readFile(SPEC_PATH, "utf8").catch(() => undefined);
  const beforeTree = await readTree(GENERATED_DIR);
  const beforeTable = await readFile(OPERATIONS_FILE, "utf8").catch(() => undefined);

  const { text } = await pullAndWrite(process.argv.slice(2));
  await generate();
  await step("build packages (turbo)", () =>
    run("turbo", ["run", "build", "--output-logs=errors-only"], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    }),
  );

  const after = summarize(JSON.parse(text) as OpenApiDoc);
  const before = beforeSpec ? summarize(JSON.parse(beforeSpec) as OpenApiDoc) : undefined;
  const tree = diffTrees(beforeTree, await readTree(GENERATED_DIR));
  const tableChanged = beforeTable !== (await readFile(OPERATIONS_FILE, "utf8"));
  const delta = (now: number, was?: number) => (was === undefined || was === now ? "" : ` (was ${was})`);

  console.log("");
  console.log("summary");
  console.log(`  server version: ${after.serverVersion ?? "unknown"} (pinned: ${pinnedServerVersion()})`);
  console.log(`  operations:     ${after.operations}${delta(after.operations, before?.operations)}`);
  console.log(`  schemas:        ${after.schemas}${delta(after.schemas, before?.schemas)}`);
  console.log(
    `  spec file:      ${beforeSpec === undefined ? "created" : beforeSpec === text ? "unchanged" : "changed"} (openapi/opencode.openapi.json)`,
  );
  const changes = await changedAgainstHead(["openapi", "packages/client/src/generated", "packages/sdk/src/generated"]);
  if (changes === undefined) {
    const n = tree.added.length + tree.removed.length + tree.changed.length;
    console.log(
      `  generated code: ${n === 0 ? "unchanged" : `${n} file(s) differ from before this run`} (packages/client/src/generated)`,
    );
    console.log(`  operation table: ${tableChanged ? "changed" : "unchanged"} (packages/sdk/src/generated/operations.gen.ts)`);
  } else {
    console.log(`  against HEAD:   ${changes.length === 0 ? "no changes" : `${changes.length} file(s) changed`}`);
    for (const line of changes) console.log(`    ${line}`);
  }
  console.log(`  total time:     ${formatMs(performance.now() - started)}`);
}

/** `git status --porcelain` lines for the paths, or undefined outside a git checkout. */
async function changedAgainstHead(paths: string[]): Promise<string[] | undefined> {
  try {
    const { stdout } = await run("git", ["status", "--porcelain", "--untracked-files=all", "--", ...paths], { cwd: ROOT });
    return stdout.split("\n").filter(Boolean);
  } catch {
    return undefined;
  }
}

main().catch(fail);
