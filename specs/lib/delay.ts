/**
 * Waiting that can be cut short: supervision loops sleep between polls and restarts, and must
 * wake at once when they are told to stop.
 *
 * @module
 */

/** What may end a {@linkcode delay} early. */
export interface DelayOptions {
  /** Wakes the delay (without error) when aborted. */
  signal?: AbortSignal;
  /** Wakes the delay (without error) when it settles, fulfilled or rejected. */
  wake?: Promise<unknown>;
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts or `wake` settles, whichever is first.
 * Unlike std's `delay` it never rejects: callers check their signal afterwards.
 *
 * @example
 * ```ts
 * import { delay } from "./delay.ts";
 * const stop = new AbortController();
 * setTimeout(() => stop.abort(), 10);
 * await delay(60_000, { signal: stop.signal }); // returns after about 10 ms
 * ```
 */
export function delay(ms: number, opts: DelayOptions = {}): Promise<void> {
  const { signal, wake } = opts;
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    wake?.then(done, done);
  });
}
