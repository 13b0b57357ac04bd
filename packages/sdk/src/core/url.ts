/**
 * URL building from the operation table in one pass: path parameters percent-encoded into their
 * segment, query serialized as hey-api's fetch client does for the spec's styles (primitives `a=1`,
 * arrays `form`/explode `a=1&a=2`, objects `deepObject` `location[directory]=…`, dates ISO).
 */

/**
 * Fills `{name}` placeholders with encoded values (validated beforehand, see validate.ts).
 *
 * @example
 * ```ts
 * fillPath("/session/{sessionID}", { sessionID: "ses 1" }); // "/session/ses%201"
 * ```
 */
export function fillPath(template: string, params: Record<string, unknown> | undefined): string {
  if (!params || template.indexOf("{") < 0) return template;
  return template.replace(/\{([^}]+)\}/g, (m, name: string) => {
    const v = params[name];
    return v === undefined || v === null ? m : encodeURIComponent(String(v));
  });
}

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
