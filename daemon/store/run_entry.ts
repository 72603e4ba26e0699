/**
 * Reading and rewriting one AgentRun record, shared by the runs and inbox aggregates (both
 * CAS the run: the inbox's deliveries move it idle→running in the same operation).
 */
import type { AgentRun, RunKey } from "../../specs/ari.ts";
import type { Phase } from "../../specs/events.ts";
import { NotFoundError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import { applyMutator, type CasOptions, checkPhase, type Mutator } from "./cas.ts";
import { stamp, type StoreContext } from "./context.ts";
import * as K from "./keys.ts";

/** A validated copy of `key`: both names checked with specs/names.ts (-32602). */
export function assertRunKey(key: RunKey): RunKey {
  return {
    workspace: assertName(key?.workspace, "workspace"),
    name: assertName(key?.name, "name"),
  };
}

/** The run's KV entry (for its versionstamp); NotFoundError "agent ws/name not found". */
export async function getRunEntry(
  ctx: StoreContext,
  ws: string,
  name: string,
): Promise<Deno.KvEntry<AgentRun>> {
  const cur = await ctx.kv.get<AgentRun>(K.runKey(ws, name));
  if (cur.value === null) throw new NotFoundError(`agent ${ws}/${name} not found`);
  return cur as Deno.KvEntry<AgentRun>;
}

/**
 * The run after `mutate`, stamped, with its key fields (kind, workspace, name) kept;
 * PhaseConflictError when `cur` is not in `expected`.
 */
export function nextRun(
  ctx: StoreContext,
  cur: AgentRun,
  expected: readonly Phase[],
  mutate: Mutator<AgentRun>,
  opts: CasOptions,
): AgentRun {
  const { workspace, name } = cur.metadata;
  checkPhase("AgentRun", `${workspace}/${name}`, cur.status.phase, expected, opts);
  const next = applyMutator(cur, mutate);
  next.kind = "AgentRun";
  next.metadata.workspace = workspace;
  next.metadata.name = name;
  stamp(ctx, next, cur.metadata);
  return next;
}
