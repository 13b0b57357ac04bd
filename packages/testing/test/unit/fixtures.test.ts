/** The recordings this package ships are the repository's fixtures, byte for byte. */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { FIXTURES_DIR } from "../../src/fixtures.ts";

const repo = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const hint = "run `pnpm --filter @ocsdk/testing sync-assets`";

it("the bundled recordings are the committed fixtures", () => {
  const source = repo("packages/client/test/fixtures/sse/");
  const names = readdirSync(source).sort();
  expect(readdirSync(FIXTURES_DIR).sort()).toEqual(names);
  for (const name of names) {
    expect(readFileSync(`${FIXTURES_DIR}${name}`, "utf8") === readFileSync(`${source}${name}`, "utf8"), `${name}: ${hint}`).toBe(
      true,
    );
  }
});
