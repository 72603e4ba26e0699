/**
 * The logger used when a caller gives none.
 *
 * @module
 */
import type { Logger } from "./logger.ts";

/**
 * A {@linkcode Logger} that drops everything, as do its children.
 *
 * @example
 * ```ts
 * import { silentLogger } from "./silent_logger.ts";
 * silentLogger.child("runs").warn("nobody hears this");
 * ```
 */
export const silentLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
