/**
 * pnpm check:generated [--pull] [--spec PATH] [--generated DIR] [--operations FILE]
 * Fails when the committed spec is not in normalized form or the committed generated code
 * differs from what the generator makes of the spec. With --pull, the spec must also equal a
 * fresh pull from the pinned server.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OPERATIONS_FILE } from "./generate.ts";
import { diffTrees, generateClient, readTree } from "./lib/generate.ts";
import { GENERATED_DIR, SPEC_PATH } from "./lib/paths.ts";
import { fail, step } from "./lib/progress.ts";
import { pullSpec } from "./lib/pull.ts";
import { normalizeSpec, parseSpec, SERVER_VERSION_KEY } from "./lib/spec.ts";

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const specPath = option(argv, "--spec") ?? SPEC_PATH;
  const generatedDir = option(argv, "--generated") ?? GENERATED_DIR;
  const problems: string[] = [];

  const committed = await readFile(specPath, "utf8");
  const doc = parseSpec(committed, specPath);
  if (normalizeSpec(doc) !== committed) problems.push(`${specPath} is not in normalized form (run pnpm start)`);

  if (argv.includes("--pull")) {
    const pulled = await step("pull spec from the pinned server", () => pullSpec({ kind: "embedded" }));
    if (normalizeSpec(pulled.doc, pulled.serverVersion) !== committed) {
      problems.push(
        `${specPath} differs from the pinned server's /doc (server ${pulled.serverVersion}, committed ${String(doc.info[SERVER_VERSION_KEY])}); run pnpm start`,
      );
    }
  }

  const operationsFile = option(argv, "--operations") ?? OPERATIONS_FILE;
  const tmp = await mkdtemp(join(tmpdir(), "ocsdk-check-"));
  try {
    const tmpClient = join(tmp, "client");
    const tmpTable = join(tmp, "operations.gen.ts");
    await step("regenerate into a temp dir", () => generateClient(specPath, tmpClient, tmpTable));
    const table = await readFile(operationsFile, "utf8").catch(() => "");
    if (table !== (await readFile(tmpTable, "utf8"))) problems.push(`generated file differs: ${operationsFile}`);
    const diff = diffTrees(await readTree(generatedDir), await readTree(tmpClient));
    for (const f of diff.changed) problems.push(`generated file differs: ${f}`);
    for (const f of diff.added) problems.push(`generated file missing from the tree: ${f}`);
    for (const f of diff.removed) problems.push(`file in the generated tree that the generator does not make: ${f}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }

  if (problems.length) {
    throw new Error(
      `generated sources are out of date:\n  ${problems.join("\n  ")}\nrun \`pnpm start\` (or \`pnpm generate\`) and commit the result`,
    );
  }
  console.log("check:generated: spec and generated client are up to date");
}

main(process.argv.slice(2)).catch(fail);
