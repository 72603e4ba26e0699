/**
 * The `--log-level` vocabulary shared by `mass server`, `mass run` and `mass mesh-mcp`
 * (agentd forwards its level to the processes it starts).
 */

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Structured fields of one log line. */
export type LogProps = Record<string, unknown>;

/** Unknown names fall back to info, like the original. */
export function parseLogLevel(name: string | undefined): LogLevelName {
  return (LOG_LEVELS as readonly string[]).includes(name ?? "") ? name as LogLevelName : "info";
}
