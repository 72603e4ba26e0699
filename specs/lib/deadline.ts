/**
 * Bounded waits that fail loudly: every wait on a peer has a timeout, and the error says what
 * was waited for.
 *
 * @module
 */

/**
 * Resolves or rejects like `promise`, or rejects with `new Error(message)` when `ms` passes
 * first (the promise keeps running; the timer is always cleared).
 *
 * @example
 * ```ts
 * import { deadline } from "./deadline.ts";
 * const never = new Promise<void>(() => {});
 * await deadline(never, 10, "connect /tmp/x.sock: timed out after 10 ms").catch((err) => {
 *   console.log(err.message); // connect /tmp/x.sock: timed out after 10 ms
 * });
 * ```
 */
export async function deadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
