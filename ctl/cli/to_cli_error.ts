/**
 * Where the CLI meets the client's errors: a wait's TimeoutError or WaitFailedError becomes
 * the CliError massctl has always printed (`timed out after 10m waiting for …`).
 */
import { TimeoutError, WaitFailedError } from "../client/errors.ts";
import { formatDuration } from "./duration.ts";
import { CliError } from "./errors.ts";
import { withNextStep } from "./next_step.ts";

/** The CLI's form of `err`; anything that is not a client wait error is returned as is. */
export function toCliError(err: unknown): unknown {
  if (err instanceof TimeoutError) {
    return new CliError(`timed out after ${formatDuration(err.timeoutMs)} waiting for ${err.what}`);
  }
  if (err instanceof WaitFailedError) return new CliError(err.message);
  return withNextStep(err);
}
