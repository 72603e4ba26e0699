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
  /** Rotate once the file would grow past this (default 10 MiB). */
  maxBytes?: number;
  /** Rotated files kept: `<path>.1` (newest) to `<path>.<keep>` (default 3). */
  keep?: number;
}

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 3;

/** Opens (appends to) a JSON-lines log file, rotated by size. */
export async function openFileLogger(opts: FileLogOptions): Promise<ClosableLogger> {
  const dir = opts.path.slice(0, opts.path.lastIndexOf("/"));
  if (dir) await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const maxBytes = opts.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const keep = opts.keep ?? DEFAULT_LOG_KEEP;
  const open = () => Deno.openSync(opts.path, { create: true, append: true, mode: 0o600 });
  let file = open();
  let size = file.statSync().size;
  const formatter = getJsonLinesFormatter();
  const encoder = new TextEncoder();
  // Synchronous appends: a line is on disk when the call returns, so a kill -9 of agentd
  // (the case recovery is for) still leaves the log that explains it.
  const write = (target: { writeSync(p: Uint8Array): number }, bytes: Uint8Array) => {
    let off = 0;
    while (off < bytes.length) off += target.writeSync(bytes.subarray(off));
  };
  const rotate = () => {
    file.close();
    _shiftLogs(opts.path, keep);
    file = open();
    size = 0;
  };
  let closed = false;
  const sink: Sink = (r) => {
    if (closed) return;
    const bytes = encoder.encode(formatter(r));
    if (size > 0 && size + bytes.length > maxBytes) rotate();
    write(file, bytes);
    size += bytes.length;
    if (opts.stderr) write(Deno.stderr, bytes);
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

/** `<path>` → `<path>.1` → … → `<path>.<keep>`; the oldest falls off (keep 0: just removed). */
function _shiftLogs(path: string, keep: number): void {
  try {
    if (keep <= 0) {
      Deno.removeSync(path);
      return;
    }
    for (let i = keep - 1; i >= 1; i--) {
      try {
        Deno.renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
    Deno.renameSync(path, `${path}.1`);
  } catch {
    // A failed rotation must not stop logging: the file just keeps growing.
  }
}
