/**
 * When an agent-run ends on its own, whether to start it again and after how long.
 * Pure functions: the supervisor owns the timers.
 */
import type { RestartPolicy } from "../../specs/ari.ts";

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** True when agentd itself stopped or deleted the run: never restarted. */
  requested: boolean;
}

export const BACKOFF_INITIAL_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;
/** A run that stayed up this long starts its backoff from the beginning again. */
export const BACKOFF_RESET_AFTER_MS = 60_000;

/** A failure is a non-zero exit, a signal, or an exit we know nothing about. */
export function isFailure(exit: ExitInfo): boolean {
  if (exit.signal) return true;
  return exit.exitCode !== 0;
}

/**
 * True when `policy` says to start the run again after `exit`: `always`, or `on-failure` after a
 * non-zero exit or a signal; never after a stop or delete agentd asked for.
 */
export function shouldRestart(policy: RestartPolicy | undefined, exit: ExitInfo): boolean {
  if (exit.requested) return false;
  switch (policy ?? "never") {
    case "always":
      return true;
    case "on-failure":
      return isFailure(exit);
    default:
      return false;
  }
}

/** Delay before restart number `attempt` (0-based, counted since the last reset). */
export function backoffDelay(attempt: number): number {
  const ms = BACKOFF_INITIAL_MS * 2 ** Math.max(0, attempt);
  return Math.min(ms, BACKOFF_MAX_MS);
}

/** The attempt number to use next, given how long the run stayed up. */
export function nextAttempt(previousAttempt: number, upMs: number): number {
  return upMs >= BACKOFF_RESET_AFTER_MS ? 0 : previousAttempt + 1;
}
