/**
 * pnpm pull-spec [--url URL | --file PATH] [--out PATH]
 * Pulls the OpenAPI document (default: from the pinned opencode server started here),
 * normalizes it and writes openapi/opencode.openapi.json.
 */
import { writeFile } from "node:fs/promises";
import { SPEC_PATH, syncTestingAssets } from "./lib/paths.ts";
import { fail, isMain, step } from "./lib/progress.ts";
import { parseSourceArgs, pullSpec } from "./lib/pull.ts";
import { normalizeSpec, summarize } from "./lib/spec.ts";

export async function pullAndWrite(argv: string[]): Promise<{ outPath: string; text: string }> {
  const { source, rest } = parseSourceArgs(argv);
  let outPath = SPEC_PATH;
  const outIndex = rest.indexOf("--out");
  if (outIndex >= 0) {
    const value = rest[outIndex + 1];
    if (!value || value.startsWith("--")) throw new Error("--out needs a path");
    outPath = value;
    rest.splice(outIndex, 2);
  }
  if (rest.length) throw new Error(`unknown argument(s): ${rest.join(" ")} (use --url URL, --file PATH, --out PATH)`);
  const pulled = await step(`pull spec (${source.kind === "embedded" ? "pinned server" : source.kind})`, () =>
    pullSpec(source, (url, version) => process.stderr.write(`  opencode ${version} listening on ${url}\n`)),
  );
  const text = normalizeSpec(pulled.doc, pulled.serverVersion);
  await step(`write ${outPath}`, () => writeFile(outPath, text));
  if (outPath === SPEC_PATH) syncTestingAssets();
  return { outPath, text };
}

if (isMain(import.meta.url)) {
  pullAndWrite(process.argv.slice(2))
    .then(({ text }) => {
      const s = summarize(JSON.parse(text));
      console.log(`spec: opencode ${s.serverVersion ?? "unknown"}, ${s.operations} operations, ${s.schemas} schemas`);
    })
    .catch(fail);
}
