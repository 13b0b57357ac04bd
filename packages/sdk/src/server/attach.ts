/** Attach mode: connect to a server someone else started, and check that it speaks our spec. */
import { type ClientOptions, createOpencodeClient, type OpencodeClient } from "../client.js";
import { consoleLogger } from "../core/logger.js";
import { OPERATIONS, SPEC_SERVER_VERSION } from "../generated/operations.gen.js";
import { describeServerVersion, rememberServerSupport, type ServerSupport } from "./support.js";

/** Options of {@link attachServer}: the client's, plus the version the SDK expects. */
export interface AttachServerOptions extends ClientOptions {
  /** Server version the SDK was generated against (default: the spec's). */
  expectedVersion?: string;
  /** Aborts the health check. */
  signal?: AbortSignal;
}

/** A server attached to: its client and what its health route reported. */
export interface AttachedServer {
  readonly client: OpencodeClient;
  /** Version the server reports. */
  readonly version: string;
  /** Whether it equals the expected version. On a mismatch a warning was logged. */
  readonly versionMatches: boolean;
  /** How the versions differ (semver): `"none"`, `"patch"`, `"minor"`, `"major"`, or `"unknown"` (not semver). */
  readonly versionDifference: VersionDifference;
  /**
   * On a version mismatch: operations of this SDK the server's `/doc` lacks, and ones it has that
   * this SDK does not know (`undefined` when the versions match or `/doc` could not be read).
   */
  readonly specDifference?: { missing: string[]; added: string[] };
  /**
   * Whether the version is in the supported range (`SUPPORTED_SERVERS`) and what degrades on it; also
   * `client.serverSupport()`. Outside the range, or with something degraded, the warning says so.
   */
  readonly support: ServerSupport;
}

/** How two server versions differ, by semver. */
export type VersionDifference = "none" | "patch" | "minor" | "major" | "unknown";

/**
 * The semver level at which `actual` differs from `expected` (prerelease tags count as a patch).
 *
 * @example
 * ```ts
 * compareServerVersions("1.18.32", "1.18.33"); // "patch"
 * compareServerVersions("2.0.0", "1.18.33"); // "major"
 * ```
 */
export function compareServerVersions(actual: string, expected: string): VersionDifference {
  if (actual === expected) return "none";
  const parse = (v: string) => /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(v.trim());
  const a = parse(actual);
  const e = parse(expected);
  if (!a || !e) return "unknown";
  if (a[1] !== e[1]) return "major";
  if (a[2] !== e[2]) return "minor";
  return "patch";
}

const MEANING: Record<Exclude<VersionDifference, "none">, string> = {
  patch: "a patch difference (usually the same routes and shapes)",
  minor: "a minor difference (routes or fields may have been added)",
  major: "a major difference (routes or shapes may have been removed or changed)",
  unknown: "a version that is not semver",
};

/** Operations (`METHOD /path`) of a spec document; path parameter names blanked so renames still match. */
function specOperations(doc: unknown): Set<string> {
  const out = new Set<string>();
  const paths = (doc as { paths?: Record<string, Record<string, unknown>> } | undefined)?.paths ?? {};
  for (const [path, item] of Object.entries(paths)) {
    for (const method of ["get", "put", "post", "delete", "patch", "head", "options"]) {
      if (item && typeof item === "object" && method in item)
        out.add(`${method.toUpperCase()} ${path.replace(/\{[^}]*\}/g, "{}")}`);
    }
  }
  return out;
}

function newer(a: string, b: string): boolean {
  const nums = (v: string) => (v.match(/\d+/g) ?? []).slice(0, 3).map(Number);
  const [x, y] = [nums(a), nums(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
}

/**
 * Connects to a running server (auth and URL as for {@link createOpencodeClient}), checks its health
 * and warns (once) through the client's logger when its version differs from the spec's, saying at
 * which semver level (patch/minor/major), whether the server's own spec (`/doc`) has other
 * operations, and, outside the supported range or where something degrades, what.
 *
 * @example
 * ```ts
 * const { client, version } = await attachServer({ baseUrl: "http://127.0.0.1:4096", password: process.env.PW });
 * console.log(`attached to opencode ${version}`);
 * ```
 */
export async function attachServer(options: AttachServerOptions = {}): Promise<AttachedServer> {
  const { expectedVersion = SPEC_SERVER_VERSION, signal, ...clientOptions } = options;
  // On Node the version warning goes to the console unless a logger is given.
  const client = createOpencodeClient({ logger: consoleLogger, ...clientOptions });
  const health = await client.global.health(signal ? { signal } : undefined);
  const version = health.version;
  const versionDifference = compareServerVersions(version, expectedVersion);
  const versionMatches = versionDifference === "none";
  const support = describeServerVersion(version);
  // One warning, this one: the client does not warn again about the range.
  rememberServerSupport(client, support);
  const range = support.inRange && support.notes.length === 0 ? "" : `; ${support.summary}`;
  if (versionMatches) {
    if (range) client.logger.warn(`server at ${client.baseUrl}${range}`);
    return { client, version, versionMatches, versionDifference, support };
  }
  // Only on a mismatch: is it just the number, or does the server serve other routes?
  let specDifference: { missing: string[]; added: string[] } | undefined;
  try {
    const res = await client.rawRequest("/doc", signal ? { signal } : {});
    const served = specOperations(await res.json());
    const known = new Set(Object.values(OPERATIONS).map((op) => `${op.method} ${op.path.replace(/\{[^}]*\}/g, "{}")}`));
    specDifference = {
      missing: [...known].filter((o) => !served.has(o)).sort(),
      added: [...served].filter((o) => !known.has(o)).sort(),
    };
  } catch {
    /* no /doc: say so below */
  }
  const direction = versionDifference === "unknown" ? "" : ` (${newer(version, expectedVersion) ? "newer" : "older"})`;
  const spec = !specDifference
    ? "its spec could not be read from /doc"
    : specDifference.missing.length + specDifference.added.length === 0
      ? "its spec has the same operations"
      : `its spec differs: ${specDifference.missing.length} operation(s) of this SDK missing${
          specDifference.missing.length
            ? ` (${specDifference.missing.slice(0, 3).join(", ")}${specDifference.missing.length > 3 ? ", …" : ""})`
            : ""
        }, ${specDifference.added.length} unknown to it`;
  client.logger.warn(
    `server at ${client.baseUrl} is opencode ${version}, this SDK was generated for ${expectedVersion}: ${MEANING[versionDifference]}${direction}; ${spec}${range}`,
  );
  return { client, version, versionMatches, versionDifference, support, ...(specDifference ? { specDifference } : {}) };
}
