/**
 * The stop-intent aggregate: `["v1","stopintents",ws,name]`, the pid of the agent-run that
 * agentrun/stop is stopping, so that a recovery after an agentd crash in the middle of the
 * stop does not restart it by policy. Dropped with the run.
 */
import type { RunKey } from "../../specs/ari.ts";
import type { StoreContext } from "./context.ts";
import * as K from "./keys.ts";
import { assertRunKey } from "./run_entry.ts";

/** Records that agentd is stopping the agent-run `pid` of the run on request. */
export async function setStopIntent(ctx: StoreContext, key: RunKey, pid: number): Promise<void> {
  const { workspace, name } = assertRunKey(key);
  await ctx.kv.set(K.stopIntentKey(workspace, name), pid);
}

/** The pid recorded by {@link setStopIntent}, if any. */
export async function getStopIntent(
  ctx: StoreContext,
  key: RunKey,
): Promise<number | undefined> {
  const { workspace, name } = assertRunKey(key);
  return (await ctx.kv.get<number>(K.stopIntentKey(workspace, name))).value ?? undefined;
}

/** Drops the run's stop intent (absent is fine). */
export async function clearStopIntent(ctx: StoreContext, key: RunKey): Promise<void> {
  const { workspace, name } = assertRunKey(key);
  await ctx.kv.delete(K.stopIntentKey(workspace, name));
}
