/** @ocsdk/test-kit: helpers the test suites share. */

export {
  type AllowedViolation,
  type ConformanceRecorder,
  classifyViolations,
  createConformanceRecorder,
  loadAllowlist,
  type ObservedViolation,
  operationOf,
  startConformanceProxy,
} from "./conformance.ts";
export {
  type ChatRequest,
  type FakeModel,
  type FakeModelOptions,
  type FakeToolCall,
  type FakeTurn,
  startFakeModel,
} from "./fake-model.ts";
export { type Fault, type FaultProxy, type ProxiedRequest, startFaultProxy } from "./fault-proxy.ts";
export { mockFriendlySpec, writeMockSpec } from "./mock-spec.ts";
export {
  FAKE_MODEL_REF,
  fakeModelConfig,
  type HarnessOptions,
  initGitProject,
  type OpencodeHarness,
  startOpencodeHarness,
} from "./opencode-harness.ts";
export { type RunningPrism, type StartPrismOptions, startPrism } from "./prism.ts";
export { listOpencodeProcesses } from "./processes.ts";
export { type JsonSchema, resolveRef, type SampleOptions, sampleFromSchema } from "./schema-sample.ts";
export { type SseReplay, splitFrames, startSseReplay } from "./sse-replay.ts";
