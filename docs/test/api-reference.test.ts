/**
 * `pnpm api-docs` builds the API reference of @ocsdk/sdk, @ocsdk/sdk/node and @ocsdk/testing, and fails
 * when an exported symbol has no doc comment (typedoc's notDocumented validation, warnings as errors).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

it("builds with no undocumented export and covers the three entry points", async () => {
  const out = await mkdtemp(join(tmpdir(), "ocsdk-api-"));
  try {
    const { stdout, stderr } = await run(join(root, "node_modules/.bin/tsx"), ["scripts/docs.ts", "--out", out], {
      cwd: root,
      timeout: 240_000,
      killSignal: "SIGKILL",
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    expect(`${stdout}${stderr}`).not.toMatch(/does not have any documentation/);
    const index = await readFile(join(out, "index.html"), "utf8");
    for (const module of ["sdk/src", "sdk/src/node", "testing/src"]) expect(index).toContain(module);
    expect(existsSync(join(out, "functions"))).toBe(true);
    const functions = (await run("ls", [join(out, "functions")])).stdout;
    for (const name of ["createOpencodeClient", "spawnServer", "startMockServer", "startOpencodeHarness"]) {
      expect(functions).toMatch(new RegExp(`\\.${name}\\.html`));
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
