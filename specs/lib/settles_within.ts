/**
 * "Did it finish in time?" as a boolean, for promises whose value is void (where
 * {@link withTimeout}'s undefined cannot tell the two outcomes apart).
 *
 * @module
 */
import { withTimeout } from "./with_timeout.ts";

/**
 * True when `promise` resolves within `ms`, false when the time passes first (the promise
 * keeps running). Rejections pass through.
 *
 * @example
 * ```ts
 * import { settlesWithin } from "./settles_within.ts";
 * const exited = new Promise<void>(() => {}); // never settles
 * const gone = await settlesWithin(exited, 10); // false after 10 ms
 * ```
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return (await withTimeout(promise.then(() => true), ms)) ?? false;
}
