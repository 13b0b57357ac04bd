/**
 * @ocsdk/sdk: the handwritten wrapper over the generated OpenCode client. Runtime-neutral: loads in
 * browsers, workers, Deno, Bun and Node. Node-only parts (spawning a server, the `node:http` fetch)
 * are in `@ocsdk/sdk/node`; single tree-shakable operations in `@ocsdk/sdk/operations`.
 *
 * @example
 * ```ts
 * import { createOpencodeClient } from "@ocsdk/sdk";
 * const oc = createOpencodeClient({ baseUrl: "http://127.0.0.1:4096", password: "secret" });
 * console.log((await oc.global.health()).version);
 * ```
 */

export {
  type APIPromise,
  type ClientOptions,
  createOpencodeClient,
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
// Every error class of the SDK. Errors of the event stream and of prompts are defined next to them
// and exported here too; all extend OpencodeError.
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
  InvalidResponseError,
  NotFoundError,
  OpencodeError,
  PermissionDeniedError,
  RateLimitError,
  ServerStartError,
  type SpecViolation,
  UnprocessableEntityError,
  ValidationError,
} from "./core/errors.js";
export { consoleLogger, type Logger, type LogLevel } from "./core/logger.js";
export { type ClientHooks, Metrics, type MetricsSnapshot, type RequestEvent } from "./core/metrics.js";
export { isRetryableError, type RetryOptions, type WithRetryOptions, withRetry } from "./core/retry.js";
export { parseSse, type SseMessage } from "./events/sse.js";
export {
  type ConnectionState,
  EventBufferOverflowError,
  type EventListenerHandle,
  type EventOfType,
  EventStream,
  EventStreamClosedError,
  type EventStreamOptions,
  type ListenOptions,
  type OpencodeEvent,
  type OverflowPolicy,
  type StreamEvent,
  type SubscribeOptions,
  type UnknownEvent,
} from "./events/stream.js";
export { SPEC_SERVER_VERSION } from "./generated/operations.gen.js";
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
  type PromptDelivery,
  type PromptEvent,
  PromptHandle,
  type PromptInput,
  type PromptOptions,
  PromptPassedOverError,
  type PromptPhase,
  ProviderAuthError,
  ProviderRateLimitError,
  ProviderRetryError,
  SessionError,
  type StepTokens,
  startPrompt,
} from "./prompt/handle.js";
export {
  describeServerVersion,
  type FeatureStatus,
  type ServerFeatureNote,
  type ServerSupport,
  SUPPORTED_SERVERS,
  satisfiesServerRange,
  serverSupport,
  UnsupportedServerFeatureError,
} from "./server/support.js";
export { type CreateSessionOptions, Session, Sessions } from "./sessions/sessions.js";
