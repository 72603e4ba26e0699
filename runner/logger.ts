/**
 * The agent-run's logger: LogTape records, formatted as text lines, into one sink (the
 * agent-run log). Built per AgentRun rather than through LogTape's process-global
 * `configure()`, so a test can hold several in one process.
 */
import { compareLogLevel, defaultTextFormatter, type LogLevel } from "@logtape/logtape";
import { LOG_LEVELS, type LogLevelName, parseLogLevel } from "../specs/lib/log_level.ts";
import type { Logger, LogProps } from "../specs/lib/logger.ts";
import { silentLogger } from "../specs/lib/silent_logger.ts";

export { LOG_LEVELS, type Logger, type LogLevelName, type LogProps, parseLogLevel, silentLogger };

/** A logger writing text lines at or above `level` to `write`. */
export function textLogger(
  write: (line: string) => void,
  level: LogLevelName = "info",
  category: string[] = ["mass", "run"],
): Logger {
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
  return {
    trace: at("trace"),
    debug: at("debug"),
    info: at("info"),
    warn: at("warning"),
    error: at("error"),
    child: (name) => textLogger(write, level, [...category, name]),
  };
}
