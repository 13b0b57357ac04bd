import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { closedLoopbackUrl, closeServer, listenLoopback, listOpencodeProcesses } from "@ocsdk/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerStartError, spawnServer } from "../../packages/sdk/src/server/spawn.ts";
import { GENERATED_DIR, ROOT, SPEC_PATH, tsNode } from "../lib/paths.ts";
import { pullSpec } from "../lib/pull.ts";
import { fetchSpec, normalizeSpec, parseSpec, SERVER_VERSION_KEY, summarize } from "../lib/spec.ts";

// Every opencode process started from this file (directly or by a CLI child) inherits this marker.
const MARKER = `ocsdk-pipeline-${randomUUID()}`;
process.env.OCSDK_TEST_MARKER = MARKER;

const execFileP = promisify(execFile);

/** Runs a pipeline script; resolves with its exit code and output (never rejects on exit code). */
async function runScript(script: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await execFileP(...tsNode(join(ROOT, "scripts", script), args), {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ocsdk-pipeline-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("spec parsing and normalization", () => {
  it("rejects text that is not JSON, naming the source", () => {
    expect(() => parseSpec("<html>nope</html>", "x.json")).toThrow(/x\.json is not JSON/);
  });

  it("rejects JSON that is not OpenAPI 3.1", () => {
    expect(() => parseSpec(JSON.stringify({ openapi: "3.0.3", info: {}, paths: {} }), "s")).toThrow(
      /not an OpenAPI 3\.1 document \(openapi: "3\.0\.3"\)/,
    );
    expect(() => parseSpec(JSON.stringify({ swagger: "2.0" }), "s")).toThrow(/not an OpenAPI 3\.1/);
    expect(() => parseSpec("[1]", "s")).toThrow(/not a JSON object/);
    expect(() => parseSpec(JSON.stringify({ openapi: "3.1.0", info: {} }), "s")).toThrow(/no paths/);
  });

  it("normalizes to sorted keys, records the server version, and is byte-stable", () => {
    const a = parseSpec(
      JSON.stringify({ paths: { "/b": {}, "/a": {} }, openapi: "3.1.0", info: { version: "1", title: "t" } }),
      "a",
    );
    const b = parseSpec(
      JSON.stringify({ info: { title: "t", version: "1" }, openapi: "3.1.0", paths: { "/a": {}, "/b": {} } }),
      "b",
    );
    const text = normalizeSpec(a, "9.9.9");
    expect(text).toBe(normalizeSpec(b, "9.9.9"));
    expect(text.endsWith("}\n")).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual(["info", "openapi", "paths"]);
    expect(JSON.parse(text).info[SERVER_VERSION_KEY]).toBe("9.9.9");
  });
});

describe("fetchSpec error reporting", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/html/doc") {
        res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><p>docs</p>");
      } else if (req.url === "/auth/doc") {
        res.writeHead(401).end("Unauthorized");
      } else if (req.url === "/v30/doc") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ openapi: "3.0.0", info: {}, paths: {} }));
      } else {
        res.writeHead(503).end("maintenance");
      }
    });
    base = await listenLoopback(server);
  });
  afterAll(async () => {
    await closeServer(server);
  });

  it("names 401 and says a password is needed", async () => {
    await expect(fetchSpec(`${base}/auth`)).rejects.toThrow(/answered 401 Unauthorized: the server needs a password/);
    await expect(fetchSpec(`${base}/auth`, { password: "x" })).rejects.toThrow(/401 Unauthorized: the password was rejected/);
  });

  it("reports non-200 with status and body", async () => {
    await expect(fetchSpec(`${base}/down`)).rejects.toThrow(/answered 503 .*maintenance/);
  });

  it("reports non-JSON and non-3.1 documents", async () => {
    await expect(fetchSpec(`${base}/html`)).rejects.toThrow(/is not JSON/);
    await expect(fetchSpec(`${base}/v30`)).rejects.toThrow(/not an OpenAPI 3\.1 document/);
  });

  it("reports a refused connection", async () => {
    await expect(fetchSpec(await closedLoopbackUrl())).rejects.toThrow(/failed: ECONNREFUSED/);
  });
});

describe("pull from the real pinned server", () => {
  it("pulls with auth on and reproduces the committed spec byte for byte", async () => {
    const pulled = await pullSpec({ kind: "embedded" });
    const text = normalizeSpec(pulled.doc, pulled.serverVersion);
    const s = summarize(JSON.parse(text));
    expect(s.operations).toBe(188);
    expect(s.schemas).toBe(472);
    expect(s.serverVersion).toBe("1.18.33");
    expect(text).toBe(await readFile(SPEC_PATH, "utf8"));
  });

  it("--url with a wrong password fails with an error naming 401", async () => {
    await using server = await spawnServer();
    const out = join(tmp, "wrong-password.json");
    const result = await runScript("pull-spec.ts", ["--url", server.url, "--out", out], {
      OPENCODE_SERVER_PASSWORD: "definitely-wrong",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error: GET http:\/\/127\.0\.0\.1:\d+\/doc answered 401 Unauthorized: the password was rejected/,
    );
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it("--url with the right password writes the same bytes as the embedded pull", async () => {
    await using server = await spawnServer();
    // The marker scan must see a live server, or the cleanup checks below would prove nothing.
    expect(await listOpencodeProcesses(MARKER)).toContain(server.pid);
    const out = join(tmp, "url.json");
    const result = await runScript("pull-spec.ts", ["--url", server.url, "--out", out], {
      OPENCODE_SERVER_PASSWORD: server.password as string,
    });
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/188 operations, 472 schemas/);
    expect(await readFile(out, "utf8")).toBe(await readFile(SPEC_PATH, "utf8"));
  });

  it("Ctrl-C during a pull stops the server it started", async () => {
    const child = spawn(...tsNode(join(ROOT, "scripts", "pull-spec.ts"), ["--out", join(tmp, "interrupted.json")]), {
      cwd: ROOT,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const listening = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no server start seen: ${stderr}`)), 60_000);
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (/listening on/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // Interrupt as soon as the server is up, before the pull can finish on its own.
    const onData = () => {
      if (/listening on/.test(stderr)) child.kill("SIGINT");
    };
    child.stderr.on("data", onData);
    await listening;
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on("exit", (c, s) => r([c, s])));
    expect(code === 0 ? "finished before the interrupt" : "interrupted").toBe("interrupted");
    expect(signal ?? code).toBeTruthy();
    // The process group of the server must be gone.
    await expect.poll(() => listOpencodeProcesses(MARKER), { timeout: 60_000 }).toEqual([]);
  });
});

describe("--file", () => {
  it("gives a clear error for a missing file", async () => {
    const r = await runScript("pull-spec.ts", ["--file", join(tmp, "missing.json"), "--out", join(tmp, "o.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: cannot read spec file .*missing\.json: ENOENT/);
  });

  it("gives a clear error for a file that is not an OpenAPI 3.1 JSON document", async () => {
    const bad = join(tmp, "bad.json");
    await writeFile(bad, "openapi: 3.1.0\n");
    const r = await runScript("pull-spec.ts", ["--file", bad, "--out", join(tmp, "o.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: .*bad\.json is not JSON/);
  });

  it("rejects unknown arguments and a flag without a value", async () => {
    expect((await runScript("pull-spec.ts", ["--frobnicate"])).stderr).toMatch(/unknown argument\(s\): --frobnicate/);
    expect((await runScript("pull-spec.ts", ["--url"])).stderr).toMatch(/--url needs a value/);
  });

  it("round-trips the committed spec", async () => {
    const out = join(tmp, "roundtrip.json");
    const r = await runScript("pull-spec.ts", ["--file", SPEC_PATH, "--out", out]);
    expect(r.code).toBe(0);
    expect(await readFile(out, "utf8")).toBe(await readFile(SPEC_PATH, "utf8"));
  });
});

describe("server start failures", () => {
  it("carry the server's own output", async () => {
    const fake = join(tmp, "fake-opencode.sh");
    await writeFile(fake, "#!/bin/sh\necho 'config error: bad provider block' >&2\nexit 3\n");
    await chmod(fake, 0o755);
    const error = await spawnServer({ binary: fake }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerStartError);
    expect((error as ServerStartError).message).toMatch(/exited \(code 3\) before listening/);
    expect((error as ServerStartError).output).toMatch(/config error: bad provider block/);
    expect((error as ServerStartError).message).toMatch(/config error: bad provider block/);
  });

  it("report a binary that does not exist", async () => {
    await expect(spawnServer({ binary: join(tmp, "nope") })).rejects.toThrow(/could not run opencode: spawn .* ENOENT/);
  });
});

describe("check:generated", () => {
  it("passes on the committed tree", async () => {
    const r = await runScript("check-generated.ts", []);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
  });

  it("fails when one generated byte changes", async () => {
    const copy = join(tmp, "generated-copy");
    await cp(GENERATED_DIR, copy, { recursive: true });
    const file = join(copy, "sdk.gen.ts");
    const text = await readFile(file, "utf8");
    const at = text.indexOf("/session/{sessionID}/abort");
    expect(at).toBeGreaterThan(0);
    // One byte: "abort" → "abore".
    const i = at + "/session/{sessionID}/abor".length;
    await writeFile(file, `${text.slice(0, i)}e${text.slice(i + 1)}`);
    const r = await runScript("check-generated.ts", ["--generated", copy]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/generated file differs: sdk\.gen\.ts/);
  });

  it("fails when one byte of the SDK's operation table changes", async () => {
    const copy = join(tmp, "operations.gen.ts");
    const text = await readFile(join(ROOT, "packages", "sdk", "src", "generated", "operations.gen.ts"), "utf8");
    const at = text.indexOf("vcs.diff.raw GET /vcs/diff/raw q text text/x-diff");
    expect(at).toBeGreaterThan(0);
    // One byte of the Accept column: "text/x-diff" → "text/x-difg".
    const i = at + "vcs.diff.raw GET /vcs/diff/raw q text text/x-dif".length;
    await writeFile(copy, `${text.slice(0, i)}g${text.slice(i + 1)}`);
    const r = await runScript("check-generated.ts", ["--operations", copy]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/generated file differs: .*operations\.gen\.ts/);
  });

  it("fails when the spec is not in normalized form", async () => {
    const spec = join(tmp, "unsorted.json");
    await writeFile(spec, JSON.stringify(JSON.parse(await readFile(SPEC_PATH, "utf8"))));
    const r = await runScript("check-generated.ts", ["--spec", spec]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not in normalized form/);
  });
});

describe("build", () => {
  it("an unchanged second build is a full turbo cache hit", async () => {
    // turbo looks for the package manager on PATH; the workspace ships its own pnpm.
    const env = {
      ...process.env,
      TURBO_TELEMETRY_DISABLED: "1",
      PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
    };
    const turbo = join(ROOT, "node_modules", ".bin", "turbo");
    await execFileP(turbo, ["run", "build", "--output-logs=errors-only"], { cwd: ROOT, env, timeout: 120_000 });
    const { stdout } = await execFileP(turbo, ["run", "build", "--dry=json"], { cwd: ROOT, env, maxBuffer: 16 << 20 });
    const tasks = (JSON.parse(stdout) as { tasks: { taskId: string; command: string; cache: { status: string } }[] }).tasks
      // Packages without a build script show up with a placeholder command and never run.
      .filter((t) => t.command !== "<NONEXISTENT>");
    expect(tasks.map((t) => t.taskId).sort()).toEqual(["@ocsdk/client#build", "@ocsdk/sdk#build", "@ocsdk/testing#build"]);
    expect(tasks.map((t) => `${t.taskId}:${t.cache.status}`)).toEqual(tasks.map((t) => `${t.taskId}:HIT`));
  });
});

describe("cleanup", () => {
  // Runs last in this file (tests in a file run in order).
  it("leaves no opencode process behind", async () => {
    await expect.poll(() => listOpencodeProcesses(MARKER), { timeout: 60_000 }).toEqual([]);
  });
});
