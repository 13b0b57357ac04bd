import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SPEC_PATH = join(ROOT, "openapi", "opencode.openapi.json");
export const CLIENT_DIR = join(ROOT, "packages", "client");
export const GENERATED_DIR = join(CLIENT_DIR, "src", "generated");

/** The pinned server version: read from the one place it is written (root devDependencies). */
export function pinnedServerVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  const version = pkg.devDependencies["opencode-ai"];
  if (!version) throw new Error("opencode-ai is not pinned in package.json devDependencies");
  return version;
}

/**
 * Runs a TypeScript script in this Node binary with tsx as a loader (`node --import tsx`), never
 * through the tsx CLI: the CLI relays a signal to its child and SIGKILLs it when the child takes
 * longer than 30 ms to answer (a busy machine), and a SIGKILLed script orphans the servers it
 * started, which lead their own process groups. `root`: the checkout whose tsx loads the script
 * (default: this one).
 *
 * @example
 * ```ts
 * const [cmd, args] = tsNode(join(ROOT, "scripts", "pull-spec.ts"), ["--out", "x.json"]);
 * spawn(cmd, args);
 * ```
 */
export function tsNode(script: string, args: string[] = [], root = ROOT): [string, string[]] {
  const loader = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
  return [process.execPath, ["--import", loader, script, ...args]];
}

/**
 * Refreshes @ocsdk/testing's copies of the spec and the SSE fixtures from their one home (the copies are
 * build artifacts, not committed): every script that writes the originals calls it. `root`: the
 * checkout to refresh (default: this one).
 *
 * @example
 * ```ts
 * syncTestingAssets();
 * ```
 */
export function syncTestingAssets(root = ROOT): void {
  execFileSync(process.execPath, [join(root, "packages", "testing", "scripts", "sync-assets.mjs")], { stdio: "inherit" });
}
