/**
 * Redaction of secrets, shared by errors and logs: credentials never leave the client in an error
 * message, an error body or a log line.
 */

const SECRET_KEY = /pass(word)?|secret|token$|api[-_]?key|^key$|authorization|cookie|credential|^access$|^refresh$|private/i;
const REDACTED = "[redacted]";

/**
 * Deep-copies a value with secrets replaced: values under secret-looking keys
 * (password, token, key, authorization, access/refresh …), `Basic`/`Bearer` credentials in strings,
 * and any of the given literal `secrets` wherever they appear.
 *
 * @example
 * ```ts
 * redact({ headers: { authorization: "Basic abc" } }); // { headers: { authorization: "[redacted]" } }
 * ```
 */
export function redact(value: unknown, secrets: Iterable<string> = [], depth = 0): unknown {
  if (typeof value === "string") return redactString(value, secrets);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8) return "[deep]";
  if (value instanceof Error) return { name: value.name, message: redactString(value.message, secrets) };
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of value instanceof Headers ? value : Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v != null && v !== "" ? REDACTED : redact(v, secrets, depth + 1);
  }
  return out;
}

/**
 * Adds the values of secret-looking fields of a request body (e.g. `auth.set`'s `key`) to `into`, so
 * the same values are redacted wherever they show up later (an error message echoing them).
 * The set is bounded: the oldest values are dropped first.
 *
 * @example
 * ```ts
 * const secrets = new Set<string>();
 * collectSecretValues({ type: "api", key: "sk-123456" }, secrets); // secrets has "sk-123456"
 * ```
 */
export function collectSecretValues(value: unknown, into: Set<string>, depth = 0, limit = 64): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string" && v.length >= 4 && SECRET_KEY.test(k)) {
      into.delete(v);
      into.add(v);
      if (into.size > limit) into.delete(into.values().next().value as string);
    } else collectSecretValues(v, into, depth + 1, limit);
  }
}

/**
 * A string with `Basic`/`Bearer` credentials and the given literal `secrets` replaced.
 *
 * @example
 * ```ts
 * redactString("key sk-123456 rejected", ["sk-123456"]); // "key [redacted] rejected"
 * ```
 */
export function redactString(s: string, secrets: Iterable<string>): string {
  let out = s.replace(/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]+/g, `$1 ${REDACTED}`);
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}
