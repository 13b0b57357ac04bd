/**
 * Contract cases for every operation in the spec, derived from the spec at run time: each
 * non-streaming operation is called through the generated client against the shared Prism mock.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { type ContractOutcome, createContractContext, functionFor, runContractCase } from "./lib/contract-case.ts";

const ctx = createContractContext(inject("prismUrl"));
const prismOps = ctx.operations.filter((op) => !op.streaming);
const streamingOps = ctx.operations.filter((op) => op.streaming);
const outcomes = new Map<string, ContractOutcome>();

describe("coverage", () => {
  it("every spec operation has a contract case", () => {
    const covered = ctx.operations.filter((op) => op.streaming || functionFor(ctx, op));
    const missing = ctx.operations.filter((op) => !covered.includes(op)).map((op) => op.operationId);
    console.log(`contract: ${covered.length}/${ctx.operations.length} operations`);
    console.log(
      `contract: ${prismOps.length} via Prism, ${streamingOps.length} via streaming contracts: ${streamingOps
        .map((op) => `${op.operationId} [${op.streaming}]`)
        .join(", ")}`,
    );
    expect(missing).toEqual([]);
    expect(ctx.operations.length).toBeGreaterThan(0);
  });
});

describe.concurrent("operations against the Prism mock", () => {
  for (const op of prismOps) {
    it(`${op.method.toUpperCase()} ${op.path} (${op.operationId})`, async () => {
      outcomes.set(op.operationId, await runContractCase(ctx, op));
    });
  }
});

afterAll(() => {
  console.log(`contract: ${outcomes.size}/${prismOps.length} Prism cases passed`);
});
