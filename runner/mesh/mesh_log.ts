/**
 * The mesh server's logger: LogTape text lines to stderr or to
 * `<dir>/workspace-mesh-server.log`. Never stdout: stdout carries the MCP messages.
 * Built per server (no LogTape `configure()`), so tests can hold several in one process.
 */
import { compareLogLevel, defaultTextFormatter, type LogLevel } from "@logtape/logtape";
import { join } from "node:path";
import type { LogLevelName } from "../../specs/lib/log_level.ts";
import type { Logger, LogProps } from "../../specs/lib/logger.ts";

export const MESH_LOG_FILE = "workspace-mesh-server.log";

/** A logger writing text lines at or above `level` to `write`. */
export function meshTextLogger(
  write: (line: string) => void,
  level: LogLevelName = "info",
  category: string[] = ["mass", "mesh"],
): Logger {
  const lowest: LogLevel = level === "warn" ? "warning" : level;
  const at = (lvl: LogLevel) => (message: string, properties: LogProps = {}) => {
    if (compareLogLevel(lvl, lowest) < 0) return;
    const extra = Object.keys(properties).length ? ` ${JSON.stringify(properties)}` : "";
    const line = defaultTextFormatter({
      category,
      level: lvl,
      message: [message + extra],
      rawMessage: message,
      timestamp: Date.now(),
      properties,
    });
    try {
      write(line);
    } catch {
      // A log line that cannot be written must not take the server down.
    }
  };
  return {
    trace: at("trace"),
    debug: at("debug"),
    info: at("info"),
    warn: at("warning"),
    error: at("error"),
    child: (name) => meshTextLogger(write, level, [...category, name]),
  };
}

/**
 * Opens the mesh logger: to `<logDir>/workspace-mesh-server.log` (appending) when a
 * directory is given, else to stderr. `close()` releases the file.
 */
export function openMeshLogger(
  opts: { level?: LogLevelName; logDir?: string } = {},
): Logger & { close(): void } {
  const encoder = new TextEncoder();
  if (!opts.logDir) {
    const logger = meshTextLogger((l) => Deno.stderr.writeSync(encoder.encode(l)), opts.level);
    return { ...logger, close() {} };
  }
  Deno.mkdirSync(opts.logDir, { recursive: true });
  const file = Deno.openSync(join(opts.logDir, MESH_LOG_FILE), {
    append: true,
    create: true,
    mode: 0o600,
  });
  let open = true;
  const logger = meshTextLogger((l) => {
    if (open) file.writeSync(encoder.encode(l));
  }, opts.level);
  return {
    ...logger,
    close() {
      if (!open) return;
      open = false;
      file.close();
    },
  };
}
