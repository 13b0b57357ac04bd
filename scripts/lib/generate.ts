/** Runs @hey-api/openapi-ts once on a spec file: the client into a directory, the SDK's operation table into a file. */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { createClient } from "@hey-api/openapi-ts";
import { clientConfig } from "../../packages/client/openapi-ts.config.ts";

export async function generateClient(specPath: string, outputDir: string, operationsFile: string): Promise<void> {
  await createClient(clientConfig(specPath, outputDir, operationsFile));
}

/** Every file under a directory, as relative path → contents. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.set(relative(dir, full), await readFile(full, "utf8"));
    }
  };
  await walk(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
  return out;
}

/** Differences between two trees: files only in a, only in b, and with different contents. */
export function diffTrees(
  a: Map<string, string>,
  b: Map<string, string>,
): { added: string[]; removed: string[]; changed: string[] } {
  const added = [...b.keys()].filter((k) => !a.has(k)).sort();
  const removed = [...a.keys()].filter((k) => !b.has(k)).sort();
  const changed = [...a.keys()].filter((k) => b.has(k) && a.get(k) !== b.get(k)).sort();
  return { added, removed, changed };
}
