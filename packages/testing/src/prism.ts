/**
 * Starting `@stoplight/prism-cli` (a mock or a validating proxy of an OpenAPI document) on a
 * free loopback port. Used by the contract tests (mock) and by conformance runs (proxy in front
 * of a real opencode server).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { onProcessEnd } from "./process-end.js";

/** Options for {@link startPrism}. */
export interface StartPrismOptions {
  /** Path (or URL) of the OpenAPI document. */
  specPath: string;
  /** `mock` answers from the document; `proxy` forwards to `upstream` and validates both ways. */
  mode: "mock" | "proxy";
  /** Upstream base URL; required for `proxy`. */
  upstream?: string;
  /** Turn request/response violations into error responses (400/500 + `sl-violations`). */
  errors: boolean;
  /** Mock mode: generate bodies from schemas with json-schema-faker instead of static examples. */
  dynamic?: boolean;
  /** Seed for dynamic generation (repeatable runs). */
  seed?: string;
  /** Give up waiting for "listening" after this long (default 60 s). */
  startTimeoutMs?: number;
  /** Extra CLI arguments. */
  extraArgs?: string[];
}

/** A running Prism. Close it with `close()` or `await using`. */
export interface RunningPrism extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** OS process id (also the process group id). */
  readonly pid: number;
  /** Last lines Prism printed (bounded), for diagnostics. */
  output(): string;
  /** Stops the whole process group (SIGTERM, then SIGKILL) and waits for exit. */
  close(): Promise<void>;
}

const OUTPUT_LIMIT = 64_000;

/** Absolute path of the Prism CLI entry point, resolved from this package. */
function prismEntry(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve("@stoplight/prism-cli/package.json");
  const bin = (require(pkgPath) as { bin: Record<string, string> }).bin.prism ?? "dist/index.js";
  return join(dirname(pkgPath), bin);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative pid: the whole group, so Prism's own children (multiprocess mode) go too.
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Starts Prism on `127.0.0.1`, port chosen by the OS, and resolves once it listens.
 * The process runs in its own process group and is killed as a group on `close()`
 * and, as a last resort, when the current process exits or gets SIGINT, SIGTERM or SIGHUP.
 *
 * @example
 * ```ts
 * await using prism = await startPrism({ specPath: "openapi/opencode.openapi.json", mode: "mock", errors: true });
 * const res = await fetch(`${prism.url}/global/health`);
 * ```
 */
export async function startPrism(options: StartPrismOptions): Promise<RunningPrism> {
  const { specPath, mode, upstream, errors } = options;
  if (mode === "proxy" && !upstream) throw new Error("startPrism: mode 'proxy' needs an upstream URL");
  const doc = /^https?:\/\//.test(specPath) ? specPath : resolve(specPath);
  const args = [prismEntry(), mode, doc];
  if (mode === "proxy" && upstream) args.push(upstream);
  // info level is needed: the "listening" line is how we learn the port.
  args.push("--host", "127.0.0.1", "--port", "0", "--errors", String(errors), "-v", "info");
  if (mode === "mock" && options.dynamic) args.push("--dynamic");
  if (options.seed !== undefined) args.push("--seed", options.seed);
  args.push(...(options.extraArgs ?? []));

  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  let out = "";
  const append = (chunk: Buffer) => {
    out += chunk.toString("utf8");
    if (out.length > OUTPUT_LIMIT) out = out.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);

  // Prism leads its own process group: a signal that ends this process never reaches it.
  const forget = onProcessEnd(() => killGroup(child, "SIGKILL"));
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  let alive = true;
  child.once("exit", () => {
    alive = false;
    forget();
  });

  const close = async () => {
    if (!alive) return;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  try {
    const url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`Prism did not start within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          child.stdout?.removeListener("data", check);
          res(m[1]);
        }
      };
      child.stdout?.on("data", check);
      child.once("exit", (code) => {
        clearTimeout(timer);
        rej(new Error(`Prism exited (code ${code}) before listening`));
      });
      check();
    });
    return {
      url,
      pid: child.pid ?? -1,
      output: () => out,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw new Error(`${(error as Error).message}\n--- prism output ---\n${out.slice(-4000)}`);
  }
}
