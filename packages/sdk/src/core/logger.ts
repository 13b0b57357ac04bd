/**
 * Logging is opt-in: a client logs only when given a `logger` (e.g. {@link consoleLogger}), so the
 * console sink is in a bundle only when imported. Every record is redacted first, at every level.
 */
import { readEnv } from "./env.js";
import { redact, redactString } from "./redact.js";

/** Log levels, quietest first. @example `createOpencodeClient({ logger: consoleLogger, logLevel: "debug" })` */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Anything with console-like methods. @example `createOpencodeClient({ logger: consoleLogger })` */
export interface Logger {
  error(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  debug(message: string, data?: Record<string, unknown>): void;
}

const LEVELS: LogLevel[] = ["off", "error", "warn", "info", "debug"];

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
  const v = value?.trim().toLowerCase() as LogLevel;
  return LEVELS.includes(v) ? v : fallback;
}

/**
 * A logger that drops records above `level` and redacts everything it forwards; without a sink it
 * drops everything (its level is `off`).
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info", logger: consoleLogger, secrets: () => [password] });
 * log.info("ready", { password }); // prints password: "[redacted]"
 * ```
 */
export function createLogger(options: { level?: LogLevel; logger?: Logger; secrets?: () => Iterable<string> } = {}): Logger & {
  level: LogLevel;
} {
  const sink = options.logger;
  const level = sink ? (options.level ?? parseLogLevel(readEnv(LOG_LEVEL_ENV), "warn")) : "off";
  const max = LEVELS.indexOf(level);
  const emit =
    (l: Exclude<LogLevel, "off">) =>
    (message: string, data?: Record<string, unknown>): void => {
      if (!sink || LEVELS.indexOf(l) > max) return;
      const s = [...(options.secrets?.() ?? [])];
      if (data === undefined) sink[l](redactString(message, s));
      else sink[l](redactString(message, s), redact(data, s) as Record<string, unknown>);
    };
  return { level, error: emit("error"), warn: emit("warn"), info: emit("info"), debug: emit("debug") };
}

const toConsole =
  (l: Exclude<LogLevel, "off">) =>
  (m: string, d?: Record<string, unknown>): void =>
    d ? console[l](`[opencode] ${m}`, d) : console[l](`[opencode] ${m}`);

/**
 * The console as a sink, every line prefixed `[opencode]`. Pass it to log; the level comes from
 * `logLevel`, else `OPENCODE_SDK_LOG`, else `warn`.
 *
 * @example
 * ```ts
 * import { consoleLogger, createOpencodeClient } from "@ocsdk/sdk";
 * const oc = createOpencodeClient({ logger: consoleLogger, logLevel: "debug" });
 * ```
 */
export const consoleLogger: Logger = {
  error: /* @__PURE__ */ toConsole("error"),
  warn: /* @__PURE__ */ toConsole("warn"),
  info: /* @__PURE__ */ toConsole("info"),
  debug: /* @__PURE__ */ toConsole("debug"),
};
