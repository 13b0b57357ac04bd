/**
 * The published tarballs as a user gets them (`pnpm pack`): license, metadata, publint and attw
 * clean, sourcemaps only with their sources, and root-entry types that need no @types/node.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, describe, expect, inject, test } from "vitest";
import { requireConsumer } from "../global-setup.ts";
import { PUBLISHED, REPO_ROOT } from "../lib/consumer.ts";
import { readmeBlocks } from "../lib/readme.ts";
import { type Unpacked, unpack } from "../lib/tarball.ts";

const exec = promisify(execFile);
const setup_ = inject("runtimesConsumer");
const bin = (name: string) => join(REPO_ROOT, "node_modules", ".bin", name);
const unpacked = new Map<string, Promise<Unpacked>>();
const tarball = (name: string) => requireConsumer(setup_).tarballs[name] as string;
const contents = (name: string) => {
  if (!unpacked.has(name)) unpacked.set(name, unpack(tarball(name)));
  return unpacked.get(name) as Promise<Unpacked>;
};

afterAll(async () => {
  for (const pkg of unpacked.values()) await rm(dirname((await pkg).root), { recursive: true, force: true });
});

/** Runs a command, resolving with its exit code and output instead of throwing. */
async function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await exec(command, args, {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: "1" },
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === "number" ? e.code : 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` || e.message };
  }
}

/** Top-level dirs each tarball ships besides its build and sources (@ocsdk/testing: the spec and SSE fixtures it serves). */
const EXTRA_DIRS: Record<string, readonly string[]> = { "@ocsdk/testing": ["spec/", "fixtures/"] };

describe.each(Object.entries(PUBLISHED))("%s tarball", (name, workspaceDir) => {
  test("has the MIT LICENSE, README and publish metadata", async () => {
    const pkg = await contents(name);
    const dirs = ["dist/", "src/", ...(EXTRA_DIRS[name] ?? [])];
    const topLevel = [...pkg.files].filter((f) => !dirs.some((d) => f.startsWith(d))).sort();
    expect(topLevel).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]));
    // Nothing else leaks in through `files` (a CHANGELOG arrives with `changeset version`).
    expect(topLevel.filter((f) => !["LICENSE", "README.md", "package.json", "CHANGELOG.md"].includes(f))).toEqual([]);
    expect(await pkg.read("LICENSE")).toBe(await readFile(join(REPO_ROOT, "LICENSE"), "utf8"));
    expect(await pkg.read("LICENSE")).toMatch(/^MIT License\n/);
    const manifest = JSON.parse(await pkg.read("package.json"));
    expect(manifest).toMatchObject({
      name,
      license: "MIT",
      type: "module",
      sideEffects: false,
      engines: { node: expect.stringMatching(/^>=\d+/) },
      // Publishing with provenance needs `repository`; npm's page links homepage and bugs.
      repository: { type: "git", url: expect.stringMatching(/^git\+https:\/\//), directory: workspaceDir },
      homepage: expect.stringMatching(new RegExp(`^https://.*/tree/main/${workspaceDir}#readme$`)),
      bugs: { url: expect.stringMatching(/^https:\/\/.*\/issues$/) },
      publishConfig: { access: "public" },
    });
    // pnpm pack turns workspace: ranges into versions; a leftover one is uninstallable.
    expect(JSON.stringify(manifest)).not.toContain("workspace:");
  });

  test("publint reports nothing, suggestions included", async () => {
    const data = await readFile(tarball(name));
    const { messages, pkg } = await publint({
      pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer },
      level: "suggestion",
      strict: true,
    });
    expect(messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg) ?? ""}`)).toEqual([]);
  });

  test("attw (are the types wrong): every entry resolves everywhere; CommonJS gets ESM (the README's CommonJS note)", async () => {
    // The one accepted finding: `require()` from node16 CJS reaches ESM (a dynamic import, or
    // Node >= 20.19's require(esm), as the SDK README's TypeScript section says).
    const { code, output } = await run(
      bin("attw"),
      [tarball(name), "--format", "ascii", "--ignore-rules", "cjs-resolves-to-esm"],
      REPO_ROOT,
    );
    expect(code, output).toBe(0);
    const results = [...output.matchAll(/^(node10|node16 \(from CJS\)|node16 \(from ESM\)|bundler): (.*)$/gm)];
    const entries = [...output.matchAll(/^"(@ocsdk\/[^"]+)"$/gm)].map((m) => m[1]);
    expect(entries).toContain(name);
    expect(results).toHaveLength(entries.length * 4);
    for (const [line, mode, result] of results) {
      if (mode === "node16 (from CJS)") expect(result, line).toMatch(/^(🟢 \((ESM|JSON)\)|⚠️ ESM \(dynamic import only\))$/u);
      else expect(result, line).toMatch(/^🟢/u);
    }
  });

  test("sourcemaps ship with the sources they map", async () => {
    const pkg = await contents(name);
    const maps = [...pkg.files].filter((f) => f.endsWith(".map"));
    const problems: string[] = [];
    for (const file of pkg.files) {
      if (!/\.(js|d\.ts)$/.test(file)) continue;
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(await pkg.read(file))?.[1];
      if (url && !pkg.files.has(normalize(join(dirname(file), url)))) problems.push(`${file} points to missing ${url}`);
    }
    for (const map of maps) {
      const { sources = [], sourceRoot = "" } = JSON.parse(await pkg.read(map)) as { sources?: string[]; sourceRoot?: string };
      for (const source of sources) {
        const path = normalize(join(dirname(map), sourceRoot, source));
        if (path.startsWith("..") || !pkg.files.has(path)) problems.push(`${map} maps ${source}, not in the tarball`);
      }
    }
    expect(problems).toEqual([]);
    // Each emitted module has its maps, so the check above covered the whole build.
    expect(maps.length).toBeGreaterThan(0);
  });
});

/**
 * The TypeScript matrix: every moduleResolution a user may have, each with and without @types/node,
 * on `lib: ["es2022", "dom"]` (a browser or worker project: no ESNext.Disposable) and
 * `skipLibCheck: false`, so the published .d.ts themselves are checked, not only their use.
 */
describe("types from the tarballs in a consumer project", () => {
  type Style = "static" | "dynamic";
  interface Setup {
    readonly module: string;
    readonly moduleResolution: string;
    readonly packageType: "module" | "commonjs";
    /** `dynamic`: the documented way for a node16 CommonJS file (type-only imports + `await import()`). */
    readonly style: Style;
  }
  const SETUPS: Record<string, Setup> = {
    node10: { module: "CommonJS", moduleResolution: "Node10", packageType: "commonjs", style: "static" },
    "node16 ESM": { module: "Node16", moduleResolution: "Node16", packageType: "module", style: "static" },
    "node16 CommonJS (README workaround)": {
      module: "Node16",
      moduleResolution: "Node16",
      packageType: "commonjs",
      style: "dynamic",
    },
    "nodenext ESM": { module: "NodeNext", moduleResolution: "NodeNext", packageType: "module", style: "static" },
    "nodenext CommonJS": { module: "NodeNext", moduleResolution: "NodeNext", packageType: "commonjs", style: "static" },
    bundler: { module: "ESNext", moduleResolution: "Bundler", packageType: "module", style: "static" },
  };

  /** The root entry, the operations subpath and the client, and with @types/node the Node subpath. */
  function source(style: Style, withNode: boolean): string {
    const root = ["AuthenticationError", "applyPermissionPolicy", "createOpencodeClient", "EventStream", "NotFoundError"];
    const imports =
      style === "static"
        ? `import { ${root.join(", ")}, type OpencodeEvent } from "@ocsdk/sdk";
import { createCore, sessionGet } from "@ocsdk/sdk/operations";
import { createClient } from "@ocsdk/client";
${withNode ? 'import { attachServer, createNodeFetch, spawnServer } from "@ocsdk/sdk/node";\n' : ""}`
        : `import type { OpencodeEvent } from "@ocsdk/sdk" with { "resolution-mode": "import" };
`;
    const load =
      style === "static"
        ? ""
        : `  const { ${root.join(", ")} } = await import("@ocsdk/sdk");
  const { createCore, sessionGet } = await import("@ocsdk/sdk/operations");
  const { createClient } = await import("@ocsdk/client");
${withNode ? '  const { attachServer, createNodeFetch, spawnServer } = await import("@ocsdk/sdk/node");\n' : ""}`;
    return `${imports}
export async function main(signal: AbortSignal): Promise<string[]> {
${load}  const oc = createOpencodeClient({ baseUrl: "http://127.0.0.1:4096", password: "pw" });
  const session = await oc.session.create({ body: { title: "typed" } });
  const ids: string[] = [session.id];
  const policy = await applyPermissionPolicy(oc, { allow: ["read"] });
  ids.push(String(policy.decisions.length));
  for await (const event of EventStream.of(oc).subscribe({ sessionID: session.id, signal })) {
    const e: OpencodeEvent | { type: string } = event;
    ids.push(e.type);
  }
  const one = await sessionGet(createCore({ baseUrl: "http://127.0.0.1:4096" }), { path: { sessionID: session.id } });
  ids.push(one.title);
  const isTyped = (e: unknown) => e instanceof NotFoundError || e instanceof AuthenticationError;
  ids.push(String(isTyped(null)), typeof createClient({ baseUrl: "http://127.0.0.1:4096" }));
${
  withNode
    ? `  const server = await spawnServer({ extraArgs: ["--pure"] });
  try {
    const node = createOpencodeClient({ baseUrl: server.url, password: server.password, fetch: createNodeFetch() });
    const { version } = await attachServer({ baseUrl: server.url, password: server.password });
    ids.push((await node.global.health()).version, version);
  } finally {
    await server.close();
  }
`
    : ""
}  return ids;
}
`;
  }

  const cases = Object.entries(SETUPS).flatMap(([setupName, setup]) =>
    [false, true].map((withNode) => ({ setupName, setup, withNode })),
  );

  test.each(cases)("$setupName, withNode=$withNode: tsc reports nothing", async ({ setupName, setup, withNode }) => {
    const consumer = requireConsumer(setup_);
    // Nothing may supply Node's types by accident: the consumer dir is outside the repository.
    expect(existsSync(join(consumer.dir, "node_modules", "@types", "node"))).toBe(false);
    const dir = join(consumer.dir, `types-${setupName.replace(/\W+/g, "-")}-${withNode ? "node" : "nonode"}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "package.json"), JSON.stringify({ private: true, type: setup.packageType }));
    await writeFile(join(dir, "main.ts"), source(setup.style, withNode));
    const compilerOptions = {
      strict: true,
      noEmit: true,
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      skipLibCheck: false,
      module: setup.module,
      moduleResolution: setup.moduleResolution,
      types: withNode ? ["node"] : [],
      ...(withNode ? { typeRoots: [join(REPO_ROOT, "node_modules", "@types")] } : {}),
    };
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["main.ts"] }, null, 2));
    const { code, output } = await run(bin("tsc"), ["-p", "tsconfig.json"], dir);
    expect(output.trim(), `tsc output (${dir})`).toBe("");
    expect(code).toBe(0);
  });

  test("the SDK README's CommonJS block typechecks under module node16 in a CommonJS package", async () => {
    const consumer = requireConsumer(setup_);
    const block = (await readmeBlocks("packages/sdk/README.md")).find((b) => b.tag === "commonjs");
    expect(block, "the README's ```ts commonjs block").toBeDefined();
    const dir = join(consumer.dir, "types-readme-commonjs");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "package.json"), JSON.stringify({ private: true, type: "commonjs" }));
    await writeFile(join(dir, "main.ts"), block?.code ?? "");
    const compilerOptions = {
      strict: true,
      noEmit: true,
      lib: ["ES2022", "DOM"],
      module: "Node16",
      skipLibCheck: false,
      types: ["node"],
      typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
    };
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["main.ts"] }));
    const { code, output } = await run(bin("tsc"), ["-p", "tsconfig.json"], dir);
    expect(output.trim(), `tsc output (${dir})`).toBe("");
    expect(code).toBe(0);
  });

  test("the check can fail: without the README's workaround, node16 CommonJS gets TS1479", async () => {
    const consumer = requireConsumer(setup_);
    const dir = join(consumer.dir, "types-node16-cjs-static");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "package.json"), JSON.stringify({ private: true, type: "commonjs" }));
    await writeFile(join(dir, "main.ts"), source("static", false));
    const compilerOptions = { strict: true, noEmit: true, lib: ["ES2022", "DOM"], module: "Node16", types: [] };
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["main.ts"] }));
    const { code, output } = await run(bin("tsc"), ["-p", "tsconfig.json"], dir);
    expect(code).not.toBe(0);
    expect(output).toContain("TS1479");
  });
});

test("@ocsdk/testing installs from its tarball beside the SDK's and its entry imports", async () => {
  const consumer = requireConsumer(setup_);
  const dir = join(consumer.dir, "testing-app");
  await mkdir(dir, { recursive: true });
  const t = consumer.tarballs;
  const dependencies = {
    "@ocsdk/client": `file:${t["@ocsdk/client"]}`,
    "@ocsdk/sdk": `file:${t["@ocsdk/sdk"]}`,
    "@ocsdk/testing": `file:${t["@ocsdk/testing"]}`,
  };
  // The tarball's own @ocsdk/sdk range must be met by the SDK tarball, never fetched from the registry.
  const overrides = { "@ocsdk/client": "$@ocsdk/client", "@ocsdk/sdk": "$@ocsdk/sdk" };
  await writeFile(join(dir, "package.json"), JSON.stringify({ private: true, type: "module", dependencies, overrides }));
  // Prism and its dependencies come from the registry the first time; the cache is the one the
  // testing package's packed-app test keeps, so a warm machine installs offline.
  const npm = [
    "install",
    "--no-audit",
    "--no-fund",
    "--ignore-scripts",
    "--prefer-offline",
    "--cache",
    join(REPO_ROOT, "node_modules/.cache/ocsdk-npm"),
  ];
  const installed = await run("npm", npm, dir);
  expect(installed.code, installed.output).toBe(0);
  const probe = `const t = await import("@ocsdk/testing");
const spec = t.loadSpec();
console.log(JSON.stringify({ mock: typeof t.startMockServer, model: typeof t.startFakeModel, openapi: spec.openapi, version: t.bundledServerVersion() }));`;
  const { code, output } = await run(process.execPath, ["--input-type=module", "-e", probe], dir);
  expect(code, output).toBe(0);
  const sdkVersion = JSON.parse(await readFile(join(dir, "node_modules/@ocsdk/sdk/package.json"), "utf8")).version;
  const { SPEC_SERVER_VERSION } = await import("@ocsdk/sdk");
  expect(JSON.parse(output)).toEqual({ mock: "function", model: "function", openapi: "3.1.0", version: SPEC_SERVER_VERSION });
  expect(sdkVersion).toBe(JSON.parse(await readFile(join(REPO_ROOT, "packages/sdk/package.json"), "utf8")).version);
});
