/**
 * The one way the store commits a checked atomic operation: it invalidates the run read cache
 * around the commit and turns KV's "too large" into -32602.
 */
import { InvalidParamsError } from "../../specs/errors.ts";
import type { StoreContext } from "./context.ts";

/** KV's own limit on one value (V8-serialised). */
export const MAX_VALUE_BYTES = 65536;

/**
 * Commits `op`; returns false when a check failed. `what` names the record in the -32602
 * thrown when a value exceeds {@link MAX_VALUE_BYTES}.
 */
export async function commit(
  ctx: StoreContext,
  op: Deno.AtomicOperation,
  what: string,
): Promise<boolean> {
  ctx.runCache.invalidate();
  try {
    return (await op.commit()).ok;
  } catch (err) {
    if (err instanceof TypeError && /too large/i.test(err.message)) {
      throw new InvalidParamsError(
        `${what} is too large to store (max ${MAX_VALUE_BYTES} bytes)`,
      );
    }
    throw err;
  } finally {
    ctx.runCache.invalidate();
  }
}
