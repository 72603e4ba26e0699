/**
 * Bounded waits that give up quietly: "did it finish in time?" without turning the timeout
 * into an error.
 *
 * @module
 */

/**
 * Resolves with `promise`'s value, or with undefined when `ms` passes first (the promise
 * keeps running; its timer is always cleared). Rejections pass through.
 *
 * @example
 * ```ts
 * import { withTimeout } from "./with_timeout.ts";
 * const exited = new Promise<number>(() => {}); // never settles
 * const code = await withTimeout(exited, 10); // undefined after 10 ms
 * ```
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
