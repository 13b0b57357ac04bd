/**
 * Query strings for the operation table (path parameters are filled by validate.ts), serialized as hey-api's fetch client does for the spec's styles (primitives `a=1`,
 * arrays `form`/explode `a=1&a=2`, objects `deepObject` `location[directory]=…`, dates ISO).
 */

import { ValidationError } from "./errors.js";

/**
 * The query string (without `?`) of a query object; undefined/null values are left out. A nested
 * array or object (no style of the spec serializes it) is a {@link ValidationError} naming `operationId`.
 *
 * @example
 * ```ts
 * serializeQuery({ directory: "/a b", location: { workspace: "w" }, ids: [1, 2] });
 * // "directory=%2Fa%20b&location[workspace]=w&ids=1&ids=2"
 * ```
 */
export function serializeQuery(query: Record<string, unknown> | undefined, operationId = ""): string {
  // Most calls have no query: no array for them (a hot path).
  if (!query) return "";
  const parts: string[] = [];
  for (const name in query) {
    const value = query[name];
    if (value instanceof Date) parts.push(`${name}=${value.toISOString()}`);
    else if (Array.isArray(value)) for (const v of value) add(parts, name, v, operationId);
    else if (value && typeof value === "object")
      for (const [k, v] of Object.entries(value)) add(parts, `${name}[${k}]`, v, operationId);
    else add(parts, name, value, operationId);
  }
  return parts.join("&");
}

/** One `name=value` pair; undefined/null values are left out; a nested array/object has no query form. */
function add(parts: string[], name: string, value: unknown, operationId: string): void {
  if (value === undefined || value === null) return;
  if (typeof value === "object" && !(value instanceof Date)) {
    const where = operationId ? `${operationId}: ` : "";
    throw new ValidationError(
      `${where}query parameter ${name} cannot hold a nested ${Array.isArray(value) ? "array" : "object"}`,
      operationId,
      name,
      value,
    );
  }
  parts.push(`${name}=${encodeURIComponent(value instanceof Date ? value.toISOString() : (value as string))}`);
}
