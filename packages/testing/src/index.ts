/**
 * @ocsdk/testing: test your opencode app without a model or a network. A validating mock of the
 * exact spec your SDK was generated from, recorded and scripted event streams, a scripted
 * OpenAI-compatible model and a harness for the real pinned server. Works with any test runner.
 *
 * @example
 * ```ts
 * import { startMockServer } from "@ocsdk/testing";
 * await using mock = await startMockServer();
 * // point your app at mock.url, then:
 * mock.assertNoViolations();
 * ```
 *
 * @packageDocumentation
 */

export { ConversationStore, type StoredMessage } from "./conversation.js";
export {
  EventStreamHub,
  type EventStreamMock,
  type EventStreamOptions,
  startEventStreamMock,
} from "./event-stream.js";
export {
  type ChatRequest,
  type FakeModel,
  type FakeModelOptions,
  type FakeToolCall,
  type FakeTurn,
  startFakeModel,
} from "./fake-model.js";
export { FIXTURES_DIR, type RecordedRoute, type RecordedScenario, recordedStream, recordedStreams } from "./fixtures.js";
export {
  FAKE_MODEL_REF,
  fakeModelConfig,
  type HarnessOptions,
  initGitProject,
  type OpencodeHarness,
  startOpencodeHarness,
} from "./harness.js";
export { closedLoopbackUrl, closeServer, listenLoopback, readBody } from "./loopback.js";
export {
  type MockResponse,
  type MockServer,
  type MockServerOptions,
  MockViolationError,
  type RecordedRequest,
  startMockServer,
} from "./mock-server.js";
export { mockFriendlySpec, type WriteMockSpecOptions, writeMockSpec } from "./mock-spec.js";
export { type RunningPrism, type StartPrismOptions, startPrism } from "./prism.js";
export {
  type AnswerContext,
  type AnswerStep,
  answerSteps,
  type ScriptedAnswer,
  type ScriptedToolCall,
  type ServerEvent,
} from "./scripted-answer.js";
export { bundledServerVersion, loadSpec, type OpenApiDocument, SPEC_PATH } from "./spec.js";
export { type SseReplay, splitFrames, startSseReplay } from "./sse-replay.js";
