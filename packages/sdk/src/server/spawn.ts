/**
 * Spawning a local `opencode serve` process.
 *
 * This module deliberately depends only on Node built-ins: the spec pipeline
 * uses it to start the pinned server before any client code exists.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { ServerStartError } from "../core/errors.js";

/** Options for {@link spawnServer}. */
export interface SpawnServerOptions {
  /**
   * Which opencode binary to run: an explicit path, or `"pinned"` (the `opencode-ai`
   * package resolvable from this module, the default), or `"path"` (look up `opencode` on PATH).
   */
  binary?: string | "pinned" | "path";
  /** Hostname to bind. Defaults to `127.0.0.1`: never expose a dev server by accident. */
  hostname?: string;
  /**
   * Port. Default: a free ephemeral port, picked by the OS for this server (never opencode's own
   * default 4096, which `opencode serve --port 0` takes whenever it is free: an SDK-started server must
   * not squat on the port the user's own `opencode serve` wants). `0` passes `--port 0` to opencode.
   */
  port?: number;
  /** Server password. Defaults to a random one; `false` starts an unsecured server. */
  password?: string | false;
  /** Inline opencode configuration, passed as `OPENCODE_CONFIG_CONTENT`. */
  config?: Record<string, unknown>;
  /**
   * Isolated HOME/XDG directories: `true` (default) makes a temp dir removed on close,
   * a string uses that directory (kept on close), `false` uses the caller's own.
   */
  isolated?: boolean | string;
  /** Working directory of the server (the project it serves). */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string | undefined>;
  /** Extra CLI arguments. Defaults to `["--pure"]` (no external plugins). */
  extraArgs?: string[];
  /** How long to wait for the server to listen and answer its health check (default 60 s: opencode takes 20 s and more to start on a loaded machine). */
  startTimeoutMs?: number;
  /** Aborts the start. */
  signal?: AbortSignal;
}

/** A running opencode server. Close it with `close()` or `await using`. */
export interface RunningServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** The password (undefined when started unsecured). */
  readonly password: string | undefined;
  /** Username for Basic auth. */
  readonly username: string;
  /** Server version from its health route. */
  readonly version: string;
  /** OS process id of the server. */
  readonly pid: number;
  /** Root of the isolated HOME/XDG directories, if any. */
  readonly dataDir: string | undefined;
  /** Everything the server printed so far (stdout and stderr, interleaved). */
  output(): string;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for exit. */
  close(): Promise<void>;
}

/** Raised when the server cannot be started (defined with every other error in core/errors.ts). */
export { ServerStartError };

const LISTENING = /listening on (https?:\/\/\S+)/;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every server this process started: an exiting parent must never leave orphans. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const child of live) killTree(child, "SIGKILL");
  };
  // First in line: a runner's own handler (vitest's) may call process.exit() at once, and an `exit`
  // listener that exits again skips the listeners after it.
  process.prependOnceListener("exit", killAll);
  // The server leads its own process group, so a terminal's Ctrl-C does not reach it.
  // Kill it, then re-raise the signal so default handling (or the app's own) still applies.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      killAll();
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.prependListener(signal, onSignal);
  }
}

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // detached: the server leads its own process group, so this reaches its children too.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Resolves the opencode executable for a {@link SpawnServerOptions.binary} choice. For `"pinned"`,
 * `OCSDK_OPENCODE_BINARY` (a path) wins; else the `opencode-ai` package the project at `projectDir`
 * (default: the current directory) installed, else the one resolvable from this module.
 *
 * @example
 * ```ts
 * const bin = resolveOpencodeBinary("pinned"); // …/node_modules/opencode-ai/bin/opencode.exe
 * ```
 */
export function resolveOpencodeBinary(choice: SpawnServerOptions["binary"] = "pinned", projectDir = process.cwd()): string {
  if (choice === "path") {
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
      const candidate = join(dir, process.platform === "win32" ? "opencode.exe" : "opencode");
      if (dir && existsSync(candidate)) return candidate;
    }
    throw new ServerStartError("opencode was not found on PATH", "");
  }
  if (choice !== "pinned") return choice;
  // Lets a tool (upgrade-server) stand in another version for "the pinned one".
  const override = process.env.OCSDK_OPENCODE_BINARY;
  if (override) return override;
  // The project's own install is the pin (a monorepo root's devDependency, an app's dependency);
  // resolving from this module first could find a stale copy next to the SDK package.
  let pkgJson: string | undefined;
  for (const from of [join(projectDir, "package.json"), import.meta.url]) {
    try {
      pkgJson = createRequire(from).resolve("opencode-ai/package.json");
      break;
    } catch {
      /* try the next place */
    }
  }
  if (!pkgJson) {
    throw new ServerStartError(
      "the opencode-ai package is not installed; install it or pass binary: 'path' or an explicit path",
      "",
    );
  }
  // The package's postinstall places the platform binary here.
  const bin = join(dirname(pkgJson), "bin", "opencode.exe");
  if (!existsSync(bin)) throw new ServerStartError(`opencode binary missing at ${bin} (did its postinstall run?)`, "");
  return bin;
}

/**
 * Starts `opencode serve` on a free loopback port and waits until it is healthy.
 *
 * @example
 * ```ts
 * await using server = await spawnServer({ config: { model: "fake/model" } });
 * console.log(server.url, server.version);
 * ```
 */
export async function spawnServer(options: SpawnServerOptions = {}): Promise<RunningServer> {
  if (options.port !== undefined) return spawnOnce(options, options.port);
  // The port is free when picked, but another process may bind it before opencode does: then
  // opencode exits before listening, and a new pick goes again.
  const hostname = options.hostname ?? "127.0.0.1";
  for (let attempt = 1; ; attempt++) {
    const port = await probePort(hostname, 0);
    if (port === undefined) throw new ServerStartError(`no free port to bind on ${hostname}`, "");
    try {
      return await spawnOnce(options, port);
    } catch (error) {
      const taken = error instanceof ServerStartError && /before listening/.test(error.message);
      if (!taken || attempt === 3 || (await probePort(hostname, port)) !== undefined) throw error;
    }
  }
}

/** Binds `port` on `hostname` and lets go: the port bound (0 asks the OS for a free one), or undefined when it cannot be bound. */
function probePort(hostname: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(undefined));
    probe.listen(port, hostname, () => {
      const bound = (probe.address() as { port: number }).port;
      probe.close(() => resolve(bound));
    });
  });
}

async function spawnOnce(options: SpawnServerOptions, port: number): Promise<RunningServer> {
  const binary = resolveOpencodeBinary(options.binary);
  const hostname = options.hostname ?? "127.0.0.1";
  const password = options.password === false ? undefined : (options.password ?? randomBytes(24).toString("base64url"));
  const username = "opencode";
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;

  let dataDir: string | undefined;
  let ownsDataDir = false;
  if (options.isolated !== false) {
    if (typeof options.isolated === "string") {
      dataDir = options.isolated;
      await mkdir(dataDir, { recursive: true });
    } else {
      dataDir = await mkdtemp(join(tmpdir(), "opencode-home-"));
      ownsDataDir = true;
    }
  }

  const env: Record<string, string | undefined> = { ...process.env };
  // Never inherit the caller's server credentials or config for a server we own.
  delete env.OPENCODE_SERVER_PASSWORD;
  delete env.OPENCODE_SERVER_USERNAME;
  if (dataDir) {
    Object.assign(env, {
      HOME: dataDir,
      XDG_CONFIG_HOME: join(dataDir, ".config"),
      XDG_DATA_HOME: join(dataDir, ".local", "share"),
      XDG_CACHE_HOME: join(dataDir, ".cache"),
      XDG_STATE_HOME: join(dataDir, ".local", "state"),
    });
    delete env.OPENCODE_CONFIG;
    delete env.OPENCODE_CONFIG_DIR;
  }
  if (password !== undefined) env.OPENCODE_SERVER_PASSWORD = password;
  if (options.config) env.OPENCODE_CONFIG_CONTENT = JSON.stringify(options.config);
  Object.assign(env, options.env);

  const args = ["serve", "--port", String(port), "--hostname", hostname, ...(options.extraArgs ?? ["--pure"])];
  const child = spawn(binary, args, {
    cwd: options.cwd,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: process.platform !== "win32",
  });
  installExitHook();
  live.add(child);

  let output = "";
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      live.delete(child);
      resolve();
    });
    // spawn errors (ENOENT, EACCES) surface as 'error' without 'exit'.
    child.once("error", () => {
      live.delete(child);
      resolve();
    });
  });
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });

  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      killTree(child, "SIGTERM");
      const timer = setTimeout(() => killTree(child, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      // Children of the server that outlived it.
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* group already empty */
      }
    } else {
      await exited;
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (ownsDataDir && dataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  };

  try {
    const url = await waitForListening(child, () => output, exited, startTimeoutMs, options.signal);
    const version = await waitForHealth(url, username, password, startTimeoutMs, options.signal);
    const server: RunningServer = {
      url,
      password,
      username,
      version,
      pid: child.pid as number,
      dataDir,
      output: () => output,
      close,
      [Symbol.asyncDispose]: close,
    };
    return server;
  } catch (error) {
    await close();
    if (error instanceof ServerStartError)
      throw new ServerStartError(error.message.split("\n---")[0] ?? "", output, child.exitCode);
    throw error;
  }
}

function waitForListening(
  child: ChildProcess,
  output: () => string,
  exited: Promise<void>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let spawnError: Error | undefined;
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const onData = () => {
      const match = LISTENING.exec(output());
      if (match?.[1]) finish(() => resolve(match[1] as string));
    };
    const onAbort = () => finish(() => reject(signal?.reason ?? new Error("aborted")));
    const timer = setTimeout(
      () => finish(() => reject(new ServerStartError(`opencode did not report a listening address within ${timeoutMs} ms`, ""))),
      timeoutMs,
    );
    child.once("error", (e) => {
      spawnError = e;
    });
    child.stdout?.on("data", onData);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    void exited.then(() =>
      finish(() =>
        reject(
          new ServerStartError(
            spawnError
              ? `could not run opencode: ${spawnError.message}`
              : `opencode exited (code ${child.exitCode ?? child.signalCode}) before listening`,
            "",
            child.exitCode,
          ),
        ),
      ),
    );
  });
}

async function waitForHealth(
  url: string,
  username: string,
  password: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const headers: Record<string, string> = {};
  if (password !== undefined) headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  let last = "";
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    try {
      const res = await fetch(`${url}/global/health`, { headers, signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      if (res.ok) {
        const parsed = JSON.parse(body) as { healthy?: boolean; version?: string };
        if (parsed.healthy) return parsed.version ?? "unknown";
      }
      last = `health answered ${res.status}: ${body.slice(0, 200)}`;
    } catch (error) {
      last = `health check failed: ${(error as Error).message}`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ServerStartError(`opencode did not become healthy within ${timeoutMs} ms (${last})`, "");
}
