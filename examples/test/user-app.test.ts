/**
 * examples/user-app with Node's own runner (its vitest tests run in this project directly): the
 * contract tests pass, and a deliberately wrong request makes them fail with Prism's message.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { example, runNode } from "./run.ts";

it("passes its node:test contract tests", async () => {
  const { stdout } = await runNode(["--test", "test/app.node.test.js"], { cwd: example("user-app") });
  expect(stdout).toMatch(/^# pass 3$/m);
  expect(stdout).toMatch(/^# fail 0$/m);
});

it("a wrong request fails its contract test with Prism's message", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ocsdk-user-app-"));
  try {
    await cp(example("user-app/src"), join(dir, "src"), { recursive: true });
    await cp(example("user-app/test"), join(dir, "test"), { recursive: true });
    await cp(example("user-app/package.json"), join(dir, "package.json"));
    const app = join(dir, "src/app.js");
    const source = await readFile(app, "utf8");
    // The bug: a number where the spec wants a string title.
    const broken = source.replace("body: { title } })", "body: { title: title.length } })");
    expect(broken).not.toBe(source);
    await writeFile(app, broken);
    const failed = await runNode(["--test", "test/app.node.test.js"], { cwd: dir }).then(
      () => undefined,
      (e: { stdout: string; code: number }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toMatch(/PATCH \/session\/ses\w+ → 400: request\.body\.title: .*string/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
