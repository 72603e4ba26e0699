/** The event-cursor aggregate: `["v1","cursors",ws,name]`, the last event seq agentd consumed. */
import type { AgentRun, RunKey } from "../../specs/ari.ts";
import { InvalidParamsError, NotFoundError } from "../../specs/errors.ts";
import { commit } from "./commit.ts";
import type { StoreContext } from "./context.ts";
import * as K from "./keys.ts";
import { RETRY, retry } from "./retry.ts";
import { assertRunKey } from "./run_entry.ts";

/** The last event seq agentd consumed for the run, or undefined when none yet. */
export async function getCursor(ctx: StoreContext, key: RunKey): Promise<number | undefined> {
  const { workspace, name } = assertRunKey(key);
  return (await ctx.kv.get<number>(K.cursorKey(workspace, name))).value ?? undefined;
}

/**
 * Moves the run's cursor forward to `seq` (never backwards, so a late or replayed write
 * cannot cause re-delivery). Returns the stored cursor. NotFoundError when the run is gone,
 * so a deleted run never gets its cursor back.
 */
export async function advanceCursor(
  ctx: StoreContext,
  key: RunKey,
  seq: number,
): Promise<number> {
  const { workspace, name } = assertRunKey(key);
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new InvalidParamsError(`cursor seq must be a non-negative integer: ${seq}`);
  }
  return await retry(`cursor ${workspace}/${name}`, async () => {
    const [run, cur] = await ctx.kv.getMany<[AgentRun, number]>([
      K.runKey(workspace, name),
      K.cursorKey(workspace, name),
    ]);
    if (!run.value) throw new NotFoundError(`agent ${workspace}/${name} not found`);
    if (cur.value !== null && cur.value >= seq) return cur.value;
    const op = ctx.kv.atomic().check(run).check(cur).set(K.cursorKey(workspace, name), seq);
    return await commit(ctx, op, `cursor ${workspace}/${name}`) ? seq : RETRY;
  });
}

/** Forgets the run's cursor (the next consumer starts from the beginning). */
export async function resetCursor(ctx: StoreContext, key: RunKey): Promise<void> {
  const { workspace, name } = assertRunKey(key);
  await ctx.kv.delete(K.cursorKey(workspace, name));
}
