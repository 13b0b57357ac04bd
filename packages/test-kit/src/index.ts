/** @ocsdk/test-kit: helpers the test suites share. */
export { listOpencodeProcesses } from "./processes.ts";
