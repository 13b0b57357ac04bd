// Symbol.dispose / AsyncDisposable in our .d.ts: a consumer on lib ES2022 without @types/node gets them too.
/// <reference lib="esnext.disposable" preserve="true" />
/**
 * The client core: configuration, auth, scoping and the runner, without any operation table.
 * `createCore` is what single-operation imports (`@ocsdk/sdk/operations`) run on; the full
 * `OpencodeClient` extends it with every operation as a member.
 */
import { defaultTransport, optionTransport } from "#default-transport";
import { readEnv } from "./env.js";
import { OpencodeError, ValidationError } from "./errors.js";
import type { Observer } from "./observe.js";
import type { APIPromise, OperationDef, RequestOptions } from "./operation-types.js";
import { type RunInput, Runner, type RunResult } from "./request.js";
import { RETRY_DEFAULTS, type RetryOptions } from "./retry.js";
import { DEFAULT_TIMEOUT_MS } from "./timeout.js";
import { serializeQuery } from "./url.js";
import { checkedPath } from "./validate.js";

/** Default server URL when neither `baseUrl` nor `OPENCODE_BASE_URL` is set. */
export const DEFAULT_BASE_URL = "http://127.0.0.1:4096";

/**
 * Options of `createCore` (from `@ocsdk/sdk/operations`), and the part of `createOpencodeClient`'s
 * options that the core reads: where the server is, auth, scoping, transport and call policies.
 * The full client's own options (logging, hooks, metrics, the event stream's settings) are its
 * `ClientOptions`, so a single-operation bundle carries none of it.
 *
 * @example
 * ```ts
 * const options: CoreOptions = { baseUrl: "http://127.0.0.1:4096", password: "secret", maxRetries: 4 };
 * ```
 */
export interface CoreOptions {
  /** Server URL, without query, fragment or credentials. Default: `OPENCODE_BASE_URL`, else `http://127.0.0.1:4096`. */
  baseUrl?: string;
  /** Basic-auth password. Default: `OPENCODE_SERVER_PASSWORD`; none → no Authorization header. */
  password?: string;
  /** Basic-auth user. Default: `OPENCODE_SERVER_USERNAME`, else `opencode`. */
  username?: string;
  /** Project directory every scoped call applies to (the spec's `directory` / `location[directory]` query). */
  directory?: string;
  /** Workspace every scoped call applies to (the spec's `workspace` / `location[workspace]` query). */
  workspace?: string;
  /**
   * Transport, used for every call including streams. Default: the platform `fetch`; on Node
   * (the `node` export condition) a `node:http` transport without undici's 300 s header timeout.
   */
  fetch?: typeof fetch;
  /** Headers added to every request. */
  headers?: Record<string, string>;
  /** Per-call timeout in ms (default 10 min; 0 = none). Streams: only until headers arrive. */
  timeoutMs?: number;
  /** Retries per call (default 2). See `withRetry` for exactly what is retried. */
  maxRetries?: number;
  /** Backoff tuning and injectable clock/sleep/random. */
  retry?: Omit<RetryOptions, "maxRetries">;
}

/** Options of `oc.streamFetch`. */
export interface StreamFetchInit {
  query?: Record<string, string | undefined>;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** Options of `oc.rawRequest`. */
export interface RawRequestInit extends RequestOptions {
  method?: string;
  query?: Record<string, string | undefined>;
  /** JSON-serialised unless a string. */
  body?: unknown;
}

type CallArgs = RequestOptions & { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };

/**
 * Configuration, auth, scoping and policies of one client, without the operation table: run single
 * operations on it (`@ocsdk/sdk/operations`). Create it with `createCore` (from `@ocsdk/sdk/operations`).
 *
 * @example
 * ```ts
 * import { createCore, sessionList } from "@ocsdk/sdk/operations";
 * const core = createCore({ baseUrl: "http://127.0.0.1:4096", password: "secret" });
 * const sessions = await sessionList(core);
 * ```
 */
export class OpencodeCore {
  readonly baseUrl: string;
  readonly directory?: string;
  readonly workspace?: string;
  /** @internal What runs every call of this core (and the full client's raw and stream calls). */
  protected readonly runner: Runner;
  readonly #close: (() => void) | undefined;

  /** `observe`: the full client's logging, hooks and metrics (none when it returns undefined). */
  constructor(options: CoreOptions = {}, observe?: (secrets: Set<string>, now: () => number) => Observer | undefined) {
    this.baseUrl = checkBaseUrl(options.baseUrl ?? readEnv("OPENCODE_BASE_URL") ?? DEFAULT_BASE_URL);
    if (options.directory !== undefined) this.directory = options.directory;
    if (options.workspace !== undefined) this.workspace = options.workspace;
    const password = options.password ?? readEnv("OPENCODE_SERVER_PASSWORD");
    const username = options.username ?? readEnv("OPENCODE_SERVER_USERNAME") ?? "opencode";
    const token = password !== undefined ? base64(`${username}:${password}`) : undefined;
    // Grows with secret-looking request fields (API keys…), so echoes of them are redacted too.
    const secrets = new Set([password, token].filter((s): s is string => !!s));
    const transport = options.fetch ? optionTransport(options.fetch) : defaultTransport();
    this.#close = transport.close?.bind(transport);
    // The caller's own authorization header wins over the password.
    const ownHeaders = lower(options.headers);
    const headers = { ...(token ? { authorization: `Basic ${token}` } : {}), ...ownHeaders };
    this.runner = new Runner({
      transport,
      headers,
      // Names what was sent: credentials in `headers` are not a missing password.
      authHint:
        ownHeaders?.authorization !== undefined
          ? "the `authorization` header of the `headers` option was rejected"
          : password === undefined
            ? "the server wants a password: set OPENCODE_SERVER_PASSWORD or pass the `password` option"
            : `the password from ${options.password !== undefined ? "the `password` option" : "OPENCODE_SERVER_PASSWORD"} was rejected`,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRetries: options.maxRetries ?? RETRY_DEFAULTS.maxRetries,
      retry: options.retry ?? {},
      observer: observe?.(secrets, options.retry?.now ?? Date.now),
      secrets,
    });
  }

  /**
   * Runs one operation of the table (what generated members and functions do).
   *
   * @example
   * ```ts
   * await core.callOperation(OPERATIONS["session.get"], { path: { sessionID } });
   * ```
   */
  callOperation(op: OperationDef, args?: object): APIPromise<unknown> {
    let result: Promise<RunResult>;
    try {
      result = this.runner.run(this.#input(op, (args ?? {}) as CallArgs));
    } catch (error) {
      result = Promise.reject(error);
    }
    return toAPIPromise(result);
  }

  /**
   * Releases everything the core holds: calls in flight are aborted (`APIUserAbortError`), new calls
   * are refused, and the default Node transport's keep-alive sockets are closed. A full client also
   * closes the helpers made for it first.
   *
   * @example
   * ```ts
   * const core = createCore();
   * core.close();
   * ```
   */
  close(): void {
    this.runner.close(new OpencodeError("the client was closed"));
    this.#close?.();
  }

  /** `using core = createCore()` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** What the runner needs for one operation call; throws a ValidationError for arguments that cannot be right. */
  #input(op: OperationDef, args: CallArgs): RunInput {
    const path = checkedPath(op, args);
    const query = serializeQuery(this.#scopeQuery(op.scope, args.query), op.id);
    let headers = lower(args.headers);
    let body: string | undefined;
    if (args.body !== undefined) {
      body = serializeBody(args.body, op.id);
      this.runner.collectSecrets(args.body);
      headers = { "content-type": "application/json", ...headers };
    }
    return {
      operationId: op.id,
      method: op.method,
      url: query ? `${this.baseUrl}${path}?${query}` : this.baseUrl + path,
      path,
      headers,
      body,
      signal: args.signal,
      timeoutMs: args.timeoutMs,
      maxRetries: args.maxRetries,
      idempotent: args.idempotent,
      stream: op.response === "sse",
      expect: op.response ?? "json",
      accept: op.accept,
    };
  }

  #scopeQuery(scope: OperationDef["scope"], query: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    const { directory, workspace } = this;
    if ((directory === undefined && workspace === undefined) || scope === undefined) return query;
    // Unset ones stay out (serializeQuery skips undefined); the call's own values win.
    const defaults = { directory, workspace };
    if (scope === "query") return { ...defaults, ...query };
    return { ...query, location: { ...defaults, ...(query?.location as object) } };
  }
}

/**
 * Creates a core for single-operation imports: the client's options, auth, retries, timeouts,
 * errors and logging, but no operation table in the bundle.
 *
 * @example
 * ```ts
 * import { createCore, sessionGet } from "@ocsdk/sdk/operations";
 * const core = createCore({ baseUrl: "http://127.0.0.1:4096", password: "secret" });
 * const session = await sessionGet(core, { path: { sessionID } });
 * ```
 */
export function createCore(options?: CoreOptions): OpencodeCore {
  const o = options as { logger?: unknown; hooks?: unknown; metrics?: unknown } | undefined;
  if (o?.logger || o?.hooks || o?.metrics) throw new OpencodeError("createCore does not log or trace: use createOpencodeClient");
  return new OpencodeCore(options);
}

function checkBaseUrl(raw: string): string {
  const trimmed = raw.replace(/\/+$/, "");
  const url = URL.canParse(trimmed) ? new URL(trimmed) : undefined;
  const why =
    !url || !/^https?:$/.test(url.protocol)
      ? `expected an http(s) URL like ${DEFAULT_BASE_URL}`
      : url.username || url.password
        ? "credentials do not belong in the URL; pass the `password` (and `username`) option"
        : url.search || url.hash || /[?#]/.test(trimmed)
          ? "a query or fragment would end up in front of every route; pass only scheme, host, port and path prefix"
          : "";
  if (why) throw new OpencodeError(`invalid baseUrl ${JSON.stringify(trimmed.replace(/\/\/[^/@]*@/, "//[redacted]@"))}: ${why}`);
  return trimmed;
}

/** Base64 of the UTF-8 bytes (Basic auth), with the platform's `btoa`. */
function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** @internal JSON for a request body; a circular or otherwise unserializable body is a ValidationError. */
export function serializeBody(body: unknown, where: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(body, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
  } catch (cause) {
    const message = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    throw new ValidationError(`${where}: the request body cannot be sent as JSON (${message})`, where, "body", undefined);
  }
  // A function or symbol has no JSON form at all (`JSON.stringify` answers undefined).
  if (text === undefined)
    throw new ValidationError(`${where}: a ${typeof body} cannot be sent as a JSON body`, where, "body", body);
  return text;
}

/** @internal Header names lower-cased. */
export function lower(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  for (const k in headers) out[k.toLowerCase()] = headers[k] as string;
  return out;
}

/** @internal The path of a raw route, for messages. */
export const pathOf = (path: string) => (path.startsWith("/") ? path : `/${path}`).split("?")[0] as string;

const dataOf = (r: { data: unknown }) => r.data;
const ignore = () => {};

// A class result and one shared promise: measurably cheaper per call than a plain object and a mapped promise.
function toAPIPromise<T>(inner: Promise<RunResult>): APIPromise<T> {
  const p = inner.then(dataOf) as APIPromise<T>;
  // Callers that only use withResponse() must not get an unhandled rejection from `p`.
  p.catch(ignore);
  p.withResponse = () => inner as unknown as Promise<{ data: T; response: Response }>;
  return p;
}
