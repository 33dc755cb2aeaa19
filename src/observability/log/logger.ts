/**
 * kitewire's one logger interface: levels and structured fields, the shape of `console`
 * and pino (`logger.warn(message, fields)`), so either can be passed as it is.
 *
 * The library logs what an operator must hear about and no caller is told of: a connection
 * closed for a reason other than a normal close, a registry value skipped, a config
 * document refused. Calls are never logged one by one (that is the tracers' work).
 */

/** Structured facts of a log line: `peer`, `reason`, `offset`, `code`, ... */
export type LogFields = Readonly<Record<string, unknown>>;

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVELS: Readonly<Record<LogLevel | "silent", number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Where `consoleLogger` writes one finished line (console.error by default: stderr in Node and Deno). */
export type LineSink = (line: string) => void;

export interface ConsoleLoggerOptions {
  /** Lines below this level are dropped (default "info"; "silent" drops all). */
  level?: LogLevel | "silent";
  /** Where lines go (default `console.error`). */
  sink?: LineSink;
}

/**
 * The default logger: one concise line per entry, `time LEVEL message key=value ...`, values
 * that contain spaces or quotes JSON-quoted, errors as `code: message`.
 */
export function consoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? "info"];
  const sink = options.sink ?? ((line: string) => console.error(line));
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    sink(formatLine(new Date().toISOString(), level, message, fields));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that drops everything. */
export const silentLogger: Logger = Object.freeze({ debug() {}, info() {}, warn() {}, error() {} });

/** `time LEVEL message k=v ...`: the line `consoleLogger` writes. */
export function formatLine(time: string, level: LogLevel, message: string, fields?: LogFields): string {
  let line = `${time} ${level.toUpperCase()} ${message}`;
  if (fields !== undefined) {
    for (const key in fields) {
      const value = fields[key];
      if (value !== undefined) line += ` ${key}=${formatValue(value)}`;
    }
  }
  return line;
}

function formatValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return JSON.stringify(typeof code === "string" ? `${code}: ${value.message}` : value.message);
  }
  const text = typeof value === "string" ? value : typeof value === "bigint" ? String(value) : JSON.stringify(value) ?? String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

let defaultLogger: Logger = consoleLogger();

/** The logger used where an option names none: `consoleLogger()` until `setLogger` replaces it. */
export function getLogger(): Logger {
  return defaultLogger;
}

/** Replaces the process-wide default logger (e.g. with pino, or `silentLogger`). */
export function setLogger(logger: Logger): void {
  defaultLogger = logger;
}
