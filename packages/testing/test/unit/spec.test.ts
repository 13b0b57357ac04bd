/** The spec this package ships is the repository's, byte for byte. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SPEC_SERVER_VERSION } from "@ocsdk/sdk";
import { expect, it } from "vitest";
import { bundledServerVersion, SPEC_PATH } from "../../src/spec.ts";

const repo = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const hint = "run `pnpm --filter @ocsdk/testing sync-assets`";

it("the bundled spec is the committed one, of the SDK's server version", () => {
  expect(readFileSync(SPEC_PATH, "utf8") === readFileSync(repo("openapi/opencode.openapi.json"), "utf8"), hint).toBe(true);
  expect(bundledServerVersion()).toBe(SPEC_SERVER_VERSION);
});
