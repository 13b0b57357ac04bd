/**
 * Logging with levels and redaction. Every record goes through {@link redact} before it reaches
 * the logger, at every level: credentials never leave the client in a log line.
 */
import { readEnv } from "./env.js";

/** Log levels, quietest first. @example `createOpencodeClient({ logLevel: "debug" })` */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Anything with console-like methods. @example `createOpencodeClient({ logger: console })` */
export interface Logger {
  error(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  debug(message: string, data?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** Environment variable read for the default level. @example `OPENCODE_SDK_LOG=debug node app.js` */
export const LOG_LEVEL_ENV = "OPENCODE_SDK_LOG";

/**
 * Parses a level (e.g. from the environment); unknown values give `fallback`.
 *
 * @example
 * ```ts
 * parseLogLevel(process.env.OPENCODE_SDK_LOG, "warn");
 * ```
 */
export function parseLogLevel(value: string | undefined, fallback: LogLevel): LogLevel {
  const v = value?.trim().toLowerCase();
  return v && v in ORDER ? (v as LogLevel) : fallback;
}

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
  if (value instanceof Headers) {
    const out: Record<string, string> = {};
    value.forEach((v, k) => {
      out[k] = SECRET_KEY.test(k) ? REDACTED : redactString(v, secrets);
    });
    return out;
  }
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message, secrets) };
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== "" ? REDACTED : redact(v, secrets, depth + 1);
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
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * A logger that drops records above `level` and redacts everything it forwards.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info", logger: console, secrets: [password] });
 * log.info("ready", { password }); // prints password: "[redacted]"
 * ```
 */
export function createLogger(options: { level?: LogLevel; logger?: Logger; secrets?: () => Iterable<string> } = {}): Logger & {
  level: LogLevel;
} {
  const level = options.level ?? parseLogLevel(readEnv(LOG_LEVEL_ENV), "warn");
  const sink: Logger = options.logger ?? consoleLogger;
  const secrets = options.secrets ?? (() => []);
  const emit =
    (l: Exclude<LogLevel, "off">) =>
    (message: string, data?: Record<string, unknown>): void => {
      if (ORDER[l] > ORDER[level]) return;
      const s = [...secrets()];
      const safeMessage = redactString(message, s);
      if (data === undefined) sink[l](safeMessage);
      else sink[l](safeMessage, redact(data, s) as Record<string, unknown>);
    };
  return { level, error: emit("error"), warn: emit("warn"), info: emit("info"), debug: emit("debug") };
}

const consoleLogger: Logger = {
  error: (m, d) => (d ? console.error(`[opencode] ${m}`, d) : console.error(`[opencode] ${m}`)),
  warn: (m, d) => (d ? console.warn(`[opencode] ${m}`, d) : console.warn(`[opencode] ${m}`)),
  info: (m, d) => (d ? console.info(`[opencode] ${m}`, d) : console.info(`[opencode] ${m}`)),
  debug: (m, d) => (d ? console.debug(`[opencode] ${m}`, d) : console.debug(`[opencode] ${m}`)),
};
