/** Pulling the spec from one of three sources: the pinned server, a URL, or a file. */
import { spawnServer } from "../../packages/sdk/src/server/spawn.ts";
import { fetchSpec, type OpenApiDoc, readSpecFile, SERVER_VERSION_KEY, SpecError } from "./spec.ts";

export type SpecSource =
  | { kind: "embedded" }
  | { kind: "url"; url: string; password?: string; username?: string }
  | { kind: "file"; path: string };

export interface PulledSpec {
  doc: OpenApiDoc;
  serverVersion: string | undefined;
  source: string;
}

async function healthVersion(url: string, username: string, password?: string): Promise<string | undefined> {
  const headers: Record<string, string> = {};
  if (password) headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  try {
    const res = await fetch(new URL("global/health", url.endsWith("/") ? url : `${url}/`), {
      headers,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return undefined;
    return ((await res.json()) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export async function pullSpec(source: SpecSource, onServer?: (url: string, version: string) => void): Promise<PulledSpec> {
  switch (source.kind) {
    case "embedded": {
      // The server is closed on every path out, also on Ctrl-C (see installSignalCleanup).
      const server = await spawnServer();
      try {
        onServer?.(server.url, server.version);
        const doc = await fetchSpec(server.url, { username: server.username, password: server.password });
        return { doc, serverVersion: server.version, source: `opencode ${server.version} (embedded, ${server.url})` };
      } finally {
        await server.close();
      }
    }
    case "url": {
      const username = source.username ?? "opencode";
      const doc = await fetchSpec(source.url, { username, password: source.password });
      const version = await healthVersion(source.url, username, source.password);
      return { doc, serverVersion: version, source: source.url };
    }
    case "file": {
      const doc = await readSpecFile(source.path);
      return { doc, serverVersion: doc.info[SERVER_VERSION_KEY] as string | undefined, source: source.path };
    }
    default:
      throw new SpecError("unknown spec source");
  }
}

/** Parses `--url URL`, `--file PATH` (mutually exclusive); default is the embedded server. */
export function parseSourceArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): { source: SpecSource; rest: string[] } {
  let source: SpecSource = { kind: "embedded" };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes("=") ? (arg.split(/=(.*)/s, 2) as [string, string]) : [arg, undefined];
    if (flag === "--url" || flag === "--file") {
      const value = inline ?? argv[++i];
      if (!value || value.startsWith("--")) throw new SpecError(`${flag} needs a value`);
      if (source.kind !== "embedded") throw new SpecError("use only one of --url and --file");
      if (flag === "--url") {
        try {
          new URL(value);
        } catch {
          throw new SpecError(`--url ${JSON.stringify(value)} is not a valid URL`);
        }
        source = {
          kind: "url",
          url: value,
          password: env.OPENCODE_SERVER_PASSWORD || undefined,
          username: env.OPENCODE_SERVER_USERNAME || undefined,
        };
      } else source = { kind: "file", path: value };
    } else rest.push(arg);
  }
  return { source, rest };
}
