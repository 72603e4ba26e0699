/**
 * The AgentRun aggregate: `["v1","agentruns",ws,name]`. Every create/delete also writes the
 * workspace's and the agent's run counters, and resets the run's cursor, stop intent and
 * inbox sequence, all in one atomic operation.
 */
import { PHASES } from "../runs/phase.ts";
import type {
  Agent,
  AgentRun,
  AgentRunSpec,
  AgentRunStatus,
  ListOptions,
  ObjectMeta,
  RunKey,
  Workspace,
} from "../../specs/ari.ts";
import type { Phase } from "../../specs/events.ts";
import { ConflictError, InvalidParamsError, NotFoundError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import { type CasOptions, checkPhase, type Mutator } from "./cas.ts";
import { commit } from "./commit.ts";
import { stamp, type StoreContext } from "./context.ts";
import { setCount } from "./counters.ts";
import { AlreadyExistsError } from "./errors.ts";
import { purgeInbox } from "./inbox.ts";
import * as K from "./keys.ts";
import { RETRY, retry } from "./retry.ts";
import { assertRunKey, getRunEntry, nextRun } from "./run_entry.ts";
import { assertListOptions, matchesSelector } from "./selectors.ts";

/** An AgentRun as given to create: status defaults to `{ phase: "creating" }`. */
export interface AgentRunInput {
  kind?: "AgentRun";
  metadata: ObjectMeta & { workspace: string };
  spec: AgentRunSpec;
  status?: AgentRunStatus;
}

/** Filters of {@link listRuns}, on top of labels and field selectors. */
export interface RunQuery extends ListOptions {
  workspace?: string;
  phase?: Phase | readonly Phase[];
}

/** Preconditions {@link createRun} checks in its atomic operation. */
export interface CreateRunOptions {
  /** Require the workspace to be `ready` (default true): -32001 otherwise. */
  requireReadyWorkspace?: boolean;
  /**
   * Require the agent `spec.agent` to exist and not be disabled (-32602), checked in the same
   * atomic operation as the create (default false: a bare store may hold runs of agents it
   * does not know).
   */
  requireAgent?: boolean;
}

/** The run, or undefined when absent; served from the read cache when it can be. */
export async function getRun(ctx: StoreContext, key: RunKey): Promise<AgentRun | undefined> {
  const { workspace, name } = assertRunKey(key);
  return await ctx.runCache.read(
    `${workspace}/${name}`,
    async () => (await ctx.kv.get<AgentRun>(K.runKey(workspace, name))).value,
  );
}

/** Runs sorted by workspace then name, filtered by workspace, phase(s), labels, fields. */
export async function listRuns(ctx: StoreContext, query: RunQuery = {}): Promise<AgentRun[]> {
  assertListOptions("AgentRun", query);
  if (query.workspace !== undefined) assertName(query.workspace, "workspace");
  const phases = query.phase === undefined
    ? undefined
    : (typeof query.phase === "string" ? [query.phase] : query.phase);
  const out: AgentRun[] = [];
  for await (const e of ctx.kv.list<AgentRun>({ prefix: K.runsPrefix(query.workspace) })) {
    const run = e.value;
    if (phases && !phases.includes(run.status.phase)) continue;
    if (matchesSelector(run, query)) out.push(run);
  }
  return out;
}

/**
 * Atomic create: checks that the workspace exists (-32602) and, unless disabled, is ready
 * (-32001 "workspace X is not ready (phase=…)"), that the run does not exist
 * (AlreadyExistsError, -32001), with `requireAgent` that the agent exists and is enabled
 * (-32602), increments the workspace's and the agent's run counters and resets the run's
 * event cursor, all in one operation. Status defaults to `{ phase: "creating" }`.
 */
export async function createRun(
  ctx: StoreContext,
  input: AgentRunInput,
  opts: CreateRunOptions = {},
): Promise<AgentRun> {
  const ws = assertName(input.metadata?.workspace, "metadata.workspace");
  const name = assertName(input.metadata?.name, "metadata.name");
  const agent = assertName(input.spec?.agent, "spec.agent");
  const requireReady = opts.requireReadyWorkspace ?? true;
  let purged = false;
  return await retry(`agentrun ${ws}/${name}`, async () => {
    const [wsEntry, runEntry, count, agentEntry, agentCount] = await ctx.kv.getMany<
      [Workspace, AgentRun, number, Agent, number]
    >([
      K.workspaceKey(ws),
      K.runKey(ws, name),
      K.runCountKey(ws),
      K.agentKey(agent),
      K.agentRunCountKey(agent),
    ]);
    if (opts.requireAgent) {
      if (!agentEntry.value) throw new InvalidParamsError(`agent ${agent} not found`);
      if (agentEntry.value.spec.disabled) {
        throw new InvalidParamsError(`agent ${agent} is disabled`);
      }
    }
    if (!wsEntry.value) throw new NotFoundError(`workspace ${ws} not found`);
    const wsPhase = wsEntry.value.status.phase;
    if (wsPhase === "deleting" || (requireReady && wsPhase !== "ready")) {
      throw new ConflictError(`workspace ${ws} is not ready (phase=${wsPhase})`);
    }
    if (runEntry.value) throw new AlreadyExistsError("AgentRun", `${ws}/${name}`);
    if (!purged) {
      // Leftovers of an earlier run of this name whose delete was interrupted.
      await purgeInbox(ctx, ws, name);
      purged = true;
    }
    const run: AgentRun = {
      kind: "AgentRun",
      metadata: { ...structuredClone(input.metadata), workspace: ws, name },
      spec: structuredClone(input.spec),
      status: structuredClone(input.status ?? { phase: "creating" }),
    };
    stamp(ctx, run);
    const op = ctx.kv.atomic()
      .check(wsEntry).check(runEntry).check(count).check(agentCount)
      .set(K.runKey(ws, name), run)
      .set(K.runCountKey(ws), (count.value ?? 0) + 1)
      .set(K.agentRunCountKey(agent), (agentCount.value ?? 0) + 1)
      .delete(K.cursorKey(ws, name))
      .delete(K.stopIntentKey(ws, name))
      .delete(K.inboxSeqKey(ws, name));
    // The agent must not be deleted (or disabled) under the create.
    if (opts.requireAgent) op.check(agentEntry);
    return await commit(ctx, op, `agentrun ${ws}/${name}`) ? run : RETRY;
  });
}

/**
 * Check-and-set on a run's phase: when the stored phase is one of `expected`, applies
 * `mutate` to a copy and writes it, retrying on concurrent writes while the precondition
 * holds. Throws NotFoundError (-32602 "agent ws/name not found") or PhaseConflictError
 * (-32001, `.actualPhase`). The key fields (kind, workspace, name) cannot be changed.
 */
export async function casRun(
  ctx: StoreContext,
  key: RunKey,
  expected: readonly Phase[],
  mutate: Mutator<AgentRun>,
  opts: CasOptions = {},
): Promise<AgentRun> {
  const { workspace, name } = assertRunKey(key);
  return await retry(`agentrun ${workspace}/${name}`, async () => {
    const cur = await getRunEntry(ctx, workspace, name);
    const next = nextRun(ctx, cur.value, expected, mutate, opts);
    const op = ctx.kv.atomic().check(cur).set(K.runKey(workspace, name), next);
    return await commit(ctx, op, `agentrun ${workspace}/${name}`) ? next : RETRY;
  });
}

/** {@link casRun} with any phase accepted. */
export async function updateRun(
  ctx: StoreContext,
  key: RunKey,
  mutate: Mutator<AgentRun>,
): Promise<AgentRun> {
  return await casRun(ctx, key, PHASES, mutate);
}

/**
 * Deletes a run, its cursor and its inbox, and decrements the workspace's run counter in
 * the same atomic operation. With `expectedPhases`, refuses (PhaseConflictError) runs in
 * other phases. Returns false when absent.
 */
export async function deleteRun(
  ctx: StoreContext,
  key: RunKey,
  opts: { expectedPhases?: readonly Phase[]; message?: (actual: string) => string } = {},
): Promise<boolean> {
  const { workspace, name } = assertRunKey(key);
  const deleted = await retry(`agentrun ${workspace}/${name}`, async () => {
    const [cur, count] = await ctx.kv.getMany<[AgentRun, number]>([
      K.runKey(workspace, name),
      K.runCountKey(workspace),
    ]);
    if (!cur.value) return false;
    if (opts.expectedPhases) {
      checkPhase("AgentRun", `${workspace}/${name}`, cur.value.status.phase, opts.expectedPhases, {
        message: opts.message,
      });
    }
    const agent = cur.value.spec.agent;
    const agentCount = await ctx.kv.get<number>(K.agentRunCountKey(agent));
    const op = ctx.kv.atomic().check(cur).check(count).check(agentCount)
      .delete(K.runKey(workspace, name))
      .delete(K.cursorKey(workspace, name))
      .delete(K.stopIntentKey(workspace, name))
      .delete(K.inboxSeqKey(workspace, name));
    setCount(op, K.runCountKey(workspace), (count.value ?? 1) - 1);
    setCount(op, K.agentRunCountKey(agent), (agentCount.value ?? 1) - 1);
    return await commit(ctx, op, `agentrun ${workspace}/${name}`) ? true : RETRY;
  });
  if (deleted) await purgeInbox(ctx, workspace, name);
  return deleted;
}
