/**
 * Cheap argument checks before any network I/O, from the spec's own parameter patterns.
 * Path values are additionally encoded by the generated client (`encodeURIComponent`), so `/`, `?`
 * and `#` never leave their segment; `.` and `..` are rejected here because URL normalisation would
 * otherwise turn them into a different route.
 */
import { ValidationError } from "./errors.js";

/** What validation needs to know about an operation. */
export interface OperationShape {
  path: string;
  pathParams: readonly string[];
  patterns: Readonly<Record<string, string>>;
}

const compiled = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

/**
 * Throws {@link ValidationError} when a path parameter is missing, not a string/number, a dot
 * segment, or breaks the spec's pattern (e.g. a sessionID not starting with `ses`), or when a
 * patterned query parameter breaks its pattern.
 *
 * @example
 * ```ts
 * validateArgs("session.get", OPERATIONS["session.get"], { path: { sessionID: "nope" } }); // throws
 * ```
 */
export function validateArgs(
  operationId: string,
  op: OperationShape,
  args: { path?: Record<string, unknown>; query?: Record<string, unknown> } | undefined,
): void {
  for (const name of op.pathParams) {
    const value = args?.path?.[name];
    if (value === undefined || value === null || value === "") {
      throw new ValidationError(`${operationId}: path parameter ${name} is required`, operationId, name, value);
    }
    if (typeof value !== "string" && typeof value !== "number") {
      throw new ValidationError(`${operationId}: path parameter ${name} must be a string`, operationId, name, value);
    }
    const s = String(value);
    if (s === "." || s === "..") {
      throw new ValidationError(`${operationId}: path parameter ${name} cannot be "${s}"`, operationId, name, value);
    }
    checkPattern(operationId, op, name, s);
  }
  const query = args?.query;
  if (query) {
    for (const [name, pattern] of Object.entries(op.patterns)) {
      if (op.pathParams.includes(name)) continue;
      const value = query[name];
      if (typeof value === "string" && !regex(pattern).test(value)) {
        throw new ValidationError(
          `${operationId}: query parameter ${name}=${JSON.stringify(value)} does not match ${pattern}`,
          operationId,
          name,
          value,
          pattern,
        );
      }
    }
  }
}

function checkPattern(operationId: string, op: OperationShape, name: string, value: string): void {
  const pattern = op.patterns[name];
  if (pattern && !regex(pattern).test(value)) {
    throw new ValidationError(
      `${operationId}: ${name} ${JSON.stringify(value.slice(0, 80))} does not match ${pattern}`,
      operationId,
      name,
      value,
      pattern,
    );
  }
}
