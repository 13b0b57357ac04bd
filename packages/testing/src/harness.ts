/**
 * The real pinned opencode server driven by the fake model: isolated home, a temp git project,
 * config pointing at the fake model, and a wrapper client scoped to the project.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpencodeClient, type OpencodeClient } from "@ocsdk/sdk";
import { type RunningServer, spawnServer } from "@ocsdk/sdk/node";
import { type FakeModel, type FakeTurn, startFakeModel } from "./fake-model.js";

/** Options of {@link startOpencodeHarness}. */
export interface HarnessOptions {
  /** Turns queued on the fake model before the server starts. */
  script?: FakeTurn[];
  /** Use this fake model instead of starting one (it is not closed by the harness). */
  model?: FakeModel;
  /** Extra opencode config merged over the harness's (e.g. `{ permission: { bash: "ask" } }`). */
  config?: Record<string, unknown>;
  /** Files to write into the project before its first commit (path → content). */
  files?: Record<string, string>;
  /** Reuse this isolated data dir (HOME/XDG root), e.g. to restart a server on the same data. */
  dataDir?: string;
  /** Extra environment for the server. */
  env?: Record<string, string | undefined>;
  /** The opencode binary to run (a path; default: the pinned one, see `spawnServer`). */
  binary?: string;
  /** Port to listen on (default: a free one), e.g. to restart a server where its clients look. */
  port?: number;
}

/** A running harness. */
export interface OpencodeHarness extends AsyncDisposable {
  readonly server: RunningServer;
  /** Wrapper client for the server, scoped to {@link projectDir}. */
  readonly client: OpencodeClient;
  readonly model: FakeModel;
  /** A temp git repository the server works on. */
  readonly projectDir: string;
  /** The model to name in prompts. */
  readonly modelRef: { providerID: string; modelID: string };
  /** The config the server was started with. */
  readonly config: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Makes `dir` a git repository with one commit of `files` (default: a README).
 *
 * @example
 * ```ts
 * await initGitProject(await mkdtemp(join(tmpdir(), "p-")), { "a.ts": "export {};" });
 * ```
 */
export async function initGitProject(dir: string, files: Record<string, string> = {}): Promise<void> {
  const all = { "README.md": "# Sample project\n\nHello from the harness.\n", ...files };
  for (const [name, content] of Object.entries(all)) await writeFile(join(dir, name), content);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@t",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@t",
  };
  for (const args of [
    ["init", "-q", "-b", "main"],
    ["add", "-A"],
    ["commit", "-q", "-m", "init"],
  ]) {
    execFileSync("git", args, { cwd: dir, stdio: "ignore", env });
  }
}

/** Provider and model id the harness registers. */
export const FAKE_MODEL_REF = { providerID: "fake", modelID: "fake-model" } as const;

/**
 * The opencode config that routes every prompt to `model`.
 *
 * @example
 * ```ts
 * const config = fakeModelConfig(model); // pass to spawnServer({ config })
 * ```
 */
export function fakeModelConfig(model: FakeModel): Record<string, unknown> {
  return {
    provider: {
      fake: {
        npm: "@ai-sdk/openai-compatible",
        name: "Fake",
        options: { baseURL: model.url, apiKey: "fake-key" },
        models: { "fake-model": { name: "Fake model", tool_call: true, limit: { context: 100_000, output: 8_000 } } },
      },
    },
    model: "fake/fake-model",
    small_model: "fake/fake-model",
    autoupdate: false,
    share: "disabled",
  };
}

/**
 * Starts the fake model, a temp git project and the pinned opencode on them.
 *
 * @example
 * ```ts
 * await using h = await startOpencodeHarness({ script: [{ text: "hi there" }] });
 * const session = await h.client.session.create({ body: {} });
 * await h.client.session.prompt({ path: { sessionID: session.id }, body: { model: h.modelRef, parts: [{ type: "text", text: "hi" }] } });
 * ```
 */
export async function startOpencodeHarness(options: HarnessOptions = {}): Promise<OpencodeHarness> {
  const model = options.model ?? (await startFakeModel(options.script ?? []));
  if (options.model && options.script) model.enqueue(...options.script);
  const projectDir = await mkdtemp(join(tmpdir(), "ocsdk-project-"));
  let server: RunningServer | undefined;
  try {
    await initGitProject(projectDir, options.files);

    const config = { ...fakeModelConfig(model), ...options.config };
    server = await spawnServer({
      config,
      cwd: projectDir,
      ...(options.dataDir ? { isolated: options.dataDir } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.binary ? { binary: options.binary } : {}),
      ...(options.port ? { port: options.port } : {}),
    });
    const client = createOpencodeClient({
      baseUrl: server.url,
      password: server.password,
      directory: projectDir,
      logLevel: "off",
    });
    const running = server;
    const close = async () => {
      await running.close();
      if (!options.model) await model.close();
      await rm(projectDir, { recursive: true, force: true });
    };
    return {
      server: running,
      client,
      model,
      projectDir,
      modelRef: { ...FAKE_MODEL_REF },
      config,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await server?.close();
    if (!options.model) await model.close();
    await rm(projectDir, { recursive: true, force: true });
    throw error;
  }
}
