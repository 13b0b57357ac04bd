/**
 * Conformance of a real server to its own spec: a Prism validation proxy in front of it reports
 * every response (and request) that breaks the spec in its `sl-violations` header; a recording
 * fetch collects them per operation, and a reviewed allowlist separates known ones from new ones.
 */
import { readFileSync } from "node:fs";
import { OPERATIONS } from "@ocsdk/sdk/internal";
import { createNodeFetch } from "@ocsdk/sdk/node";
import { type RunningPrism, startPrism } from "@ocsdk/testing";

/** One violation seen on a proxied call. */
export interface ObservedViolation {
  operation: string;
  method: string;
  path: string;
  status: number;
  location: string;
  message: string;
}

/** An entry of openapi/conformance-allowlist.json. */
export interface AllowedViolation {
  operation: string;
  eventType?: string;
  /** Substring of the violation (`location: message`). */
  message: string;
  reason: string;
}

/** Collects what the proxy reported. */
export interface ConformanceRecorder {
  /** A fetch to give the wrapper client: records `sl-violations` of every answer. */
  readonly fetch: typeof fetch;
  /** Calls seen. */
  readonly requests: { operation: string; method: string; path: string; status: number }[];
  readonly violations: ObservedViolation[];
}

const templates = Object.entries(OPERATIONS).map(([id, op]) => ({
  id,
  method: op.method,
  regex: new RegExp(`^${op.path.replace(/\{[^}]+\}/g, "[^/]+").replace(/\*$/, ".*")}$`),
  literal: (op.path.match(/\{/g) ?? []).length,
}));

/**
 * The operationId a request maps to (literal routes win over templated ones), or `METHOD path`.
 *
 * @example
 * ```ts
 * operationOf("GET", "/session/ses_1"); // "session.get"
 * ```
 */
export function operationOf(method: string, path: string): string {
  const hits = templates.filter((t) => t.method === method && t.regex.test(path)).sort((a, b) => a.literal - b.literal);
  return hits[0]?.id ?? `${method} ${path}`;
}

/**
 * A recording fetch over the SDK's default transport.
 *
 * @example
 * ```ts
 * const rec = createConformanceRecorder();
 * const oc = createOpencodeClient({ baseUrl: proxy.url, password, fetch: rec.fetch });
 * ```
 */
export function createConformanceRecorder(): ConformanceRecorder {
  const base = createNodeFetch();
  const requests: ConformanceRecorder["requests"] = [];
  const violations: ObservedViolation[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const res = await base(request);
    const url = new URL(request.url);
    const operation = operationOf(request.method, url.pathname);
    requests.push({ operation, method: request.method, path: url.pathname, status: res.status });
    const header = res.headers.get("sl-violations");
    if (header) {
      for (const v of JSON.parse(header) as { location?: string[]; message: string }[]) {
        violations.push({
          operation,
          method: request.method,
          path: url.pathname,
          status: res.status,
          location: (v.location ?? []).join("."),
          message: v.message,
        });
      }
    }
    return res;
  };
  return { fetch: fetchImpl as typeof fetch, requests, violations };
}

/**
 * Starts `prism proxy` for `specPath` in front of `upstream` on a free loopback port. Violations
 * are reported, not turned into errors, so the real answers pass through unchanged.
 *
 * @example
 * ```ts
 * await using proxy = await startConformanceProxy({ specPath: "openapi/opencode.openapi.json", upstream: server.url });
 * ```
 */
export function startConformanceProxy(options: { specPath: string; upstream: string }): Promise<RunningPrism> {
  return startPrism({ specPath: options.specPath, mode: "proxy", upstream: options.upstream, errors: false });
}

/**
 * Splits observed violations into allowlisted and new ones.
 *
 * @example
 * ```ts
 * const { unexpected } = classifyViolations(rec.violations, loadAllowlist("openapi/conformance-allowlist.json"));
 * ```
 */
export function classifyViolations(
  observed: ObservedViolation[],
  allowlist: AllowedViolation[],
): { allowlisted: ObservedViolation[]; unexpected: ObservedViolation[] } {
  const allowlisted: ObservedViolation[] = [];
  const unexpected: ObservedViolation[] = [];
  for (const v of observed) {
    const text = `${v.location}: ${v.message}`;
    const ok = allowlist.some((a) => !a.eventType && a.operation === v.operation && text.includes(a.message));
    (ok ? allowlisted : unexpected).push(v);
  }
  return { allowlisted, unexpected };
}

/** Reads the allowlist file. @example `const list = loadAllowlist("openapi/conformance-allowlist.json");` */
export function loadAllowlist(path: string): AllowedViolation[] {
  return (JSON.parse(readFileSync(path, "utf8")) as { violations: AllowedViolation[] }).violations;
}
