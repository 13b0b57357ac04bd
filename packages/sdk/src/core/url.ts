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
  if (!query) return "";
  let out = "";
  for (const name in query) {
    const value = query[name];
    if (value === undefined || value === null) continue;
    let part: string;
    if (Array.isArray(value)) part = value.map((v) => primitive(name, v)).join("&");
    else if (value instanceof Date) part = `${name}=${value.toISOString()}`;
    else if (typeof value === "object") {
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) parts.push(primitive(`${name}[${k}]`, v));
      part = parts.join("&");
    } else part = primitive(name, value);
    if (part) out += out ? `&${part}` : part;
  }
  return out;
}

function primitive(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") throw new TypeError(`query parameter ${name}: nested arrays/objects are not supported`);
  return `${name}=${encodeURIComponent(value as string)}`;
}
