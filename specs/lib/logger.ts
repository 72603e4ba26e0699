/**
 * The one logging interface every part of mass writes through: agentd (JSON lines), the
 * agent-run and the mesh server (text lines) each implement it over their own LogTape sink,
 * so shared code can take any of them.
 *
 * @module
 */

/** Structured fields of one log line. */
export type LogProps = Record<string, unknown>;

/**
 * A leveled, structured logger. Loggers are instances (never process-global), so a test can
 * hold several in one process.
 *
 * @example
 * ```ts
 * import type { Logger } from "./logger.ts";
 * function startSweep(log: Logger) {
 *   const sweep = log.child("sweep");
 *   sweep.info("sweep started", { runs: 3 });
 * }
 * ```
 */
export interface Logger {
  trace(message: string, props?: LogProps): void;
  debug(message: string, props?: LogProps): void;
  info(message: string, props?: LogProps): void;
  warn(message: string, props?: LogProps): void;
  error(message: string, props?: LogProps): void;
  /** A logger whose category has `name` appended. */
  child(name: string): Logger;
}
