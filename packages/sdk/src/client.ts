/**
 * The wrapper client: every generated operation, nested by operationId, returning data directly and
 * throwing typed errors, with auth, scoping, retries, timeouts, logging and metrics applied uniformly.
 */
import * as gen from "@ocsdk/client";
import { createClient } from "@ocsdk/client";
import { OpencodeError } from "./core/errors.js";
import { createLogger, type Logger, type LogLevel } from "./core/logger.js";
import { type ClientHooks, Metrics } from "./core/metrics.js";
import { OPERATIONS } from "./core/operations.gen.js";
import { Runner } from "./core/request.js";
import { RETRY_DEFAULTS, type RetryOptions } from "./core/retry.js";
import { DEFAULT_TIMEOUT_MS } from "./core/timeout.js";
import { defaultFetch } from "./core/transport.js";
import { validateArgs } from "./core/validate.js";
import { EventStream, type EventStreamOptions } from "./events/stream.js";
import { Sessions } from "./sessions/sessions.js";

/** Default server URL when neither `baseUrl` nor `OPENCODE_BASE_URL` is set. */
export const DEFAULT_BASE_URL = "http://127.0.0.1:4096";

/**
 * Options of {@link createOpencodeClient}.
 *
 * @example
 * ```ts
 * createOpencodeClient({ baseUrl: "http://127.0.0.1:4096", password: "secret", directory: "/repo", maxRetries: 4 });
 * ```
 */
export interface ClientOptions {
  /** Server URL. Default: `OPENCODE_BASE_URL`, else `http://127.0.0.1:4096`. */
  baseUrl?: string;
  /** Basic-auth password. Default: `OPENCODE_SERVER_PASSWORD`; none → no Authorization header. */
  password?: string;
  /** Basic-auth user. Default: `OPENCODE_SERVER_USERNAME`, else `opencode`. */
  username?: string;
  /** Project directory every scoped call applies to (the spec's `directory` / `location[directory]` query). */
  directory?: string;
  /** Workspace every scoped call applies to (the spec's `workspace` / `location[workspace]` query). */
  workspace?: string;
  /** Transport, used for every call including streams. Default: a `node:http` fetch without header timeout. */
  fetch?: typeof fetch;
  /** Headers added to every request. */
  headers?: Record<string, string>;
  /** Per-call timeout in ms (default 10 min; 0 = none). Streams: only until headers arrive. */
  timeoutMs?: number;
  /** Retries per call (default 2). See `withRetry` for exactly what is retried. */
  maxRetries?: number;
  /** Backoff tuning and injectable clock/sleep/random. */
  retry?: Omit<RetryOptions, "maxRetries">;
  /** Where log records go (default console). Everything is redacted first. */
  logger?: Logger;
  /** Log level (default `OPENCODE_SDK_LOG`, else `warn`). */
  logLevel?: LogLevel;
  /** Hooks for metrics/tracing. */
  hooks?: ClientHooks;
  /** Reconnect, watchdog and dedup settings of {@link OpencodeClient.events}. */
  events?: EventStreamOptions;
}

/**
 * Per-call options, accepted by every operation next to its `path`/`query`/`body`.
 *
 * @example
 * ```ts
 * await oc.session.list({ timeoutMs: 5_000, maxRetries: 0, signal: AbortSignal.timeout(10_000) });
 * ```
 */
export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
  headers?: Record<string, string>;
  /** Treat this call as safe to repeat (default: by HTTP method). */
  idempotent?: boolean;
}

/**
 * What an operation returns: a promise of the data, plus `withResponse()` for the raw `Response`.
 *
 * @example
 * ```ts
 * const { data, response } = await oc.session.list().withResponse();
 * ```
 */
export type APIPromise<T> = Promise<T> & { withResponse(): Promise<{ data: T; response: Response }> };

type Ops = typeof OPERATIONS;
/** An operationId of the spec, e.g. `"session.get"`. @example `const id: OperationId = "session.get";` */
export type OperationId = keyof Ops;
type GenModule = typeof gen;
type GenFn<Id extends OperationId> = GenModule[Ops[Id]["fn"]];
type GenArgs<F> = F extends (options: infer O) => unknown ? O : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type DataOf<F> = F extends (...args: never[]) => infer R
  ? Extract<Awaited<R>, { error: undefined }> extends { data: infer D }
    ? D
    : unknown
  : unknown;

/** Arguments of an operation: its generated `path`/`query`/`body` plus {@link RequestOptions}. */
export type OperationArgs<Id extends OperationId> = Simplify<
  Pick<NonNullable<GenArgs<GenFn<Id>>>, Extract<keyof NonNullable<GenArgs<GenFn<Id>>>, "path" | "query" | "body">> &
    RequestOptions
>;
/** Data an operation resolves to (`Response` for event streams). */
export type OperationData<Id extends OperationId> = Ops[Id]["sse"] extends true ? Response : DataOf<GenFn<Id>>;
type Method<Id extends OperationId> =
  undefined extends GenArgs<GenFn<Id>>
    ? (args?: OperationArgs<Id>) => APIPromise<OperationData<Id>>
    : (args: OperationArgs<Id>) => APIPromise<OperationData<Id>>;

type Head<S extends string> = S extends `${infer H}.${string}` ? H : S;
type Tree<M> = {
  [H in Head<keyof M & string>]: (H extends keyof M ? M[H] : unknown) &
    Tree<{ [K in keyof M & string as K extends `${H}.${infer R}` ? R : never]: M[K] }>;
};
/** Every operation nested by operationId: `session.get` → `oc.session.get(…)`. */
export type OperationTree = Tree<{ [Id in OperationId]: Method<Id> }>;

/** Options of {@link OpencodeClient.streamFetch}. */
export interface StreamFetchInit {
  query?: Record<string, string | undefined>;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** Options of {@link OpencodeClient.rawRequest}. */
export interface RawRequestInit extends RequestOptions {
  method?: string;
  query?: Record<string, string | undefined>;
  /** JSON-serialised unless a string. */
  body?: unknown;
}

// The class gets its operation members at construction; this interface gives them their types.
export interface OpencodeClient extends OperationTree {}

/**
 * A client for one OpenCode server. Create it with {@link createOpencodeClient}.
 *
 * @example
 * ```ts
 * const oc = createOpencodeClient({ baseUrl: server.url, password: server.password });
 * const session = await oc.session.create({ body: { title: "hello" } });
 * ```
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: typed members assigned in the constructor
export class OpencodeClient {
  readonly baseUrl: string;
  readonly directory?: string;
  readonly workspace?: string;
  /** Request counters and latency. */
  readonly metrics: Metrics;
  /** The client's (redacting) logger. */
  readonly logger: Logger & { level: LogLevel };
  /** The generated low-level client this wrapper drives (for URL building). */
  readonly raw: gen.Client;
  readonly #runner: Runner;
  readonly #eventOptions: EventStreamOptions;
  #events: EventStream | undefined;
  #sessions: Sessions | undefined;

  constructor(options: ClientOptions = {}) {
    const env = typeof process !== "undefined" ? process.env : {};
    this.baseUrl = (options.baseUrl ?? env.OPENCODE_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    if (!URL.canParse(this.baseUrl) || !/^https?:$/.test(new URL(this.baseUrl).protocol)) {
      throw new OpencodeError(
        `invalid baseUrl ${JSON.stringify(this.baseUrl)}: expected an http(s) URL like http://127.0.0.1:4096`,
      );
    }
    if (options.directory !== undefined) this.directory = options.directory;
    if (options.workspace !== undefined) this.workspace = options.workspace;
    const password = options.password ?? env.OPENCODE_SERVER_PASSWORD;
    const username = options.username ?? env.OPENCODE_SERVER_USERNAME ?? "opencode";
    const token = password !== undefined ? Buffer.from(`${username}:${password}`).toString("base64") : undefined;
    // Grows with secret-looking request fields (API keys…), so echoes of them are redacted too.
    const secrets = new Set([password, token].filter((s): s is string => !!s));
    this.logger = createLogger({ level: options.logLevel, logger: options.logger, secrets: () => secrets });
    this.metrics = new Metrics();
    this.raw = createClient({ baseUrl: this.baseUrl });
    this.#runner = new Runner({
      fetch: options.fetch ?? defaultFetch(),
      headers: { ...options.headers },
      authorization: token ? `Basic ${token}` : undefined,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRetries: options.maxRetries ?? RETRY_DEFAULTS.maxRetries,
      retry: options.retry ?? {},
      logger: this.logger,
      metrics: this.metrics,
      hooks: options.hooks ?? {},
      secrets,
    });
    this.#eventOptions = options.events ?? {};
    Object.assign(this, buildTree(this));
  }

  /**
   * The shared, typed event stream of this client (opened on the first subscription).
   *
   * @example
   * ```ts
   * for await (const e of oc.events.subscribe({ sessionID })) console.log(e.type);
   * ```
   */
  get events(): EventStream {
    this.#events ??= new EventStream(this, this.#eventOptions);
    return this.#events;
  }

  /**
   * High-level session helpers: create, list and get {@link Session} handles that prompt and stream.
   *
   * @example
   * ```ts
   * const session = await oc.sessions.create({ title: "fix the tests" });
   * console.log(await session.prompt("Run the tests").finalText());
   * ```
   */
  get sessions(): Sessions {
    this.#sessions ??= new Sessions(this);
    return this.#sessions;
  }

  /**
   * Calls an operation by its operationId (what the nested members do).
   *
   * @example
   * ```ts
   * const s = await oc.call("session.get", { path: { sessionID } });
   * ```
   */
  call<Id extends OperationId>(operationId: Id, args?: OperationArgs<Id>): APIPromise<OperationData<Id>> {
    return toAPIPromise(this.#call(operationId, (args ?? {}) as CallArgs));
  }

  /**
   * Opens a streaming response (e.g. `/event`) with the same auth, headers, scoping, transport and
   * logging as every call; the timeout stops once headers arrived and nothing is retried.
   * A non-2xx answer is a typed error.
   *
   * @example
   * ```ts
   * const res = await oc.streamFetch("/event", { signal });
   * for await (const chunk of res.body!) process.stdout.write(chunk);
   * ```
   */
  async streamFetch(path: string, init: StreamFetchInit = {}): Promise<Response> {
    return this.#runner.run({
      operationId: undefined,
      method: "GET",
      url: this.#url(path, this.#scopedRawQuery(path, init.query)),
      headers: init.headers,
      signal: init.signal,
      stream: true,
    });
  }

  /**
   * Any route, including ones outside the spec (e.g. `/doc`): same policies as operations, body buffered.
   *
   * @example
   * ```ts
   * const spec = await (await oc.rawRequest("/doc")).json();
   * ```
   */
  async rawRequest(path: string, init: RawRequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
      if (typeof init.body !== "string") headers["content-type"] ??= "application/json";
    }
    return this.#runner.run({
      operationId: undefined,
      method: init.method ?? "GET",
      url: this.#url(path, this.#scopedRawQuery(path, init.query)),
      headers,
      body,
      signal: init.signal,
      timeoutMs: init.timeoutMs,
      maxRetries: init.maxRetries,
      idempotent: init.idempotent,
    });
  }

  async #call(operationId: OperationId, args: CallArgs): Promise<{ data: unknown; response: Response }> {
    const op = OPERATIONS[operationId] as OperationEntry | undefined;
    if (!op) throw new OpencodeError(`unknown operation ${String(operationId)}`);
    validateArgs(operationId, op, args as { path?: Record<string, unknown>; query?: Record<string, unknown> });
    const { signal, timeoutMs, maxRetries, headers, idempotent, path, query, body } = args;
    const scopedQuery = this.#scopeQuery(op.scope, query as Record<string, unknown> | undefined);
    const common = { operationId, signal, timeoutMs, maxRetries, idempotent };
    if (op.sse) {
      const url = this.raw.buildUrl({ url: op.path, path, query: scopedQuery } as Parameters<gen.Client["buildUrl"]>[0]);
      const response = await this.#runner.run({ ...common, method: op.method, url, headers, stream: true });
      return { data: response, response };
    }
    const fn = GENERATED[op.fn] as GeneratedFn;
    const result = await fn({
      client: this.raw,
      throwOnError: true,
      ...(path !== undefined ? { path } : {}),
      ...(scopedQuery !== undefined ? { query: scopedQuery } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(headers ? { headers } : {}),
      fetch: async (request: Request) => {
        const ct = request.headers.get("content-type") ?? "";
        const payload = request.body
          ? ct.includes("json") || ct.startsWith("text/")
            ? await request.text()
            : new Uint8Array(await request.arrayBuffer())
          : undefined;
        return this.#runner.run({ ...common, method: request.method, url: request.url, headers: request.headers, body: payload });
      },
    });
    return { data: result.data, response: result.response };
  }

  #scopeQuery(scope: string, query: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (this.directory === undefined && this.workspace === undefined) return query;
    const defaults: Record<string, string> = {};
    if (this.directory !== undefined) defaults.directory = this.directory;
    if (this.workspace !== undefined) defaults.workspace = this.workspace;
    if (scope === "query") return { ...defaults, ...query };
    if (scope === "location") {
      const location = (query?.location ?? {}) as Record<string, unknown>;
      return { ...query, location: { ...defaults, ...location } };
    }
    return query;
  }

  #scopedRawQuery(path: string, query: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    const v2 = path.startsWith("/api/");
    const key = (k: string) => (v2 ? `location[${k}]` : k);
    if (this.directory !== undefined) out[key("directory")] = this.directory;
    if (this.workspace !== undefined) out[key("workspace")] = this.workspace;
    // An explicit key (even undefined) wins over the client's scope.
    return { ...out, ...query };
  }

  #url(path: string, query: Record<string, string | undefined>): string {
    const url = new URL(this.baseUrl + (path.startsWith("/") ? path : `/${path}`));
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return url.toString();
  }
}

type CallArgs = RequestOptions & { path?: unknown; query?: unknown; body?: unknown };
type OperationEntry = {
  fn: string;
  method: string;
  path: string;
  pathParams: readonly string[];
  patterns: Readonly<Record<string, string>>;
  scope: string;
  sse: boolean;
};
// Looked up by name from the operation table; the wrapper exposes every operation anyway.
const GENERATED: Record<string, unknown> = gen;
type GeneratedFn = (options: Record<string, unknown>) => Promise<{ data: unknown; response: Response }>;

function toAPIPromise<T>(inner: Promise<{ data: unknown; response: Response }>): APIPromise<T> {
  const p = inner.then((r) => r.data as T) as APIPromise<T>;
  // Callers that only use withResponse() must not get an unhandled rejection from `p`.
  p.catch(() => {});
  p.withResponse = () => inner as Promise<{ data: T; response: Response }>;
  return p;
}

function buildTree(client: OpencodeClient): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const id of Object.keys(OPERATIONS) as OperationId[]) {
    const segments = id.split(".");
    let node = root;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as string;
      const last = i === segments.length - 1;
      const existing = node[seg] as Record<string, unknown> | undefined;
      if (last) {
        // `vcs.diff` is both an operation and the parent of `vcs.diff.raw`: a function with properties.
        const fn = (args?: unknown) => client.call(id, args as never);
        node[seg] = existing ? Object.assign(fn, existing) : fn;
      } else if (!existing) {
        node[seg] = {};
      }
      node = node[seg] as Record<string, unknown>;
    }
  }
  return root;
}

/**
 * Creates a client. Defaults come from `OPENCODE_BASE_URL`, `OPENCODE_SERVER_PASSWORD`,
 * `OPENCODE_SERVER_USERNAME` and `OPENCODE_SDK_LOG`.
 *
 * @example
 * ```ts
 * const oc = createOpencodeClient({ baseUrl: "http://127.0.0.1:4096", password: process.env.PW });
 * const health = await oc.global.health();
 * ```
 */
export function createOpencodeClient(options?: ClientOptions): OpencodeClient {
  return new OpencodeClient(options);
}
