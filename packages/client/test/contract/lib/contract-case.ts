/**
 * One contract case: call an operation through the generated client against the Prism mock,
 * then check that Prism saw no violation and that the parsed response matches the response schema.
 */
import * as sdk from "@ocsdk/client";
import { type Client, createClient, createConfig } from "@ocsdk/client";
import {
  type BuiltRequest,
  buildRequest,
  createValidator,
  generatedFunctionIndex,
  listOperations,
  loadSpec,
  type Spec,
  type SpecOperation,
  type Validator,
  type Violation,
  violationsOf,
} from "./spec.ts";

/**
 * Bounded: a request that Prism never answers fails the case instead of hanging the run. Generous:
 * a loaded machine (CI beside other suites, an upgrade's contract step) slows Prism a lot.
 */
export const REQUEST_TIMEOUT_MS = 60_000;

/** Shared state for a test file: spec, validator, function index, client bound to Prism. */
export interface ContractContext {
  spec: Spec;
  validator: Validator;
  operations: SpecOperation[];
  functions: Map<string, string>;
  client: Client;
}

/**
 * Loads everything a contract test file needs.
 *
 * @example
 * ```ts
 * const ctx = createContractContext(inject("prismUrl"));
 * ```
 */
export function createContractContext(prismUrl: string): ContractContext {
  const spec = loadSpec();
  return {
    spec,
    validator: createValidator(spec),
    operations: listOperations(spec),
    functions: generatedFunctionIndex(),
    client: createClient(createConfig({ baseUrl: prismUrl })),
  };
}

/** Generated client function for `op` (undefined when the generator did not emit one). */
export function functionFor(ctx: ContractContext, op: SpecOperation): ((opts: unknown) => Promise<unknown>) | undefined {
  const name = ctx.functions.get(`${op.method.toUpperCase()} ${op.path}`);
  const fn = name ? (sdk as Record<string, unknown>)[name] : undefined;
  return typeof fn === "function" ? (fn as (opts: unknown) => Promise<unknown>) : undefined;
}

/** What the generated client hands back (throwOnError false). */
export interface CallResult {
  data?: unknown;
  error?: unknown;
  response?: Response;
}

/**
 * Calls `op` through its generated function with `request` (plus raw option overrides).
 *
 * @example
 * ```ts
 * const result = await callOperation(ctx, op, buildRequest(ctx.spec, ctx.validator, op));
 * ```
 */
export async function callOperation(
  ctx: ContractContext,
  op: SpecOperation,
  request: BuiltRequest,
  overrides: Record<string, unknown> = {},
): Promise<CallResult> {
  const fn = functionFor(ctx, op);
  if (!fn) throw new Error(`no generated client function for ${op.method.toUpperCase()} ${op.path}`);
  const options: Record<string, unknown> = {
    client: ctx.client,
    path: request.path,
    query: request.query,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...overrides,
  };
  if (request.body !== undefined) options.body = request.body;
  return (await fn(options)) as CallResult;
}

/** Outcome of a passing contract case. */
export interface ContractOutcome {
  status: number;
}

/** Thrown when a case breaks the contract; the message says which part. */
export class ContractViolation extends Error {
  override readonly name = "ContractViolation";
  constructor(
    message: string,
    readonly violations: Violation[] = [],
  ) {
    super(message);
  }
}

/** Prism's own "UNKNOWN" problem: its response generator crashed on a schema (no request fault). */
function isGeneratorFailure(body: unknown): boolean {
  return typeof body === "object" && body !== null && String((body as { type?: unknown }).type).endsWith("#UNKNOWN");
}

function describeOp(op: SpecOperation): string {
  return `${op.method.toUpperCase()} ${op.path} (${op.operationId})`;
}

/**
 * Runs one contract case and throws {@link ContractViolation} unless: the status is a 2xx the spec
 * declares, Prism reported no violation, and the parsed body validates against the response schema.
 * `mutate` lets the harness test break a request on purpose.
 *
 * @example
 * ```ts
 * await runContractCase(ctx, op);
 * ```
 */
export async function runContractCase(
  ctx: ContractContext,
  op: SpecOperation,
  mutate?: { request?: (r: BuiltRequest) => BuiltRequest; overrides?: Record<string, unknown> },
): Promise<ContractOutcome> {
  let request = buildRequest(ctx.spec, ctx.validator, op);
  if (mutate?.request) request = mutate.request(request);
  const result = await callOperation(ctx, op, request, mutate?.overrides);
  const response = result.response;
  if (!response) {
    const cause =
      result.error instanceof Error
        ? `${result.error.message}${result.error.cause ? ` (${String(result.error.cause)})` : ""}`
        : String(result.error);
    throw new ContractViolation(`${describeOp(op)}: no HTTP response: ${cause}`);
  }
  const violations = violationsOf(response);
  // The mock is seeded, so a generator defect fails every run the same way: say it is the mock's.
  const mockDefect =
    response.status === 500 &&
    ((violations.length > 0 && violations.every((v) => v.location[0] === "response")) || isGeneratorFailure(result.error));
  if (violations.length > 0) {
    const text = violations.map((v) => `${v.location.join(".")}: ${v.message}`).join("; ");
    const who = mockDefect ? "Prism's generated response broke the spec (fix it in mock-spec.ts)" : "Prism reported violations";
    throw new ContractViolation(`${describeOp(op)}: ${who}: ${text}`, violations);
  }
  if (mockDefect) {
    throw new ContractViolation(`${describeOp(op)}: Prism's generator failed on this schema (fix it in mock-spec.ts)`);
  }
  const status = String(response.status);
  const declared = op.responses[status];
  if (!status.startsWith("2") || !declared) {
    throw new ContractViolation(`${describeOp(op)}: status ${status} is not a declared success response`);
  }
  const [contentType, media] = Object.entries(declared.content ?? {})[0] ?? [];
  if (contentType && media?.schema) {
    const schema = media.schema;
    if (schema.format === "binary") {
      if (!(result.data instanceof Blob)) throw new ContractViolation(`${describeOp(op)}: binary body not a Blob`);
    } else {
      const problem = ctx.validator.check(schema, result.data);
      if (problem) {
        throw new ContractViolation(`${describeOp(op)}: response ${status} ${contentType} does not match: ${problem}`);
      }
    }
  }
  return { status: response.status };
}
