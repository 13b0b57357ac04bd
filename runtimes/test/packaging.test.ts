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
import { type Unpacked, unpack } from "../lib/tarball.ts";

const exec = promisify(execFile);
const setup = inject("runtimesConsumer");
const bin = (name: string) => join(REPO_ROOT, "node_modules", ".bin", name);
const unpacked = new Map<string, Promise<Unpacked>>();
const tarball = (name: string) => requireConsumer(setup).tarballs[name] as string;
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

describe.each(Object.entries(PUBLISHED))("%s tarball", (name, workspaceDir) => {
  test("has the MIT LICENSE, README and publish metadata", async () => {
    const pkg = await contents(name);
    const topLevel = [...pkg.files].filter((f) => !f.startsWith("dist/") && !f.startsWith("src/")).sort();
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
      repository: { type: "git", url: expect.stringMatching(/^git\+https:\/\//), directory: workspaceDir },
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

  test("attw (are the types wrong) finds no problem for ESM consumers", async () => {
    // ESM only: `require()` of it works from Node 20.19 (engines) on, so the CJS resolutions are not checked.
    const { code, output } = await run(bin("attw"), [tarball(name), "--profile", "esm-only", "--format", "ascii"], REPO_ROOT);
    expect(code, output).toBe(0);
    expect(output).toContain("node16 (from ESM): 🟢");
    expect(output).toContain("bundler: 🟢");
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

describe("types from the tarballs in a consumer project", () => {
  async function typecheck(dirName: string, files: Record<string, string>, compilerOptions: Record<string, unknown>) {
    const consumer = requireConsumer(setup);
    const dir = join(consumer.dir, dirName);
    await mkdir(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "ES2022",
        lib: ["ES2023", "ESNext.Disposable", "DOM", "DOM.Iterable"],
        // Check the published .d.ts themselves, not only their use.
        skipLibCheck: false,
        ...compilerOptions,
      },
      files: Object.keys(files),
    };
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    return run(bin("tsc"), ["-p", "tsconfig.json"], dir);
  }

  const ROOT_USE = `import { AuthenticationError, createOpencodeClient, EventStream, NotFoundError, type OpencodeEvent } from "@ocsdk/sdk";
import { createClient } from "@ocsdk/client";

const oc = createOpencodeClient({ baseUrl: "http://127.0.0.1:4096", password: "pw" });
export async function main(signal: AbortSignal): Promise<string[]> {
  const session = await oc.session.create({ body: { title: "typed" } });
  const ids: string[] = [session.id];
  for await (const event of new EventStream(oc).subscribe({ sessionID: session.id, signal })) {
    const e: OpencodeEvent | { type: string } = event;
    ids.push(e.type);
  }
  return ids;
}
export const isTyped = (e: unknown) => e instanceof NotFoundError || e instanceof AuthenticationError;
export const raw = createClient({ baseUrl: "http://127.0.0.1:4096" });
`;

  // NodeNext only: Bundler resolution reads the same `exports` conditions, and each run costs seconds.
  test("the root entry typechecks without @types/node", async () => {
    const consumer = requireConsumer(setup);
    // Nothing may supply Node's types by accident: the consumer dir is outside the repository.
    expect(existsSync(join(consumer.dir, "node_modules", "@types", "node"))).toBe(false);
    const { code, output } = await typecheck(
      "types-root",
      { "main.ts": ROOT_USE },
      { module: "NodeNext", moduleResolution: "NodeNext", types: [] },
    );
    expect(output.trim(), "tsc output").toBe("");
    expect(code).toBe(0);
  });

  test("@ocsdk/sdk/node typechecks with @types/node", async () => {
    const use = `import { attachServer, createNodeFetch, spawnServer } from "@ocsdk/sdk/node";
import { createOpencodeClient } from "@ocsdk/sdk";

export async function main(): Promise<string> {
  const server = await spawnServer({ extraArgs: ["--pure"] });
  try {
    const oc = createOpencodeClient({ baseUrl: server.url, password: server.password, fetch: createNodeFetch() });
    const { version } = await attachServer({ baseUrl: server.url, password: server.password });
    return (await oc.global.health()).version + version;
  } finally {
    await server.close();
  }
}
`;
    const { code, output } = await typecheck(
      "types-node",
      { "main.ts": use },
      {
        module: "NodeNext",
        moduleResolution: "NodeNext",
        types: ["node"],
        typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
        // The root check above reads every published .d.ts; here only the subpath's use matters,
        // and checking all of @types/node would triple the time.
        skipLibCheck: true,
      },
    );
    expect(output.trim(), "tsc output").toBe("");
    expect(code).toBe(0);
  });
});
