/**
 * What every aggregate module of the store works on: the KV handle, the clock and the run
 * read cache of one Store, plus the timestamping every write shares.
 */
import type { ObjectMeta } from "../../specs/ari.ts";
import type { RunCache } from "./run_cache.ts";

/** One Store's KV handle, clock and read cache, passed to every aggregate function. */
export interface StoreContext {
  readonly kv: Deno.Kv;
  /** Clock for timestamps. */
  readonly now: () => Date;
  readonly runCache: RunCache;
}

/**
 * Stamps `metadata.updatedAt` with now and `metadata.createdAt` with `prev.createdAt`
 * (or now when there is no previous record). RFC 3339, UTC, milliseconds.
 */
export function stamp(ctx: StoreContext, obj: { metadata: ObjectMeta }, prev?: ObjectMeta): void {
  const now = ctx.now().toISOString();
  obj.metadata.createdAt = prev?.createdAt ?? now;
  obj.metadata.updatedAt = now;
}
