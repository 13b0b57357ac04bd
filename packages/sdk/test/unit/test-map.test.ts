/**
 * One test file per module, named after it: `src/<dir>/<module>.ts` is tested by
 * `test/{unit,contract,e2e}/<dir>/<module>.test.ts` (a second concern of the same module:
 * `<module>.<concern>.test.ts`). Fails when a source module has no such file, a unit test file
 * names no module, or a test file does not import the module it is named after (directly, or
 * through a package entry that re-exports it), so a reader finds a module's tests by its path.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PKG = fileURLToPath(new URL("../../", import.meta.url));
const PROJECTS = ["unit", "contract", "e2e"] as const;

/**
 * Modules without a test file of their own. Only these kinds belong here, each checked below:
 * - `barrel`: only re-exports (their exports are tested where they are defined);
 * - `types`: only types, nothing runs;
 * - `generated`: generator output, tested through the client (and `check:generated` in the pipeline).
 */
const EXEMPT: Record<string, "barrel" | "types" | "generated"> = {
  index: "barrel", // the root entry (its browser bundle is still tested: index.browser.test.ts)
  node: "barrel", // the `@ocsdk/sdk/node` entry
  operations: "barrel", // the `@ocsdk/sdk/operations` entry
  internal: "barrel", // the `@ocsdk/sdk/internal` entry (this repository's own helpers)
  "core/operation-types": "types",
  "generated/operations.gen": "generated", // the ocsdk/operations plugin of packages/client/openapi-ts.config.ts
};

/** Unit test files that test no single module. */
const NOT_A_MODULE_TEST = new Set(["test-map", "layers"]);

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(suffix))
    .map((f) => f.slice(0, -suffix.length).split("\\").join("/"))
    .sort();
}

const modules = files(join(PKG, "src"), ".ts");
const moduleSet = new Set(modules);

/** The module a test file is named after: its path, less `.<concern>` suffixes until one exists. */
function moduleOf(testName: string): string | undefined {
  for (let name = testName; ; ) {
    if (moduleSet.has(name)) return name;
    const dot = name.lastIndexOf(".");
    if (dot <= name.lastIndexOf("/")) return undefined;
    name = name.slice(0, dot);
  }
}

const tests = PROJECTS.flatMap((project) =>
  files(join(PKG, "test", project), ".test.ts").map((name) => ({ project, name, module: moduleOf(name) })),
);

/** Package entries (`@ocsdk/sdk`, `@ocsdk/sdk/<sub>`) and the modules each re-exports. */
const ENTRIES: Record<string, string> = {
  "@ocsdk/sdk": "index",
  "@ocsdk/sdk/node": "node",
  "@ocsdk/sdk/operations": "operations",
  "@ocsdk/sdk/internal": "internal",
};
const reExports = (entry: string): Set<string> => {
  const text = readFileSync(join(PKG, "src", `${entry}.ts`), "utf8");
  return new Set([...text.matchAll(/from\s+"\.\/([^"]+)\.js"/g)].map((m) => m[1] as string));
};

/** The source modules a test file imports: by a relative path into src/, or through an entry. */
function importedModules(testPath: string): Set<string> {
  const text = readFileSync(testPath, "utf8");
  const out = new Set<string>();
  for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
    const s = spec as string;
    const entry = ENTRIES[s];
    if (entry) {
      out.add(entry);
      for (const m of reExports(entry)) out.add(m);
    } else if (s.startsWith(".")) {
      const rel = relative(join(PKG, "src"), join(testPath, "..", s))
        .split("\\")
        .join("/");
      if (!rel.startsWith("..")) out.add(rel.replace(/\.(ts|js)$/, ""));
    }
  }
  return out;
}

describe("test files by module", () => {
  it("every source module has a test file of its name, or is an exemption of a kind that needs none", () => {
    const tested = new Set(tests.map((t) => t.module));
    const missing = modules.filter((m) => !tested.has(m) && !(m in EXEMPT));
    expect(missing, `add test/unit/<module>.test.ts (or contract/, e2e/) for: ${missing.join(", ")}`).toEqual([]);
  });

  it("the exemptions exist and are what they claim: re-exports only, types only, generated", () => {
    for (const [module, kind] of Object.entries(EXEMPT)) {
      expect(moduleSet.has(module), `${module} is not a module any more`).toBe(true);
      const text = readFileSync(join(PKG, "src", `${module}.ts`), "utf8");
      const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
      if (kind === "barrel") {
        // Nothing but `export … from "…"` statements.
        const statements = code
          .split(/;\s*/)
          .map((s) => s.trim())
          .filter(Boolean);
        const other = statements.filter((s) => !/^export\s+(type\s+)?(\*|\{[\s\S]*\})\s+from\s+"[^"]+"$/.test(s));
        expect(other, `${module} is not only re-exports`).toEqual([]);
      } else if (kind === "types") {
        expect(code, `${module} has runtime code`).not.toMatch(/^\s*(export\s+)?(const|let|var|function|class|enum)\b/m);
      } else {
        expect(text, `${module} does not start with a "Generated by" header`).toMatch(/^\/\/ Generated by /);
      }
    }
  });

  it("every test file imports the module it is named after", () => {
    const wrong = tests
      .filter((t) => t.module !== undefined && !importedModules(join(PKG, "test", t.project, `${t.name}.test.ts`)).has(t.module))
      .map((t) => `${t.project}/${t.name}.test.ts does not import src/${t.module}.ts`);
    expect(wrong, "a test file tests the module it is named after: import it (or rename the file)").toEqual([]);
  });

  it("every unit test file is named after a module", () => {
    const stray = tests
      .filter((t) => t.project === "unit" && t.module === undefined && !NOT_A_MODULE_TEST.has(t.name))
      .map((t) => relative(PKG, join(PKG, "test", t.project, `${t.name}.test.ts`)));
    expect(stray, "rename these after the module they test (src/<dir>/<module>.ts → test/unit/<dir>/<module>.test.ts)").toEqual(
      [],
    );
  });
});
