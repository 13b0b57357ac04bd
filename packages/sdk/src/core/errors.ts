/**
 * Typed errors. Every failure the client raises is an {@link OpencodeError}; HTTP failures are an
 * {@link APIError} subclass chosen by status, network failures an {@link APIConnectionError}, answers
 * that are not the spec's an {@link InvalidResponseError}, server start failures a {@link ServerStartError}.
 * Bodies and messages are redacted like log lines before an error is built.
 */
import { redact, redactString } from "./redact.js";

/**
 * Base class of every error this SDK throws.
 *
 * @example
 * ```ts
 * try { await oc.session.get({ path: { sessionID } }); }
 * catch (e) { if (e instanceof OpencodeError) console.error(e.message); }
 * ```
 */
export class OpencodeError extends Error {
  override name = "OpencodeError";
}

/** Fields of an {@link APIError}. */
export interface APIErrorInit {
  status: number;
  method: string;
  path: string;
  /** Parsed JSON body, or the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
  headers: Headers;
  /** The request attempts made, including the failing one. */
  attempts?: number;
  /** Appended to the message, e.g. where the password comes from on a 401. */
  hint?: string;
  /** Literal values to redact from the body and message (passwords, API keys sent in the request). */
  secrets?: Iterable<string>;
}

/**
 * The server answered with a non-2xx status.
 *
 * `errorName` / `data` keep opencode's own named error (`{ name, data }` or `{ _tag, message }` bodies),
 * e.g. `NotFoundError`, `SessionBusyError`.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof APIError && e.status === 404) console.log(e.errorName, e.serverMessage); }
 * ```
 */
export class APIError extends OpencodeError {
  override name = "APIError";
  declare readonly status: number;
  declare readonly method: string;
  declare readonly path: string;
  declare readonly body: unknown;
  declare readonly headers: Headers;
  /** The server's reason, when it gave one. */
  declare readonly serverMessage: string | undefined;
  /** opencode's named error (`name` or `_tag` of the body), e.g. `NotFoundError`. */
  declare readonly errorName: string | undefined;
  /** opencode's error payload (`data` of the body, or the body without `_tag`). */
  declare readonly data: unknown;
  declare readonly attempts: number;
  /** Spec violations a validating mock or proxy (Prism's `sl-violations` header) reported. */
  declare readonly violations: SpecViolation[];

  constructor(init: APIErrorInit) {
    const secrets = [...(init.secrets ?? [])];
    const body = redact(init.body, secrets);
    const { errorName, data, serverMessage: bodyMessage } = parseErrorBody(body);
    const fromHeader = parseViolations(init.headers.get("sl-violations"));
    // Prism's own 422 (no error response in the spec) lists them in its problem body instead.
    const violations = fromHeader.length ? fromHeader : bodyViolations(body);
    const problem = problemText(body, init.headers.get("content-type"));
    // A mock (Prism) states the real reason in its header; its body is only a sample, unless it is
    // the mock's own problem document (title/detail), which says what kind of failure it is.
    const violationText = violations
      .map((v) => (v.location.length ? `${v.location.join(".")}: ${v.message}` : v.message))
      .join("; ");
    const serverMessage = violations.length
      ? problem
        ? `${violationText} (${problem})`
        : violationText
      : (bodyMessage ?? problem);
    const reason = serverMessage ?? errorName ?? describeBody(body);
    const hint = init.hint ? ` (${init.hint})` : "";
    super(redactString(`${init.method} ${init.path} → ${init.status}${reason ? `: ${reason}` : ""}${hint}`, secrets));
    Object.assign(this, {
      status: init.status,
      method: init.method,
      path: init.path,
      body,
      headers: init.headers,
      serverMessage: serverMessage === undefined ? undefined : redactString(serverMessage, secrets),
      errorName,
      data,
      attempts: init.attempts ?? 1,
      violations,
    });
  }
}

/** HTTP 400. @example `if (e instanceof BadRequestError) console.log(e.data);` */
export class BadRequestError extends APIError {
  override name = "BadRequestError";
}
/** HTTP 401: wrong or missing password. @example `if (e instanceof AuthenticationError) askForPassword();` */
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}
/** HTTP 403. @example `if (e instanceof PermissionDeniedError) console.log(e.serverMessage);` */
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}
/** HTTP 404. @example `if (e instanceof NotFoundError) return undefined;` */
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}
/** HTTP 409. @example `if (e instanceof ConflictError) console.log(e.errorName);` */
export class ConflictError extends APIError {
  override name = "ConflictError";
}
/** HTTP 422. @example `if (e instanceof UnprocessableEntityError) console.log(e.data);` */
export class UnprocessableEntityError extends APIError {
  override name = "UnprocessableEntityError";
}
/** HTTP 429. @example `if (e instanceof RateLimitError) console.log(e.headers.get("retry-after"));` */
export class RateLimitError extends APIError {
  override name = "RateLimitError";
}
/** HTTP 5xx. @example `if (e instanceof InternalServerError) console.log(e.status);` */
export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

/**
 * The request did not get an HTTP answer (refused, reset, DNS, TLS …).
 * `neverSent` is true only when the request provably did not reach the server
 * (the connection was never established), which is what makes a retry of a non-idempotent call safe.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof APIConnectionError && e.neverSent) console.log("server down"); }
 * ```
 */
export class APIConnectionError extends OpencodeError {
  override name = "APIConnectionError";
  declare readonly method: string;
  declare readonly path: string;
  declare readonly neverSent: boolean;
  declare readonly attempts: number;
  constructor(init: { method: string; path: string; cause?: unknown; neverSent?: boolean; message?: string; attempts?: number }) {
    const { method, path, cause } = init;
    super(init.message ?? `${method} ${path}: connection error${causeText(cause)}`, { cause });
    Object.assign(this, { method, path, neverSent: init.neverSent ?? false, attempts: init.attempts ?? 1 });
  }
}

/**
 * The request took longer than its `timeoutMs`.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof APITimeoutError) console.log(`gave up after ${e.timeoutMs} ms`); }
 * ```
 */
export class APITimeoutError extends APIConnectionError {
  override name = "APITimeoutError";
  declare readonly timeoutMs: number;
  constructor(init: { method: string; path: string; timeoutMs: number; attempts?: number }) {
    super({ ...init, message: `${init.method} ${init.path}: timed out after ${init.timeoutMs} ms` });
    this.timeoutMs = init.timeoutMs;
  }
}

/**
 * The caller aborted the request through its `signal`.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof APIUserAbortError) return; }
 * ```
 */
export class APIUserAbortError extends OpencodeError {
  override name = "APIUserAbortError";
  constructor(
    readonly method: string,
    readonly path: string,
    cause?: unknown,
  ) {
    super(`${method} ${path}: aborted by the caller`, { cause });
  }
}

/**
 * Raised before any network I/O when an argument cannot be right: an id that breaks the spec's
 * pattern (`ses…`, `msg…`), a missing path parameter, or a `.`/`..` path segment.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ValidationError) console.log(e.param, e.pattern); }
 * ```
 */
export class ValidationError extends OpencodeError {
  override name = "ValidationError";
  constructor(
    message: string,
    readonly operationId: string,
    readonly param: string,
    readonly value: unknown,
    readonly pattern?: string,
  ) {
    super(message);
  }
}

/**
 * A 2xx answer that is not what the spec says this route returns: another media type (opencode serves
 * its web UI as `200 text/html` for unknown routes: a wrong `baseUrl` prefix, a proxy, or a route this
 * server version lacks), or a JSON body that does not parse (truncated). `retryable` is true for the
 * latter; the client retries it where the method allows.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof InvalidResponseError) console.log(e.contentType, e.status); }
 * ```
 */
export class InvalidResponseError extends OpencodeError {
  override name = "InvalidResponseError";
  declare readonly method: string;
  declare readonly path: string;
  declare readonly status: number;
  declare readonly contentType: string | null;
  declare readonly retryable: boolean;
  declare readonly attempts: number;
  constructor(init: {
    method: string;
    path: string;
    status: number;
    contentType: string | null;
    reason: string;
    retryable: boolean;
    cause?: unknown;
    attempts?: number;
  }) {
    const { method, path, status, contentType, retryable, cause } = init;
    super(`${method} ${path} → ${status}: ${init.reason}`, cause ? { cause } : undefined);
    Object.assign(this, { method, path, status, contentType, retryable, attempts: init.attempts ?? 1 });
  }
}

/**
 * The opencode server could not be started (`spawnServer` from `@ocsdk/sdk/node`); carries what it printed.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ServerStartError) console.error(e.exitCode, e.output); }
 * ```
 */
export class ServerStartError extends OpencodeError {
  override readonly name = "ServerStartError";
  constructor(
    message: string,
    /** Combined stdout/stderr of the server process. */
    readonly output: string,
    /** Exit code, when the process exited. */
    readonly exitCode?: number | null,
  ) {
    super(output.trim() ? `${message}\n--- server output ---\n${output.trim().slice(-4000)}` : message);
  }
}

const STATUS_CLASSES: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/**
 * Builds the {@link APIError} subclass for a status.
 *
 * @example
 * ```ts
 * const e = makeAPIError({ status: 404, method: "GET", path: "/x", body: undefined, headers: new Headers() });
 * e instanceof NotFoundError; // true
 * ```
 */
export function makeAPIError(init: APIErrorInit): APIError {
  const Cls = STATUS_CLASSES[init.status] ?? (init.status >= 500 ? InternalServerError : APIError);
  return new Cls(init);
}

/**
 * Parses an error body: JSON when it is JSON, else the trimmed text (HTML pages shortened), else undefined.
 *
 * @example
 * ```ts
 * parseBodyText('{"name":"NotFoundError"}'); // { name: "NotFoundError" }
 * ```
 */
export function parseBodyText(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
}

/** One violation of the spec, as Prism reports it. */
export interface SpecViolation {
  location: string[];
  code?: string | number;
  message: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const isHtml = (body: unknown): boolean => typeof body === "string" && /^\s*</.test(body);

/** Prism's prefix when the violations outgrow a header; the JSON after it is cut off. */
const TOO_MANY = "Too many violations!";

function parseViolations(header: string | null): SpecViolation[] {
  if (header?.startsWith(TOO_MANY)) return truncatedViolations(header.slice(TOO_MANY.length));
  try {
    // Not JSON, or JSON but not an array (no `filter`): no violations.
    return (JSON.parse(header || "[]") as SpecViolation[])
      .filter((v) => str(v?.message))
      .map(({ location, code, message }) => ({ location: Array.isArray(location) ? location.map(String) : [], code, message }));
  } catch {
    return [];
  }
}

/** The whole violations that a cut-off header still holds, after a marker that there were more. */
function truncatedViolations(text: string): SpecViolation[] {
  const out: SpecViolation[] = [{ location: [], message: `${TOO_MANY} (the list was cut off)` }];
  for (const m of text.matchAll(/\{[^{}]*?"location":\[([^\]]*)\][^{}]*?"message":"((?:[^"\\]|\\.)*)"[^{}]*\}/g)) {
    try {
      const location = (JSON.parse(`[${m[1]}]`) as unknown[]).map(String);
      out.push({ location, message: JSON.parse(`"${m[2]}"`) as string });
    } catch {
      // A half-escaped entry at the cut: the marker above already says there was more.
    }
  }
  return out;
}

/** The `validation` list of a Prism problem body, in the header's shape. */
function bodyViolations(body: unknown): SpecViolation[] {
  const list = body && typeof body === "object" ? (body as { validation?: unknown }).validation : undefined;
  if (!Array.isArray(list)) return [];
  return list
    .filter((v): v is { location?: unknown; code?: string | number; message: string } => !!str(v?.message))
    .map(({ location, code, message }) => ({ location: Array.isArray(location) ? location.map(String) : [], code, message }));
}

/** `title: detail` of an RFC 9457 problem document (`application/problem+json`, or its shape). */
function problemText(body: unknown, contentType: string | null): string | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const isProblem = /problem\+json/i.test(contentType ?? "") || (str(b.type) !== undefined && str(b.title) !== undefined);
  if (!isProblem) return undefined;
  const text = [str(b.title), str(b.detail)].filter(Boolean).join(": ");
  return text || undefined;
}

function parseErrorBody(body: unknown): { errorName?: string; data?: unknown; serverMessage?: string } {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return typeof body === "string" && !isHtml(body) ? { serverMessage: body.slice(0, 500) } : {};
  }
  const b = body as Record<string, unknown>;
  const tag = str(b._tag);
  let data: unknown;
  if ("data" in b) data = b.data;
  else if (tag) {
    const { _tag, ...rest } = b;
    data = rest;
  }
  const fromData = data && typeof data === "object" ? (data as Record<string, unknown>).message : undefined;
  return { errorName: str(b.name) ?? tag, data, serverMessage: str(fromData) ?? str(b.message) ?? str(b.error) };
}

function describeBody(body: unknown): string {
  if (!isHtml(body)) return "";
  const title = /<title>([^<]*)<\/title>/i.exec(body as string)?.[1]?.trim();
  return title ? `HTML page "${title}"` : "HTML page";
}

function causeText(cause: unknown): string {
  const c = (cause && typeof cause === "object" ? cause : {}) as { code?: unknown; message?: unknown };
  const text = [str(c.code), str(c.message)].filter(Boolean).join(": ");
  return text && ` (${text})`;
}
