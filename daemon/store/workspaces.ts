/**
 * The Workspace aggregate: `["v1","workspaces",ws]`, with `status.refCount` derived from the
 * workspace's run counter (`["v1","runcounts",ws]`), never stored.
 */
import type {
  ListOptions,
  ObjectMeta,
  Workspace,
  WorkspacePhase,
  WorkspaceSpec,
  WorkspaceStatus,
} from "../../specs/ari.ts";
import { ConflictError, NotFoundError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import { applyMutator, type CasOptions, checkPhase, type Mutator } from "./cas.ts";
import { commit } from "./commit.ts";
import { stamp, type StoreContext } from "./context.ts";
import { AlreadyExistsError } from "./errors.ts";
import * as K from "./keys.ts";
import { RETRY, retry } from "./retry.ts";
import { assertListOptions, matchesSelector } from "./selectors.ts";

/** A Workspace as given to create/put: `kind` and `status` optional (status defaults to pending). */
export interface WorkspaceInput {
  kind?: "Workspace";
  metadata: ObjectMeta;
  spec: WorkspaceSpec;
  status?: WorkspaceStatus;
}

const ALL_WORKSPACE_PHASES: readonly WorkspacePhase[] = ["pending", "ready", "error", "deleting"];

/** The workspace `name` with its refCount, or undefined when absent. */
export async function getWorkspace(
  ctx: StoreContext,
  name: string,
): Promise<Workspace | undefined> {
  assertName(name, "workspace");
  const [ws, count] = await _workspaceAndRunCount(ctx, name);
  return ws.value ? _withRefCount(ws.value, count.value ?? 0) : undefined;
}

/** Workspaces sorted by name, with their refCounts, filtered by labels and fields. */
export async function listWorkspaces(
  ctx: StoreContext,
  opts?: ListOptions | null,
): Promise<Workspace[]> {
  assertListOptions("Workspace", opts);
  const counts = new Map<string, number>();
  for await (const e of ctx.kv.list<number>({ prefix: K.runCountsPrefix() })) {
    counts.set(e.key[2] as string, e.value);
  }
  const out: Workspace[] = [];
  for await (const e of ctx.kv.list<Workspace>({ prefix: K.workspacesPrefix() })) {
    const ws = _withRefCount(e.value, counts.get(e.value.metadata.name) ?? 0);
    if (matchesSelector(ws, opts)) out.push(ws);
  }
  return out;
}

/** Atomic: -32602 AlreadyExistsError when the name is taken. Status defaults to pending. */
export async function createWorkspace(
  ctx: StoreContext,
  input: WorkspaceInput,
): Promise<Workspace> {
  const name = assertName(input.metadata?.name, "metadata.name");
  const ws: Workspace = {
    kind: "Workspace",
    metadata: { ...structuredClone(input.metadata) },
    spec: structuredClone(input.spec),
    status: _stripRefCount(structuredClone(input.status ?? { phase: "pending" })),
  };
  stamp(ctx, ws);
  const key = K.workspaceKey(name);
  const op = ctx.kv.atomic().check({ key, versionstamp: null }).set(key, ws);
  if (!await commit(ctx, op, `workspace ${name}`)) {
    throw new AlreadyExistsError("Workspace", name);
  }
  return _withRefCount(ws, await countRuns(ctx, name));
}

/** Full replace (create when absent); createdAt is kept. */
export async function putWorkspace(ctx: StoreContext, input: WorkspaceInput): Promise<Workspace> {
  const name = assertName(input.metadata?.name, "metadata.name");
  return await retry(`workspace ${name}`, async () => {
    const key = K.workspaceKey(name);
    const prev = await ctx.kv.get<Workspace>(key);
    const ws: Workspace = {
      kind: "Workspace",
      metadata: structuredClone(input.metadata),
      spec: structuredClone(input.spec),
      status: _stripRefCount(
        structuredClone(input.status ?? prev.value?.status ?? { phase: "pending" }),
      ),
    };
    stamp(ctx, ws, prev.value?.metadata);
    const op = ctx.kv.atomic().check(prev).set(key, ws);
    if (!await commit(ctx, op, `workspace ${name}`)) return RETRY;
    return _withRefCount(ws, await countRuns(ctx, name));
  });
}

/**
 * Check-and-set on a workspace's phase: applies `mutate` to a copy when the phase is one of
 * `expected`. Throws NotFoundError (-32602) or PhaseConflictError (-32001).
 */
export async function casWorkspace(
  ctx: StoreContext,
  name: string,
  expected: readonly WorkspacePhase[],
  mutate: Mutator<Workspace>,
  opts: CasOptions = {},
): Promise<Workspace> {
  assertName(name, "workspace");
  return await retry(`workspace ${name}`, async () => {
    const key = K.workspaceKey(name);
    const [cur, count] = await _workspaceAndRunCount(ctx, name);
    if (!cur.value) throw new NotFoundError(`workspace ${name} not found`);
    checkPhase("Workspace", name, cur.value.status.phase, expected, opts);
    const next = applyMutator(cur.value, mutate);
    next.kind = "Workspace";
    next.metadata.name = name;
    next.status = _stripRefCount(next.status);
    stamp(ctx, next, cur.value.metadata);
    const op = ctx.kv.atomic().check(cur).set(key, next);
    if (!await commit(ctx, op, `workspace ${name}`)) return RETRY;
    return _withRefCount(next, count.value ?? 0);
  });
}

/** {@link casWorkspace} with any phase accepted. */
export async function updateWorkspace(
  ctx: StoreContext,
  name: string,
  mutate: Mutator<Workspace>,
): Promise<Workspace> {
  return await casWorkspace(ctx, name, ALL_WORKSPACE_PHASES, mutate);
}

/**
 * First step of workspace/delete: atomically, when the workspace has no AgentRuns and is in
 * one of `from`, sets its phase to `deleting`, which makes createRun refuse it. Throws
 * NotFoundError, ConflictError when runs exist, or PhaseConflictError.
 */
export async function beginWorkspaceDelete(
  ctx: StoreContext,
  name: string,
  from: readonly WorkspacePhase[] = ALL_WORKSPACE_PHASES,
): Promise<Workspace> {
  assertName(name, "workspace");
  return await retry(`workspace ${name}`, async () => {
    const key = K.workspaceKey(name);
    const [cur, count] = await _workspaceAndRunCount(ctx, name);
    if (!cur.value) throw new NotFoundError(`workspace ${name} not found`);
    if ((count.value ?? 0) > 0) throw _runsExistError(name, count.value ?? 0);
    checkPhase("Workspace", name, cur.value.status.phase, from, {});
    const next = structuredClone(cur.value);
    next.status = { ..._stripRefCount(next.status), phase: "deleting" };
    stamp(ctx, next, cur.value.metadata);
    const op = ctx.kv.atomic().check(cur).check(count).set(key, next);
    if (!await commit(ctx, op, `workspace ${name}`)) return RETRY;
    return _withRefCount(next, 0);
  });
}

/**
 * Deletes the workspace record only when no AgentRun exists in it, checked in the same
 * atomic operation (by the run counter's versionstamp). Returns false when absent; throws
 * ConflictError (-32001) "workspace X has N agent(s) and cannot be deleted".
 */
export async function deleteWorkspaceIfNoRuns(ctx: StoreContext, name: string): Promise<boolean> {
  assertName(name, "workspace");
  return await retry(`workspace ${name}`, async () => {
    const [cur, count] = await _workspaceAndRunCount(ctx, name);
    if (!cur.value) return false;
    if ((count.value ?? 0) > 0) throw _runsExistError(name, count.value ?? 0);
    const op = ctx.kv.atomic().check(cur).check(count)
      .delete(K.workspaceKey(name)).delete(K.runCountKey(name));
    return await commit(ctx, op, `workspace ${name}`) ? true : RETRY;
  });
}

/** Number of AgentRun records in the workspace (its reference count). */
export async function countRuns(ctx: StoreContext, workspace: string): Promise<number> {
  assertName(workspace, "workspace");
  return (await ctx.kv.get<number>(K.runCountKey(workspace))).value ?? 0;
}

/** A workspace and its run counter, read together (their versionstamps guard commits). */
function _workspaceAndRunCount(ctx: StoreContext, name: string) {
  return ctx.kv.getMany<[Workspace, number]>([K.workspaceKey(name), K.runCountKey(name)]);
}

function _runsExistError(ws: string, n: number): ConflictError {
  return new ConflictError(`workspace ${ws} has ${n} agent(s) and cannot be deleted`);
}

function _stripRefCount(status: WorkspaceStatus): WorkspaceStatus {
  const { refCount: _ignored, ...rest } = status;
  return rest;
}

function _withRefCount(ws: Workspace, refCount: number): Workspace {
  return { ...ws, status: { ...ws.status, refCount } };
}
