/** @ocsdk/test-kit: helpers the test suites share. */

export { type RunningPrism, type StartPrismOptions, startPrism } from "./prism.ts";
export { listOpencodeProcesses } from "./processes.ts";
export { type JsonSchema, resolveRef, type SampleOptions, sampleFromSchema } from "./schema-sample.ts";
