/**
 * Query strings for the operation table (path parameters are filled by validate.ts), serialized as hey-api's fetch client does for the spec's styles (primitives `a=1`,
 * arrays `form`/explode `a=1&a=2`, objects `deepObject` `location[directory]=…`, dates ISO).
 */

/**
 * The query string (without `?`) of a query object; undefined/null values are left out.
 *
 * @example
 * ```ts
 * serializeQuery({ directory: "/a b", location: { workspace: "w" }, ids: [1, 2] });
 * // "directory=%2Fa%20b&location[workspace]=w&ids=1&ids=2"
 * ```
 */
export function serializeQuery(query: Record<string, unknown> | undefined): string {
  // Most calls have no query: no array for them (a hot path).
  if (!query) return "";
  const parts: string[] = [];
  for (const name in query) {
    const value = query[name];
    if (value instanceof Date) parts.push(`${name}=${value.toISOString()}`);
    else if (Array.isArray(value)) for (const v of value) add(parts, name, v);
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) add(parts, `${name}[${k}]`, v);
    else add(parts, name, value);
  }
  return parts.join("&");
}

/** One `name=value` pair; undefined/null values are left out, nested arrays/objects are not supported. */
function add(parts: string[], name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value === "object") throw new TypeError(`query parameter ${name}: nested arrays/objects are not supported`);
  parts.push(`${name}=${encodeURIComponent(value as string)}`);
}
