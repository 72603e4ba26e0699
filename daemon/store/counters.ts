/**
 * The run counters: per workspace (`runcounts`, the workspace's reference count) and per agent
 * (`agentruncounts`), written in the same atomic operation as every run create/delete.
 */
import type { AgentRun } from "../../specs/ari.ts";
import { commit } from "./commit.ts";
import type { StoreContext } from "./context.ts";
import * as K from "./keys.ts";

/** Mutations per atomic operation when building counters (KV allows 1000). */
const COUNTER_BATCH = 500;

/** Adds a counter write to `op`; zero (or less) removes the key, so absent means zero. */
export function setCount(op: Deno.AtomicOperation, key: Deno.KvKey, n: number): void {
  if (n <= 0) op.delete(key);
  else op.set(key, n);
}

/**
 * Builds the per-agent run counters from the runs, once per store: stores written before the
 * counters existed have none (and a build cut short is redone, as the marker comes last).
 */
export async function ensureAgentRunCounts(ctx: StoreContext): Promise<void> {
  const { kv } = ctx;
  if ((await kv.get(K.agentRunCountsReadyKey())).versionstamp !== null) return;
  const counts = new Map<string, number>();
  for await (const e of kv.list<AgentRun>({ prefix: K.runsPrefix() })) {
    const agent = e.value.spec.agent;
    counts.set(agent, (counts.get(agent) ?? 0) + 1);
  }
  const writes: [Deno.KvKey, number][] = [];
  for await (const e of kv.list<number>({ prefix: K.agentRunCountsPrefix() })) {
    if (!counts.has(e.key[2] as string)) writes.push([e.key, 0]);
  }
  for (const [agent, n] of counts) writes.push([K.agentRunCountKey(agent), n]);
  for (let i = 0; i < writes.length; i += COUNTER_BATCH) {
    const op = kv.atomic();
    for (const [key, n] of writes.slice(i, i + COUNTER_BATCH)) setCount(op, key, n);
    await commit(ctx, op, "agent run counters");
  }
  await commit(ctx, kv.atomic().set(K.agentRunCountsReadyKey(), true), "store marker");
}
