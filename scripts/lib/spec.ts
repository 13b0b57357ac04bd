/** Fetching, checking and normalizing the OpenAPI document served at `/doc`. */
import { readFile } from "node:fs/promises";

export class SpecError extends Error {
  override readonly name = "SpecError";
}

export interface OpenApiDoc {
  openapi: string;
  info: { title?: string; version?: string; [key: string]: unknown };
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
  [key: string]: unknown;
}

/** Key under `info` where the pipeline records which server produced the document. */
export const SERVER_VERSION_KEY = "x-opencode-server-version";
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** GETs `<base>/doc` (Basic auth when a password is given) and returns the checked document. */
export async function fetchSpec(baseUrl: string, auth: { username?: string; password?: string } = {}): Promise<OpenApiDoc> {
  const url = new URL("doc", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`).toString();
  const headers: Record<string, string> = { accept: "application/json" };
  if (auth.password) headers.authorization = basicAuth(auth.username ?? "opencode", auth.password);
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new SpecError(`GET ${url} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const body = await res.text();
  if (res.status === 401) {
    throw new SpecError(
      `GET ${url} answered 401 Unauthorized: ${
        auth.password ? "the password was rejected" : "the server needs a password (set OPENCODE_SERVER_PASSWORD)"
      }`,
    );
  }
  if (res.status !== 200) throw new SpecError(`GET ${url} answered ${res.status} ${res.statusText}: ${body.slice(0, 300)}`);
  return parseSpec(body, url);
}

/** Reads and checks a spec file. */
export async function readSpecFile(path: string): Promise<OpenApiDoc> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SpecError(`cannot read spec file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseSpec(text, path);
}

/** Parses text as JSON and checks it is an OpenAPI 3.1 document with paths. */
export function parseSpec(text: string, source: string): OpenApiDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new SpecError(`${source} is not JSON (${(error as Error).message}); starts with: ${JSON.stringify(text.slice(0, 80))}`);
  }
  assertOpenApi31(doc, source);
  return doc;
}

export function assertOpenApi31(doc: unknown, source: string): asserts doc is OpenApiDoc {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new SpecError(`${source} is not a JSON object`);
  const version = (doc as { openapi?: unknown }).openapi;
  if (typeof version !== "string" || !/^3\.1\.\d+$/.test(version)) {
    throw new SpecError(`${source} is not an OpenAPI 3.1 document (openapi: ${JSON.stringify(version ?? null)})`);
  }
  const paths = (doc as { paths?: unknown }).paths;
  if (typeof paths !== "object" || paths === null) throw new SpecError(`${source} has no paths object`);
  if (typeof (doc as { info?: unknown }).info !== "object") throw new SpecError(`${source} has no info object`);
}

/** Recursively sorts object keys; arrays keep their order (it can carry meaning). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * The committed form of a spec: server version recorded under `info`, keys sorted,
 * two-space JSON with a final newline. Same input, same bytes.
 */
export function normalizeSpec(doc: OpenApiDoc, serverVersion?: string): string {
  const copy = structuredClone(doc);
  if (serverVersion) copy.info[SERVER_VERSION_KEY] = serverVersion;
  return `${JSON.stringify(sortKeys(copy), null, 2)}\n`;
}

export interface SpecSummary {
  serverVersion: string | undefined;
  operations: number;
  schemas: number;
}

export function summarize(doc: OpenApiDoc): SpecSummary {
  let operations = 0;
  for (const item of Object.values(doc.paths)) {
    for (const method of Object.keys(item)) if (HTTP_METHODS.includes(method)) operations++;
  }
  return {
    serverVersion: doc.info[SERVER_VERSION_KEY] as string | undefined,
    operations,
    schemas: Object.keys(doc.components?.schemas ?? {}).length,
  };
}
