/**
 * @ocsdk/test-kit: helpers only this repository's suites share (conformance against the repo's
 * allowlist, process checks, the request sampler). Everything reusable lives in `@ocsdk/testing`
 * and is re-exported here for the existing tests.
 */

export * from "@ocsdk/testing";
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
  type Fault,
  type FaultProxy,
  type ForwardedAnswer,
  forwardRequest,
  type ProxiedRequest,
  startFaultProxy,
} from "./fault-proxy.ts";
export { listOpencodeProcesses } from "./processes.ts";
export { type JsonSchema, resolveRef, type SampleOptions, sampleFromSchema } from "./schema-sample.ts";
export {
  type BuiltRequest,
  buildRequest,
  createValidator,
  type HttpMethod,
  listOperations,
  loadSpec,
  SPEC_PATH,
  type Spec,
  type SpecOperation,
  sample,
  type Validator,
  type Violation,
  violationsOf,
} from "./spec-cases.ts";
export { recordUnhandledRejections } from "./unhandled-rejections.ts";
export { until } from "./until.ts";
