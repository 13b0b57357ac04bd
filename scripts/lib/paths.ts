import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
