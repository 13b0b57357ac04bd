/**
 * @ocsdk/sdk: the handwritten wrapper over the generated OpenCode client.
 *
 * @example
 * ```ts
 * import { spawnServer } from "@ocsdk/sdk";
 * await using server = await spawnServer();
 * console.log(`opencode ${server.version} at ${server.url}`);
 * ```
 */

export {
  type APIPromise,
  type ClientOptions,
  createOpencodeClient,
  DEFAULT_BASE_URL,
  OpencodeClient,
  type OperationArgs,
  type OperationData,
  type OperationId,
  type OperationTree,
  type RawRequestInit,
  type RequestOptions,
  type StreamFetchInit,
} from "./client.js";
export { type SeedEvent, toSeedEvents } from "./compat/seed-events.js";
export { type BackoffOptions, backoffDelayMs } from "./core/backoff.js";
export {
  APIConnectionError,
  APIError,
  type APIErrorInit,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  OpencodeError,
  PermissionDeniedError,
  RateLimitError,
  type SpecViolation,
  UnprocessableEntityError,
  ValidationError,
} from "./core/errors.js";
export { LOG_LEVEL_ENV, type Logger, type LogLevel } from "./core/logger.js";
export { type ClientHooks, Metrics, type MetricsSnapshot, type RequestEvent } from "./core/metrics.js";
export { OPERATIONS, SPEC_SERVER_VERSION } from "./core/operations.gen.js";
export {
  isIdempotentMethod,
  isRetryableError,
  isRetryableStatus,
  RETRY_DEFAULTS,
  type RetryOptions,
  retryAfterMs,
  retryDelayMs,
  type WithRetryOptions,
  withRetry,
} from "./core/retry.js";
export { parseSse, type SseMessage, SseParser, type SseParserCallbacks } from "./core/sse.js";
export { DEFAULT_TIMEOUT_MS } from "./core/timeout.js";
export { createNodeFetch, type NodeFetchOptions } from "./core/transport.js";
export {
  type ConnectionState,
  EventBufferOverflowError,
  type EventOfType,
  EventStream,
  EventStreamClosedError,
  type EventStreamOptions,
  type OpencodeEvent,
  type OverflowPolicy,
  type StreamEvent,
  type SubscribeOptions,
  sessionIdOf,
  type UnknownEvent,
} from "./events/stream.js";
export {
  type AppliedPermissionPolicy,
  applyPermissionPolicy,
  evaluatePermission,
  type PermissionDecision,
  type PermissionPolicy,
  type PermissionReply,
} from "./permissions/policy.js";
export {
  type MessageWithParts,
  PromptAbortedError,
  type PromptEvent,
  PromptHandle,
  type PromptInput,
  type PromptOptions,
  ProviderAuthError,
  ProviderRateLimitError,
  ProviderRetryError,
  SessionError,
  startPrompt,
} from "./prompt/handle.js";
export { newAscendingId, newMessageId } from "./prompt/ids.js";
export { type AttachedServer, type AttachServerOptions, attachServer } from "./server/attach.js";
export {
  type RunningServer,
  resolveOpencodeBinary,
  ServerStartError,
  type SpawnServerOptions,
  spawnServer,
} from "./server/spawn.js";
export { type CreateSessionOptions, Session, Sessions } from "./sessions/sessions.js";
