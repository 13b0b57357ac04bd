// Symbol.dispose / AsyncDisposable in our .d.ts: a consumer on lib ES2022 without @types/node gets them too.
/// <reference lib="esnext.disposable" preserve="true" />
/**
 * The full client: every generated operation as a member, nested by operationId (`oc.session.get`).
 * The members are the HTTP API 1:1; the stateful helpers are classes made for a client
 * (`new Sessions(oc)`, `EventStream.of(oc)`), so a bundle carries them only when it uses them; what
 * they keep per client lives in the client's {@link HelperRegistry} (`oc.helpers`).
 */
import {
  type CoreOptions,
  lower,
  OpencodeCore,
  pathOf,
  type RawRequestInit,
  type StreamFetchInit,
  serializeBody,
} from "./core/client-core.js";
import { ValidationError } from "./core/errors.js";
import type { Logger, LogLevel } from "./core/logger.js";
import type { ClientHooks, Metrics } from "./core/metrics.js";
import { createObserver, type Observer } from "./core/observe.js";
import type { APIPromise, OperationDef } from "./core/operation-types.js";
import type { EventStreamOptions } from "./events/stream.js";
import { OPERATIONS, type OperationSignatures, type OperationTree } from "./generated/operations.gen.js";
import { HelperRegistry } from "./helper-registry.js";
import { explainUnsupported, type ServerSupport, serverSupport } from "./server/support.js";

export {
  type CoreOptions,
  createCore,
  DEFAULT_BASE_URL,
  OpencodeCore,
  type RawRequestInit,
  type StreamFetchInit,
} from "./core/client-core.js";
export type { APIPromise, RequestOptions } from "./core/operation-types.js";
export type { OperationTree } from "./generated/operations.gen.js";

/**
 * Options of `createOpencodeClient`: the core's (server, auth, scoping, transport, call policies)
 * plus what only a full client does (logging, hooks, metrics, its event stream's settings).
 *
 * @example
 * ```ts
 * createOpencodeClient({ baseUrl: "http://127.0.0.1:4096", password: "secret", directory: "/repo", maxRetries: 4 });
 * ```
 */
export interface ClientOptions extends CoreOptions {
  /** Where log records go (default: nowhere; `consoleLogger` for the console). Everything is redacted first. */
  logger?: Logger;
  /** Log level of `logger` (default `OPENCODE_SDK_LOG`, else `warn`). */
  logLevel?: LogLevel;
  /** Hooks for tracing: called before and after each attempt, before a retry, on a final failure. */
  hooks?: ClientHooks;
  /** Counters and latency of this client's calls, e.g. `new Metrics()`; read them with `metrics.snapshot()`. */
  metrics?: Metrics;
  /** Reconnect, watchdog and dedup settings of the client's shared event stream (`EventStream.of(oc)`). */
  events?: EventStreamOptions;
}

/** An operationId of the spec, e.g. `"session.get"`. @example `const id: OperationId = "session.get";` */
export type OperationId = keyof OperationSignatures;
/** Arguments of an operation: its generated `path`/`query`/`body` plus per-call options. @example `const a: OperationArgs<"session.get"> = { path: { sessionID } };` */
export type OperationArgs<Id extends OperationId> = NonNullable<Parameters<OperationSignatures[Id]>[0]>;
/** Data an operation resolves to (`Response` for event streams). @example `let s: OperationData<"session.get">;` */
export type OperationData<Id extends OperationId> = Awaited<ReturnType<OperationSignatures[Id]>>;

// The class gets its operation members at construction; this interface gives them their types and docs.
export interface OpencodeClient extends OperationTree {}

/**
 * A client for one OpenCode server. Create it with {@link createOpencodeClient}; release it (and
 * every helper made for it) with `await oc.close()` (or `await using`).
 *
 * @example
 * ```ts
 * const oc = createOpencodeClient({ baseUrl: server.url, password: server.password });
 * const session = await oc.session.create({ body: { title: "hello" } });
 * await oc.close();
 * ```
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: typed members assigned in the constructor
export class OpencodeClient extends OpencodeCore {
  /** The `metrics` option, when given. */
  declare readonly metrics: Metrics | undefined;
  /** The client's (redacting) logger; drops everything when no `logger` was given. */
  declare readonly logger: Logger & { level: LogLevel };
  /** @internal The `events` option: settings of the shared event stream, made on first use. */
  declare readonly eventOptions: EventStreamOptions | undefined;
  /** @internal Helpers made for this client (its event stream, its sessions' prompt lines); closed with it. */
  declare readonly helpers: HelperRegistry;

  constructor(options: ClientOptions = {}) {
    let logger: Observer["logger"] | undefined;
    super(options, (secrets, now) => {
      const observer = createObserver(options, secrets, now);
      logger = observer.logger;
      // Nothing to report: calls skip the observer.
      return options.logger || options.hooks || options.metrics ? observer : undefined;
    });
    const own = { logger, metrics: options.metrics, eventOptions: options.events, helpers: new HelperRegistry() };
    Object.assign(this, own, buildTree(this));
  }

  /**
   * Releases everything the client holds: helpers made for it (its shared event stream, and with it
   * prompt handles and permission policies) close, calls in flight are aborted (`APIUserAbortError`),
   * new calls are refused, and the default Node transport's keep-alive sockets are closed. Resolves
   * once the helpers' teardown ended (never rejects); calls are refused from the moment it is called.
   *
   * @example
   * ```ts
   * const oc = createOpencodeClient();
   * await oc.close();
   * ```
   */
  override close(): Promise<void> {
    const helpers = this.helpers.close();
    super.close();
    return helpers;
  }

  /** `await using oc = createOpencodeClient()` closes it, helpers and all, at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The server's version, whether this SDK supports it (`SUPPORTED_SERVERS`) and what degrades on it:
   * one `/global/health` read per client, kept. Outside the supported range the logger warns once.
   *
   * @example
   * ```ts
   * const { version, inRange, notes } = await oc.serverSupport();
   * for (const n of notes) console.log(`${n.feature} ${n.status}: ${n.how}`);
   * ```
   */
  serverSupport(options?: { signal?: AbortSignal }): Promise<ServerSupport> {
    return serverSupport(this, options);
  }

  /**
   * Runs one operation of the table. A route the server lacks (opencode answers it with its web page)
   * rejects with `UnsupportedServerFeatureError`, which names the server version and the operation.
   *
   * @example
   * ```ts
   * await oc.callOperation(OPERATIONS["session.get"], { path: { sessionID } });
   * ```
   */
  override callOperation(op: OperationDef, args?: object): APIPromise<unknown> {
    const p = super.callOperation(op, args);
    const explain = (error: unknown) => explainUnsupported(this, op.id, error);
    const out = p.then(undefined, explain) as APIPromise<unknown>;
    out.catch(ignore); // as the core's: a caller of withResponse() alone gets no unhandled rejection
    out.withResponse = () => p.withResponse().then(undefined, explain);
    return out;
  }

  /**
   * Calls an operation by its operationId (what the nested members do). An id the client does not
   * know rejects with a {@link ValidationError} before any request.
   *
   * @example
   * ```ts
   * const s = await oc.call("session.get", { path: { sessionID } });
   * ```
   */
  call<Id extends OperationId>(operationId: Id, args?: OperationArgs<Id>): APIPromise<OperationData<Id>> {
    const op = (OPERATIONS as Record<string, (typeof OPERATIONS)[OperationId]>)[operationId];
    if (!op) {
      const id = String(operationId);
      const error = new ValidationError(`unknown operation ${JSON.stringify(id)}`, id, "operationId", operationId);
      const p = Promise.reject(error) as APIPromise<OperationData<Id>>;
      p.withResponse = () => p as never;
      return p;
    }
    return this.callOperation(op, args) as APIPromise<OperationData<Id>>;
  }

  /**
   * Opens a streaming response (e.g. `/event`) with the same auth, headers, scoping, transport and
   * logging as every call; the timeout stops once headers arrived and nothing is retried.
   * A non-2xx answer, or one that is not `text/event-stream`, is a typed error.
   *
   * @example
   * ```ts
   * const res = await oc.streamFetch("/event", { signal });
   * for await (const chunk of res.body!) console.log(chunk.byteLength);
   * ```
   */
  streamFetch(path: string, init: StreamFetchInit = {}): Promise<Response> {
    return this.#raw(path, init, true);
  }

  /**
   * Any route, including ones outside the spec (e.g. `/doc`): same policies as operations, body
   * buffered, any 2xx answer returned as is.
   *
   * @example
   * ```ts
   * const spec = await (await oc.rawRequest("/doc")).json();
   * ```
   */
  rawRequest(path: string, init: RawRequestInit = {}): Promise<Response> {
    return this.#raw(path, init, false);
  }

  async #raw(path: string, init: RawRequestInit, stream: boolean): Promise<Response> {
    const method = (init.method ?? "GET").toUpperCase();
    const headers = lower(init.headers) ?? {};
    const raw = init.body;
    let body: string | undefined;
    if (typeof raw === "string") body = raw;
    else if (raw !== undefined) {
      body = serializeBody(raw, `${method} ${path}`);
      headers["content-type"] ??= "application/json";
      this.runner.collectSecrets(raw);
    }
    const url = new URL(this.baseUrl + (path.startsWith("/") ? path : `/${path}`));
    const key = (k: string) => (path.startsWith("/api/") ? `location[${k}]` : k);
    // An explicit key (even undefined) wins over the client's scope.
    const query = { [key("directory")]: this.directory, [key("workspace")]: this.workspace, ...init.query };
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const { wire } = await this.runner.run({
      operationId: undefined,
      method,
      url: url.toString(),
      path: pathOf(path),
      headers,
      body,
      signal: init.signal,
      timeoutMs: init.timeoutMs,
      maxRetries: init.maxRetries,
      idempotent: init.idempotent,
      stream,
      expect: stream ? "sse" : undefined,
    });
    return wire.toResponse();
  }
}

const ignore = () => {};

function buildTree(client: OpencodeClient): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [id, op] of Object.entries(OPERATIONS)) {
    const segments = id.split(".");
    let node = root;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as string;
      const existing = node[seg] as Record<string, unknown> | undefined;
      if (i === segments.length - 1) {
        // `vcs.diff` is both an operation and the parent of `vcs.diff.raw`: a function with properties.
        const fn = (args?: object) => client.callOperation(op, args);
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
 * `OPENCODE_SERVER_USERNAME` and `OPENCODE_SDK_LOG` where the runtime has environment variables.
 *
 * @example
 * ```ts
 * const oc = createOpencodeClient({ baseUrl: "http://127.0.0.1:4096", password: "secret" });
 * const health = await oc.global.health();
 * ```
 */
export function createOpencodeClient(options?: ClientOptions): OpencodeClient {
  return new OpencodeClient(options);
}
