/**
 * The `--log-level` vocabulary shared by `mass server`, `mass run` and `mass mesh-mcp`
 * (agentd forwards its level to the processes it starts).
 *
 * @module
 */

/** The accepted `--log-level` names, least severe first. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
/** One of {@linkcode LOG_LEVELS}. */
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * The level named by `name`; unknown or missing names fall back to info, like the original.
 *
 * @example
 * ```ts
 * import { parseLogLevel } from "./log_level.ts";
 * parseLogLevel("debug"); // "debug"
 * parseLogLevel("loud"); // "info"
 * ```
 */
export function parseLogLevel(name: string | undefined): LogLevelName {
  return (LOG_LEVELS as readonly string[]).includes(name ?? "") ? name as LogLevelName : "info";
}
