/**
 * Structured logging for agentd: JSON lines through LogTape's stream sink and formatter.
 *
 * LogTape's `configure()` is process-global; a daemon is a library object here (tests run
 * two in one process), so each daemon owns its sink and builds LogTape records itself
 * instead of routing through the global logger tree.
 */
import {
  compareLogLevel,
  getJsonLinesFormatter,
  type LogLevel,
  type LogRecord,
  type Sink,
} from "@logtape/logtape";
import { LOG_LEVELS, type LogLevelName, parseLogLevel } from "../specs/lib/log_level.ts";
import type { Logger, LogProps } from "../specs/lib/logger.ts";
import { silentLogger } from "../specs/lib/silent_logger.ts";

export { LOG_LEVELS, type Logger, type LogLevelName, type LogProps, parseLogLevel, silentLogger };

/** A logger that owns an output; `close()` flushes it. */
export interface ClosableLogger extends Logger {
  close(): Promise<void>;
}

function toLogTapeLevel(level: LogLevelName): LogLevel {
  return level === "warn" ? "warning" : level;
}

/** Builds a logger that hands LogTape records at or above `level` to `sink`. */
export function sinkLogger(sink: Sink, level: LogLevelName, category: string[] = ["mass"]): Logger {
  const lowest = toLogTapeLevel(level);
  const emit = (lvl: LogLevel) => (message: string, props: LogProps = {}) => {
    if (compareLogLevel(lvl, lowest) < 0) return;
    const record: LogRecord = {
      category,
      level: lvl,
      message: [message],
      rawMessage: message,
      timestamp: Date.now(),
      properties: props,
    };
    try {
      sink(record);
    } catch {
      // Logging must never take the daemon down.
    }
  };
  return {
    trace: emit("trace"),
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warning"),
    error: emit("error"),
    child: (name) => sinkLogger(sink, level, [...category, name]),
  };
}

export interface FileLogOptions {
  /** Log file path; parent directories are created (0700). */
  path: string;
  level?: LogLevelName;
  /** Also copy each line to stderr (foreground `mass server`). */
  stderr?: boolean;
}

/** Opens (appends to) a JSON-lines log file. */
export async function openFileLogger(opts: FileLogOptions): Promise<ClosableLogger> {
  const dir = opts.path.slice(0, opts.path.lastIndexOf("/"));
  if (dir) await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = await Deno.open(opts.path, { create: true, append: true, mode: 0o600 });
  const formatter = getJsonLinesFormatter();
  const encoder = new TextEncoder();
  // Synchronous appends: a line is on disk when the call returns, so a kill -9 of agentd
  // (the case recovery is for) still leaves the log that explains it.
  const write = (target: { writeSync(p: Uint8Array): number }, line: string) => {
    const bytes = encoder.encode(line);
    let off = 0;
    while (off < bytes.length) off += target.writeSync(bytes.subarray(off));
  };
  let closed = false;
  const sink: Sink = (r) => {
    if (closed) return;
    const line = formatter(r);
    write(file, line);
    if (opts.stderr) write(Deno.stderr, line);
  };
  const logger = sinkLogger(sink, opts.level ?? "info");
  return {
    ...logger,
    close() {
      if (!closed) {
        closed = true;
        file.close();
      }
      return Promise.resolve();
    },
  };
}
