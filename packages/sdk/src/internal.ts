/**
 * @ocsdk/sdk/internal: helpers for this repository's own packages and tests (the testing package's
 * mock server, conformance checks, prompt lifecycle tests). Not a public API: anything here may
 * change in any release.
 *
 * @example
 * ```ts
 * import { newAscendingId } from "@ocsdk/sdk/internal";
 * const eventID = newAscendingId("evt");
 * ```
 */

export { retryDelayMs } from "./core/retry.js";
export { OPERATIONS } from "./generated/operations.gen.js";
export { PENDING_TASKS } from "./prompt/handle.js";
export { newAscendingId, newMessageId } from "./prompt/ids.js";
export { clientPort, type PromptClock, type PromptEventSource, type PromptPort } from "./prompt/port.js";
