/** Attach mode: connect to a server someone else started, and check that it speaks our spec. */
import { type ClientOptions, createOpencodeClient, type OpencodeClient } from "../client.js";
import { SPEC_SERVER_VERSION } from "../core/operations.gen.js";

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
}

/**
 * Connects to a running server (auth and URL as for {@link createOpencodeClient}), checks its health
 * and warns through the client's logger when its version differs from the spec's: routes and event
 * shapes may then differ from this SDK's types.
 *
 * @example
 * ```ts
 * const { client, version } = await attachServer({ baseUrl: "http://127.0.0.1:4096", password: process.env.PW });
 * console.log(`attached to opencode ${version}`);
 * ```
 */
export async function attachServer(options: AttachServerOptions = {}): Promise<AttachedServer> {
  const { expectedVersion = SPEC_SERVER_VERSION, signal, ...clientOptions } = options;
  const client = createOpencodeClient(clientOptions);
  const health = await client.global.health(signal ? { signal } : undefined);
  const version = health.version;
  const versionMatches = version === expectedVersion;
  if (!versionMatches) {
    client.logger.warn(
      `server at ${client.baseUrl} is opencode ${version}, this SDK was generated for ${expectedVersion}: some calls or events may not match their types`,
    );
  }
  return { client, version, versionMatches };
}
