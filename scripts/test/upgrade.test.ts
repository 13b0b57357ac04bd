/** The upgrade command's pure parts: argument parsing, the pin rewrite, the bump policy, the changeset. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseBump, renderChangeset, writeChangeset } from "../lib/changeset.ts";
import { diffSpecs } from "../lib/spec-diff.ts";
import { Transaction } from "../lib/transaction.ts";
import { compareVersions, installable, platformPackage } from "../lib/versions.ts";
import { parseUpgradeArgs, planChanges, setPinnedVersion } from "../upgrade-server.ts";

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
      force: false,
      list: false,
    });
    expect(parseUpgradeArgs(["--latest"]).version).toBe("latest");
    expect(parseUpgradeArgs(["--list"]).list).toBe(true);
    expect(() => parseUpgradeArgs(["--list", "1.19.0"])).toThrow(/usage/);
    expect(() => parseUpgradeArgs([])).toThrow(/usage/);
    expect(() => parseUpgradeArgs(["^1.19.0"])).toThrow(/not an exact version/);
    expect(() => parseUpgradeArgs(["1.19.0", "1.20.0"])).toThrow(/one version only/);
    expect(() => parseUpgradeArgs(["1.19.0", "--frobnicate"])).toThrow(/unknown option --frobnicate/);
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

  it("writes a changeset for the client and the wrapper (one fixed group) naming the versions and the breaking changes", async () => {
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

describe("versions installable here", () => {
  it("orders semver numerically and keeps only versions with a platform binary, newest first", () => {
    expect(["1.18.3", "1.18.33", "1.17.19", "1.18.4", "1.18.4-beta.1"].sort(compareVersions)).toEqual([
      "1.17.19",
      "1.18.3",
      "1.18.4-beta.1",
      "1.18.4",
      "1.18.33",
    ]);
    expect(installable(["1.17.19", "1.17.20", "1.18.33", "0.0.0-dev-1"], ["1.17.19", "1.18.33", "0.0.0-dev-1"])).toEqual([
      "1.18.33",
      "1.17.19",
    ]);
    expect(platformPackage("linux", "x64")).toBe("opencode-linux-x64");
    expect(platformPackage("win32", "x64")).toBe("opencode-windows-x64");
  });
});

describe("the transaction's file log", () => {
  it("applies a plan file by file and abort() puts every file back, new ones removed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ocsdk-tx-"));
    const src = join(dir, "src");
    const dst = join(dir, "dst");
    try {
      for (const d of [src, dst]) await mkdir(join(d, "gen"), { recursive: true });
      await writeFile(join(dst, "package.json"), "old pin");
      await writeFile(join(src, "package.json"), "new pin");
      await writeFile(join(dst, "gen", "gone.ts"), "removed by the upgrade");
      await writeFile(join(src, "gen", "new.ts"), "added by the upgrade");
      await writeFile(join(src, "gen", "same.ts"), "same");
      await writeFile(join(dst, "gen", "same.ts"), "same");
      const plan = await planChanges(src, dst, ["package.json", "gen"]);
      expect(plan.map((c) => [c.path.slice(dst.length + 1), c.content === null ? null : String(c.content)]).sort()).toEqual([
        ["gen/gone.ts", null],
        ["gen/new.ts", "added by the upgrade"],
        ["package.json", "new pin"],
      ]);
      const tx = await Transaction.start("ocsdk-tx-test-");
      const txDir = tx.dir;
      // Fails half way: the first change is in, the rest is not.
      await expect(
        tx.replaceFiles(plan, (i) => {
          if (i === 1) throw new Error("disk full");
        }),
      ).rejects.toThrow("disk full");
      await tx.abort();
      expect(await readFile(join(dst, "package.json"), "utf8")).toBe("old pin");
      expect(await readFile(join(dst, "gen", "gone.ts"), "utf8")).toBe("removed by the upgrade");
      await expect(readFile(join(dst, "gen", "new.ts"))).rejects.toThrow(/ENOENT/);
      await expect(readFile(txDir)).rejects.toThrow(/ENOENT/);
      // Applied in full and committed, the target equals the source.
      const tx2 = await Transaction.start("ocsdk-tx-test-");
      await tx2.replaceFiles(plan);
      await tx2.commit();
      expect(await planChanges(src, dst, ["package.json", "gen"])).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("abort() stops a running child's whole process group", async () => {
    const tx = await Transaction.start("ocsdk-tx-test-");
    // A child that starts a grandchild in its group and prints its pid, then waits.
    const script =
      "const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1000)'],{stdio:'ignore'});console.log(c.pid);setInterval(()=>{},1000)";
    let grandchild = 0;
    const running = tx.exec(process.execPath, ["-e", script], {
      cwd: tx.dir,
      onOutput: (out) => {
        grandchild = Number.parseInt(out, 10) || grandchild;
      },
    });
    const deadline = Date.now() + 30_000;
    while (!grandchild && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(grandchild).toBeGreaterThan(0);
    await tx.abort();
    const result = await running;
    expect(result.ok).toBe(false);
    const alive = () => {
      try {
        process.kill(grandchild, 0);
        return true;
      } catch {
        return false;
      }
    };
    const until = Date.now() + 20_000;
    while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
  });
});
