/**
 * The agent-run's logger: LogTape records, formatted as text lines, into one sink (the
 * agent-run log). Built per AgentRun rather than through LogTape's process-global
 * `configure()`, so a test can hold several in one process.
 */
import { compareLogLevel, defaultTextFormatter, type LogLevel } from "@logtape/logtape";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export type LogProps = Record<string, unknown>;

export interface RunLogger {
  debug(message: string, props?: LogProps): void;
  info(message: string, props?: LogProps): void;
  warn(message: string, props?: LogProps): void;
  error(message: string, props?: LogProps): void;
}

/** Unknown names fall back to info, like the original. */
export function parseLogLevel(name: string | undefined): LogLevelName {
  return (LOG_LEVELS as readonly string[]).includes(name ?? "") ? name as LogLevelName : "info";
}

export const silentLogger: RunLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** A logger writing text lines at or above `level` to `write`. */
export function textLogger(
  write: (line: string) => void,
  level: LogLevelName = "info",
  category: string[] = ["mass", "run"],
): RunLogger {
  const lowest: LogLevel = level === "warn" ? "warning" : level;
  const at = (lvl: LogLevel) => (message: string, props: LogProps = {}) => {
    if (compareLogLevel(lvl, lowest) < 0) return;
    // `{name}` placeholders are filled from props, as LogTape's message templates do.
    const parts: unknown[] = [];
    let last = 0;
    for (const m of message.matchAll(/\{(\w+)\}/g)) {
      parts.push(message.slice(last, m.index), props[m[1]]);
      last = m.index! + m[0].length;
    }
    parts.push(message.slice(last));
    write(defaultTextFormatter({
      category,
      level: lvl,
      message: parts,
      rawMessage: message,
      timestamp: Date.now(),
      properties: props,
    }));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warning"), error: at("error") };
}
