/**
 * Cheap argument checks before any network I/O, from the spec's own parameter patterns, in the same
 * pass that fills the path. Path values are percent-encoded into their segment, so `/`, `?` and `#`
 * never leave it; `.` and `..` are rejected because URL normalisation would otherwise turn them into
 * a different route.
 */
import { ValidationError } from "./errors.js";
import type { OperationDef } from "./operation-types.js";

/**
 * The operation's path with its parameters checked and encoded. Throws {@link ValidationError} when a
 * path parameter is missing, not a string/number, a dot segment, or breaks the spec's pattern (e.g. a
 * sessionID not starting with `ses`), or when a patterned query parameter breaks its pattern.
 *
 * @example
 * ```ts
 * checkedPath(OPERATIONS["session.get"], { path: { sessionID: "ses 1" } }); // "/session/ses%201"
 * checkedPath(OPERATIONS["session.get"], { path: { sessionID: "nope" } }); // throws
 * ```
 */
export function checkedPath(
  op: OperationDef,
  args: { path?: Record<string, unknown>; query?: Record<string, unknown> } | undefined,
): string {
  const id = op.id;
  const patterns = op.patterns;
  if (!patterns && !op.path.includes("{")) return op.path;
  const fail = (message: string, name: string, value: unknown, pattern?: string) => {
    throw new ValidationError(`${id}: ${message}`, id, name, value, pattern);
  };
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = args?.path?.[name];
    if (value === undefined || value === null || value === "") fail(`path parameter ${name} is required`, name, value);
    if (typeof value !== "string" && typeof value !== "number") fail(`path parameter ${name} must be a string`, name, value);
    const s = String(value);
    if (s === "." || s === "..") fail(`path parameter ${name} cannot be "${s}"`, name, value);
    const pattern = patterns?.[name];
    if (pattern && !new RegExp(pattern).test(s))
      fail(`${name} ${JSON.stringify(s.slice(0, 80))} does not match ${pattern}`, name, value, pattern);
    return encodeURIComponent(s);
  });
  for (const name in patterns) {
    const value = args?.query?.[name];
    const pattern = (patterns as Record<string, string>)[name] as string;
    if (typeof value === "string" && !op.path.includes(`{${name}}`) && !new RegExp(pattern).test(value)) {
      fail(`query parameter ${name}=${JSON.stringify(value)} does not match ${pattern}`, name, value, pattern);
    }
  }
  return path;
}
