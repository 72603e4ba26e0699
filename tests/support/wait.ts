/**
 * Waiting in tests: every wait has a deadline, and its error says what was waited for.
 */

import { deadline as deadlineWithMessage } from "../../specs/lib/deadline.ts";
import { delay } from "../../specs/lib/delay.ts";

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return delay(ms);
}

/** Rejects with a labelled error if `promise` takes longer than `ms`. */
export function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return deadlineWithMessage(promise, ms, `timed out after ${ms} ms: ${what}`);
}

/**
 * Polls `check` every `everyMs` until it returns something other than undefined or false, and
 * returns that; throws after `ms`. An error thrown by `check` ends the wait at once, so a
 * check that expects transient failures (a socket not listening yet) catches them itself.
 */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 30_000,
  everyMs = 20,
): Promise<T> {
  const end = Date.now() + ms;
  while (true) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
