/** The code blocks of the SDK README, read as a user copies them. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "./pack.ts";

/** One fenced block: its language, its tag (` ```js quickstart `) and its text, verbatim. */
export interface ReadmeBlock {
  readonly lang: string;
  readonly tag: string;
  readonly code: string;
}

/**
 * Every fenced block of a markdown file, in order.
 *
 * @example
 * ```ts
 * const [install] = await readmeBlocks("packages/sdk/README.md"); // { lang: "sh", tag: "install", … }
 * ```
 */
export async function readmeBlocks(path: string): Promise<ReadmeBlock[]> {
  const text = await readFile(join(REPO_ROOT, path), "utf8");
  return [...text.matchAll(/```(\w+)(?: ([\w.-]+))?\n([\s\S]*?)```/g)].map((m) => ({
    lang: m[1] ?? "",
    tag: m[2] ?? "",
    code: m[3] ?? "",
  }));
}

/**
 * The SDK README's first code block (the first `js`/`ts` one: before it come only shell commands),
 * exactly as written. A user pastes it into `quickstart.mjs`.
 *
 * @example
 * ```ts
 * await writeFile(join(dir, "readme-quickstart.mjs"), await readmeQuickstart());
 * ```
 */
export async function readmeQuickstart(): Promise<string> {
  const block = (await readmeBlocks("packages/sdk/README.md")).find((b) => b.lang === "js" || b.lang === "ts");
  if (!block) throw new Error("packages/sdk/README.md has no js/ts block");
  return block.code;
}
