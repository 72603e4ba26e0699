/**
 * The read cache of agent-runs for the hot `agentrun/get` path (a KV get costs ~0.07 ms).
 *
 * agentd is the only writer, and every write goes through commit.ts, which calls
 * {@link RunCache.invalidate} before and after: a read that overlapped a write is never
 * cached, so the cache can only hold what the store held after the last write.
 */
import type { AgentRun } from "../../specs/ari.ts";

/** Agent-runs by `workspace/name`; `null` caches "absent". One per Store. */
export class RunCache {
  readonly #runs = new Map<string, AgentRun | null>();
  #writes = 0;

  /**
   * The run `id` (`workspace/name`) from the cache, or else from `load`, caching the result
   * unless a write started or ended while `load` ran. Returns a copy the caller may mutate.
   *
   * @example
   * ```ts
   * const run = await cache.read("ws/a", async () => (await kv.get<AgentRun>(key)).value);
   * ```
   */
  async read(
    id: string,
    load: () => Promise<AgentRun | null>,
  ): Promise<AgentRun | undefined> {
    const cached = this.#runs.get(id);
    if (cached !== undefined) return cached === null ? undefined : structuredClone(cached);
    const before = this.#writes;
    const value = await load();
    if (before === this.#writes) this.#runs.set(id, value ?? null);
    return value ? structuredClone(value) : undefined;
  }

  /** Drops every cached run and marks a write, so reads in flight are not cached. */
  invalidate(): void {
    this.#writes++;
    this.#runs.clear();
  }
}
