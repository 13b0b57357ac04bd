/** The upgrade command's pure parts: argument parsing, the pin rewrite, the bump policy, the changeset. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseBump, renderChangeset, writeChangeset } from "../lib/changeset.ts";
import { diffSpecs } from "../lib/spec-diff.ts";
import { parseUpgradeArgs, setPinnedVersion } from "../upgrade-server.ts";

const doc = (paths: Record<string, Record<string, unknown>>) => ({
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  paths,
  components: { schemas: {} },
});
const op = (operationId: string) => ({ get: { operationId, responses: { 200: { description: "ok" } } } });

describe("parseUpgradeArgs", () => {
  it("takes one exact version and the flags", () => {
    expect(parseUpgradeArgs(["1.19.0", "--dry-run"])).toEqual({
      version: "1.19.0",
      dryRun: true,
      keepTemp: false,
      skipContract: false,
    });
    expect(() => parseUpgradeArgs([])).toThrow(/usage/);
    expect(() => parseUpgradeArgs(["^1.19.0"])).toThrow(/not an exact version/);
    expect(() => parseUpgradeArgs(["1.19.0", "1.20.0"])).toThrow(/one version only/);
    expect(() => parseUpgradeArgs(["1.19.0", "--force"])).toThrow(/unknown option --force/);
  });
});

describe("setPinnedVersion", () => {
  it("rewrites only the pin, keeping formatting", () => {
    const before = '{\n  "devDependencies": {\n    "opencode-ai": "1.18.33",\n    "tsx": "4.0.0"\n  }\n}\n';
    expect(setPinnedVersion(before, "1.19.0")).toBe(before.replace("1.18.33", "1.19.0"));
    expect(() => setPinnedVersion('{"devDependencies":{}}', "1.19.0")).toThrow(/no devDependencies/);
  });
});

describe("bump policy", () => {
  it("follows the classes, one place right while 0.x", () => {
    expect(chooseBump({ breaking: 1, nonBreaking: 3 }, "0.4.0").bump).toBe("minor");
    expect(chooseBump({ breaking: 0, nonBreaking: 3 }, "0.4.0").bump).toBe("patch");
    expect(chooseBump({ breaking: 1, nonBreaking: 0 }, "1.2.0").bump).toBe("major");
    expect(chooseBump({ breaking: 0, nonBreaking: 2 }, "1.2.0").bump).toBe("minor");
    expect(chooseBump({ breaking: 0, nonBreaking: 0 }, "1.2.0").bump).toBe("patch");
  });

  it("writes a changeset for both linked packages naming the versions and the breaking changes", async () => {
    const diff = diffSpecs(doc({ "/a": op("a.get"), "/b": op("b.get") }), doc({ "/a": op("a.get"), "/c": op("c.get") }));
    const md = renderChangeset({ from: "1.18.33", to: "1.19.0", diff, currentVersion: "0.1.0" });
    expect(md).toMatch(/^---\n"@ocsdk\/client": minor\n"@ocsdk\/sdk": minor\n---\n/);
    expect(md).toContain("from 1.18.33 to 1.19.0");
    expect(md).toContain("/b");
    const dir = await mkdtemp(join(tmpdir(), "ocsdk-cs-"));
    try {
      const written = await writeChangeset(dir, { from: "1.18.33", to: "1.19.0", diff, currentVersion: "0.1.0" });
      expect(written.bump).toBe("minor");
      expect(await readFile(written.path, "utf8")).toBe(md);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
