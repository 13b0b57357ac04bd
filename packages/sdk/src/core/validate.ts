/**
 * Cheap argument checks before any network I/O, from the spec's own parameter patterns.
 * Path values are percent-encoded into their segment (see url.ts), so `/`, `?` and `#` never leave
 * it; `.` and `..` are rejected here because URL normalisation would otherwise turn them into a
 * different route.
 */
import { ValidationError } from "./errors.js";
import type { OperationDef } from "./operation-types.js";

const compiled = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

const pathParamsOf = new WeakMap<OperationDef, string[]>();
/** The `{name}` placeholders of an operation's path, in order. @example `pathParams(OPERATIONS["session.get"]); // ["sessionID"]` */
export function pathParams(op: OperationDef): string[] {
  let names = pathParamsOf.get(op);
  if (!names) {
    names = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    pathParamsOf.set(op, names);
  }
  return names;
}

/**
 * Throws {@link ValidationError} when a path parameter is missing, not a string/number, a dot
 * segment, or breaks the spec's pattern (e.g. a sessionID not starting with `ses`), or when a
 * patterned query parameter breaks its pattern.
 *
 * @example
 * ```ts
 * validateArgs(OPERATIONS["session.get"], { path: { sessionID: "nope" } }); // throws
 * ```
 */
export function validateArgs(
  op: OperationDef,
  args: { path?: Record<string, unknown>; query?: Record<string, unknown> } | undefined,
): void {
  const operationId = op.id;
  const patterns = op.patterns;
  const names = pathParams(op);
  for (const name of names) {
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
    const pattern = patterns?.[name];
    if (pattern && !regex(pattern).test(s)) {
      throw new ValidationError(
        `${operationId}: ${name} ${JSON.stringify(s.slice(0, 80))} does not match ${pattern}`,
        operationId,
        name,
        value,
        pattern,
      );
    }
  }
  const query = args?.query;
  if (query && patterns) {
    for (const [name, pattern] of Object.entries(patterns)) {
      if (names.includes(name)) continue;
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
