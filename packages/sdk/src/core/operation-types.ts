/** Types shared by the operation table, the generated operation functions and the clients. */

/** The response kind of an operation (default `json`). */
export type ResponseKind = "json" | "sse" | "text" | "binary" | "none";

/**
 * One row of the generated operation table.
 *
 * @example
 * ```ts
 * const def: OperationDef = { id: "session.get", method: "GET", path: "/session/{sessionID}", scope: "query" };
 * ```
 */
export interface OperationDef {
  readonly id: string;
  readonly method: string;
  /** Path template, `{name}` per path parameter. */
  readonly path: string;
  /** How the client's `directory`/`workspace` apply: plain query, v2 `location[…]`, or not at all (default). */
  readonly scope?: "query" | "location";
  readonly response?: ResponseKind;
  /** The spec's success media types, for `Accept`, when the response kind's default does not say it (binary, text). */
  readonly accept?: string;
  /** The spec's patterns of path/query parameters (e.g. `sessionID: "^ses"`). */
  readonly patterns?: Readonly<Record<string, string>>;
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

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Arguments of an operation from its generated `…Data` type: `path`/`query`/`body` plus {@link RequestOptions}. */
export type OperationArgsOf<D> = Simplify<Pick<D, Extract<keyof D, "path" | "query" | "body">> & RequestOptions>;

/** The success data of a generated `…Responses` type. */
export type Ok<R> = R[keyof R];

/**
 * Anything that runs operations: a core from `createCore` or a full client.
 *
 * @example
 * ```ts
 * import { createCore, sessionList } from "@ocsdk/sdk/operations";
 * const sessions = await sessionList(createCore({ baseUrl }));
 * ```
 */
export interface OperationRunner {
  callOperation(op: OperationDef, args?: object): APIPromise<unknown>;
}
