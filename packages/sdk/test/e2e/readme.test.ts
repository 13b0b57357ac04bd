/**
 * Runs every code block of the SDK README (and of docs/guide-mapping.md) as it is written, each in
 * its own Node process with the `@ocsdk/*` imports pointed at this repository's sources. Blocks that
 * attach get the real pinned server with the fake model (OPENCODE_BASE_URL); the provider block gets
 * a fake OpenAI-compatible endpoint (LLM_BASE_URL). A block that stops compiling or working, or that
 * leaves a handle open so its process cannot exit by itself, fails here; so does a block no test runs.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SPEC_SERVER_VERSION, SUPPORTED_SERVERS } from "@ocsdk/sdk";
import { type FakeModel, loadSpec, type OpencodeHarness, startFakeModel, startOpencodeHarness } from "@ocsdk/testing";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const file = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const README = file("../../README.md");
const GUIDE = file("../../../../docs/guide-mapping.md");
const TSX = file("../../../../node_modules/tsx/dist/loader.mjs");
const REGISTER = file("../../../test-kit/src/register-sources.mjs");

interface Block {
  lang: string;
  tag: string;
  code: string;
}
async function blocks(path: string): Promise<Block[]> {
  const text = await readFile(path, "utf8");
  return [...text.matchAll(/```(\w+)(?: ([\w.-]+))?\n([\s\S]*?)```/g)].map((m) => ({
    lang: m[1] ?? "",
    tag: m[2] ?? "",
    code: m[3] ?? "",
  }));
}

let dir: string;
let harness: OpencodeHarness;
let provider: FakeModel;
const executed = new Set<string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ocsdk-readme-"));
  // bash asks, so the policy block has something to decide.
  harness = await startOpencodeHarness({ config: { permission: { bash: "ask" } } });
  provider = await startFakeModel();
});
afterAll(async () => {
  await harness?.close();
  await provider?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs a block; it must exit on its own (no timers, sockets or children left) within the bound. */
async function execute(tag: string, path = README): Promise<string> {
  const block = (await blocks(path)).find((b) => b.tag === tag);
  if (!block) throw new Error(`${path} has no \`\`\`ts ${tag} block`);
  executed.add(`${path}#${tag}`);
  const source = join(dir, `${tag}.mts`);
  await writeFile(source, block.code);
  const env = {
    ...process.env,
    NODE_OPTIONS: "",
    OPENCODE_SDK_LOG: "error",
    OPENCODE_BASE_URL: harness.server.url,
    OPENCODE_SERVER_PASSWORD: harness.server.password ?? "",
    LLM_BASE_URL: provider.url,
  };
  const { stdout } = await run(process.execPath, ["--import", TSX, "--import", REGISTER, source], {
    env,
    cwd: dir,
    timeout: 90_000,
    killSignal: "SIGKILL",
  });
  return stdout;
}

describe("SDK README", () => {
  it("install: names this package and the optional server package", async () => {
    const install = (await blocks(README)).find((b) => b.tag === "install");
    const sdk = JSON.parse(await readFile(file("../../package.json"), "utf8"));
    expect(install?.code).toContain(`npm install ${sdk.name}\n`);
    expect(install?.code).toContain("npm install opencode-ai");
    // The server package is the user's choice (spawnServer finds the project's copy), never forced on them.
    expect(Object.keys({ ...sdk.dependencies, ...sdk.peerDependencies })).not.toContain("opencode-ai");
    executed.add(`${README}#install`);
  });

  it("quickstart: spawns, calls, and exits by itself", async () => {
    const out = (await execute("quickstart")).trim().split("\n");
    expect(out[0]).toBe(`opencode ${SPEC_SERVER_VERSION} is up`);
    expect(out[1]).toContain("renamed");
    expect(out[2]).toBe("200");
    expect(out[3]).toMatch(/^gone: 404 /);
  });

  it("attach: reports the version of a running server", async () => {
    const out = (await execute("attach")).trim().split("\n");
    expect(out[0]).toBe(`attached to opencode ${SPEC_SERVER_VERSION}`);
    expect(out[1]).toMatch(/^\d+ sessions$/);
    expect(out[2]).toBe(`opencode ${SPEC_SERVER_VERSION} is supported (${SUPPORTED_SERVERS})`);
  });

  it("opencode.json: a valid opencode config whose model names its provider block", async () => {
    const block = (await blocks(README)).find((b) => b.tag === "opencode.json");
    const config = JSON.parse(block?.code ?? "null");
    const spec = JSON.parse(JSON.stringify(loadSpec()).replaceAll('"#/components/', '"spec#/components/'));
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
    ajv.addSchema(spec, "spec");
    const validate = ajv.compile({ $ref: "spec#/components/schemas/Config" });
    expect(validate(config), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const [providerID, modelID] = String(config.model).split("/");
    expect(config.provider[providerID as string].models[modelID as string]).toBeDefined();
    executed.add(`${README}#opencode.json`);
  });

  it("prompt: a custom OpenAI-compatible provider streams the answer", async () => {
    provider.enqueue({ text: ["This ", "repository ", "is ", "an ", "SDK."] });
    const out = await execute("prompt");
    expect(out).toContain("This repository is an SDK.\nfinal: This repository is an SDK.");
    const agent = provider.requests.filter((r) => (r.tools?.length ?? 0) > 0);
    expect(agent.at(-1)?.model).toBe("my-model");
  });

  it("errors: each error path is its typed class with the route in the message", async () => {
    const out = (await execute("errors")).trim().split("\n");
    expect(out[0]).toBe("NotFoundError: GET /session/ses_missing → 404: Session not found");
    expect(out[1]).toMatch(/^RateLimitError: GET \/session → 429/);
    expect(out[2]).toMatch(/^APITimeoutError: /);
    expect(out[3]).toMatch(/^ValidationError: /);
    expect(out[4]).toMatch(/^BadRequestError: POST \/session\/ses_1\/prompt_async → 400: request\.body\.parts: /);
    expect(out[5]).toBe("APIConnectionError, never sent: true");
  });

  it("events: a subscriber sees the session it created and renamed", async () => {
    const out = (await execute("events")).trim().split("\n");
    expect(out).toContain("stream open");
    expect(out).toContain("session.created: watched");
    expect(out.filter((l) => l.startsWith("session.")).at(-1)).toBe("session.updated: renamed");
    expect(out.find((l) => l.startsWith("listened: "))).toMatch(/renamed$/);
    expect(out.at(-1)).toBe("stream closed");
  });

  it("seed-events: a prompt in the guide's vocabulary", async () => {
    harness.model.enqueue({ text: ["Hello", " there"] });
    const lines = (await execute("seed-events")).trim().split("\n");
    const names = lines.map((l) => l.split(" ")[0]);
    expect(names[0]).toBe("message.start");
    expect(names.filter((n) => n === "message.chunk")).toHaveLength(2);
    expect(names.at(-1)).toBe("message.end");
    const chunks = lines.filter((l) => l.startsWith("message.chunk")).map((l) => JSON.parse(l.slice(14)).content);
    expect(chunks.join("")).toBe("Hello there");
  });

  it("logging: opt-in logger and metrics count the call", async () => {
    const out = (await execute("logging")).trim().split("\n");
    expect(out.at(-1)).toBe("1");
  });

  it("permission-policy: the policy allows ls and the tool runs", async () => {
    harness.model.enqueue(
      { toolCalls: [{ name: "bash", arguments: { command: "ls", description: "list files" } }] },
      { text: "Listed." },
    );
    const out = (await execute("permission-policy")).trim().split("\n");
    expect(out).toContain("asked: bash ls");
    expect(out).toContain("ran: ls");
    expect(out.at(-1)).toBe("once by bash:ls*");
  });

  it("permission-by-hand: oc.permission.reply answers the handle's permission.asked and the tool runs", async () => {
    harness.model.enqueue(
      { toolCalls: [{ name: "bash", arguments: { command: "ls", description: "list files" } }] },
      { text: "Listed." },
    );
    const out = (await execute("permission-by-hand")).trim().split("\n");
    expect(out).toContain("once: bash ls");
    expect(out).toContain("ran: ls");
  });

  it("test-server: a server spawned with the test-setup variables answers", async () => {
    expect((await execute("test-server")).trim()).toBe("healthy: true");
  });

  it("commonjs: the node16 CommonJS workaround (type-only import, import()) connects", async () => {
    // Its types are checked under module node16 in a CommonJS package by runtimes/test/packaging.test.ts.
    expect((await execute("commonjs")).trim()).toBe("healthy: true");
  });

  it("every block of the README is run by a test above", async () => {
    const all = (await blocks(README)).map((b) => `${README}#${b.tag}`);
    expect(all.filter((b) => b.endsWith("#"))).toEqual([]);
    expect(all.filter((b) => !executed.has(b))).toEqual([]);
  });
});

describe("docs/guide-mapping.md", () => {
  it("every row of the guide mapping runs against the real server", async () => {
    const lines = (await execute("seed-mapping", GUIDE)).trim().split("\n");
    const result = JSON.parse(lines.at(-1) ?? "{}");
    expect(result).toMatchObject({
      version: SPEC_SERVER_VERSION,
      configured: true,
      listed: true,
      same: true,
      sentRole: "user",
      streamed: true,
      openapi: "3.1.0",
    });
    expect(typeof result.worktree).toBe("string");
    expect(typeof result.directory).toBe("string");
    expect(typeof result.providers).toBe("number");
    const all = (await blocks(GUIDE)).map((b) => `${GUIDE}#${b.tag}`);
    expect(all.filter((b) => !executed.has(b))).toEqual([]);
  });
});
