/**
 * agentd's persistent store: one Deno KV file (`<root>/mass.kv`), agentd its only writer.
 *
 * ```ts
 * const store = await Store.open(`${root}/mass.kv`);
 * await store.createWorkspace({ metadata: { name: "ws" }, spec: { source: { type: "emptyDir" } } });
 * await store.casWorkspace("ws", ["pending"], (w) => { w.status = { phase: "ready", path } });
 * await store.createRun({ metadata: { workspace: "ws", name: "a" }, spec: { agent: "demo" } });
 * await store.casRun({ workspace: "ws", name: "a" }, ["idle"], (r) => { r.status.phase = "running" });
 * store.close();
 * ```
 *
 * Guarantees:
 * - Every name is checked with specs/names.ts before it becomes a key (-32602).
 * - `create*` is atomic and fails with {@link AlreadyExistsError} when the key exists.
 * - `metadata.createdAt` is stamped on create and kept on every update; `metadata.updatedAt`
 *   is stamped on every write (RFC 3339, UTC, milliseconds).
 * - `cas*` re-reads and retries on versionstamp conflicts only while the phase precondition
 *   still holds; otherwise it throws {@link PhaseConflictError} (-32001) with the actual phase.
 * - The AgentRuns of a workspace are counted in a per-workspace counter written in the same
 *   atomic operation as every run create/delete. `createRun` checks the workspace record and
 *   `deleteWorkspaceIfNoRuns` checks the counter, both by versionstamp, so a run can never be
 *   created in a workspace that is being deleted. The counter is the workspace's reference
 *   count, returned as `status.refCount` (never stored in the workspace value).
 * - Likewise the AgentRuns of each agent (`spec.agent`) are counted in a per-agent counter
 *   written with every run create/delete. `createRun` with `requireAgent` checks the agent
 *   record and `deleteAgent` checks the counter, both by versionstamp, so an agent can never
 *   be deleted while a run names it, however the two calls interleave. Stores written before
 *   the counter existed get it built from their runs on open.
 * - A value larger than Deno KV's 64 KiB limit is rejected with -32602.
 * - Lists come back sorted by name (runs: by workspace, then name).
 */
import type {
  Agent,
  AgentRun,
  AgentRunSpec,
  AgentRunStatus,
  AgentSpec,
  ListOptions,
  ObjectMeta,
  RunKey,
  Workspace,
  WorkspacePhase,
  WorkspaceSpec,
  WorkspaceStatus,
} from "../../specs/ari.ts";
import type { ContentBlock, Phase } from "../../specs/events.ts";
import { ConflictError, InvalidParamsError, NotFoundError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import * as K from "./keys.ts";
import { AgentInUseError, AlreadyExistsError, KIND_WORDS, PhaseConflictError } from "./errors.ts";
import { assertListOptions, matchesSelector, type ObjectKind } from "./selectors.ts";

// ---------- input and result types ----------

/** A Workspace as given to create/put: `kind` and `status` optional (status defaults to pending). */
export interface WorkspaceInput {
  kind?: "Workspace";
  metadata: ObjectMeta;
  spec: WorkspaceSpec;
  status?: WorkspaceStatus;
}

export interface AgentInput {
  kind?: "Agent";
  metadata: ObjectMeta;
  spec: AgentSpec;
}

/** An AgentRun as given to create: status defaults to `{ phase: "creating" }`. */
export interface AgentRunInput {
  kind?: "AgentRun";
  metadata: ObjectMeta & { workspace: string };
  spec: AgentRunSpec;
  status?: AgentRunStatus;
}

/** Mutators may edit the copy they get in place (return nothing) or return a new object. */
export type Mutator<T> = (current: T) => T | void;

export interface CasOptions {
  /** Message for the PhaseConflictError (default: "<kind> <key> is <phase>, expected a|b"). */
  message?: (actualPhase: string) => string;
}

export interface RunQuery extends ListOptions {
  workspace?: string;
  phase?: Phase | readonly Phase[];
}

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

/** A message queued for an AgentRun by workspace/send while the target was busy. */
export interface InboxMessage {
  from: string;
  message: ContentBlock[];
  needsReply?: boolean;
}

export interface InboxEntry extends InboxMessage {
  /** Position in the run's inbox; increases by one per enqueue, never reused. */
  seqNo: number;
  enqueuedAt: string;
}

export interface ReserveOrEnqueueOptions {
  /** Phases in which the target is reserved instead of queued (default ["idle"]). */
  reservePhases?: readonly Phase[];
  /** Phases in which the message may wait (default ["creating","running","restarting"]). */
  queuePhases?: readonly Phase[];
  /** The reservation, e.g. `(r) => { r.status.phase = "running" }`. */
  reserve: Mutator<AgentRun>;
  message?: (actualPhase: string) => string;
}

/**
 * `reserved`: the run was reserved (the `reserve` mutator committed) and the caller must
 * deliver `deliver` now: the new message, or, to keep FIFO order when older messages were
 * waiting, the oldest queued one (then `queued` is the new message's entry).
 * Not `reserved`: the message waits in the inbox as `queued`.
 */
export type ReserveOrEnqueueResult =
  | { reserved: true; run: AgentRun; deliver: InboxMessage | InboxEntry; queued?: InboxEntry }
  | { reserved: false; run: AgentRun; queued: InboxEntry };

export interface StoreOptions {
  /** Clock for timestamps (tests). */
  now?: () => Date;
}

/** KV's own limit on one value (V8-serialised). */
export const MAX_VALUE_BYTES = 65536;

const MAX_ATTEMPTS = 100;
const RETRY = Symbol("retry");
type Attempt<T> = T | typeof RETRY;

const ALL_RUN_PHASES: readonly Phase[] = [
  "creating",
  "idle",
  "running",
  "restarting",
  "stopped",
  "error",
];
const ALL_WORKSPACE_PHASES: readonly WorkspacePhase[] = ["pending", "ready", "error", "deleting"];
const INBOX_PURGE_BATCH = 500;
/** Mutations per atomic operation when building counters (KV allows 1000). */
const COUNTER_BATCH = 500;

export class Store {
  readonly #kv: Deno.Kv;
  readonly #now: () => Date;
  #closed = false;
  /**
   * Read cache of agent-runs for the hot `agentrun/get` path (KV gets cost ~0.07 ms each).
   * agentd is the only writer, and every write goes through #commit, which bumps #writes
   * before and after: a read that overlapped a write is never cached, so the cache can only
   * hold what the store held after the last write.
   */
  readonly #runCache = new Map<string, AgentRun | null>();
  #writes = 0;

  /** Wraps an open KV handle; the Store owns it from now on (close() closes it). */
  constructor(kv: Deno.Kv, opts: StoreOptions = {}) {
    this.#kv = kv;
    this.#now = opts.now ?? (() => new Date());
  }

  /** Opens (creating if needed) the KV file at `path`. Its directory must exist. */
  static async open(path: string, opts: StoreOptions = {}): Promise<Store> {
    const store = new Store(await Deno.openKv(path), opts);
    try {
      await store.#ensureAgentRunCounts();
    } catch (err) {
      store.close();
      throw err;
    }
    return store;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#kv.close();
  }

  // ---------- workspaces ----------

  async getWorkspace(name: string): Promise<Workspace | undefined> {
    assertName(name, "workspace");
    const [ws, count] = await this.#workspaceAndRunCount(name);
    return ws.value ? withRefCount(ws.value, count.value ?? 0) : undefined;
  }

  async listWorkspaces(opts?: ListOptions | null): Promise<Workspace[]> {
    assertListOptions("Workspace", opts);
    const counts = new Map<string, number>();
    for await (const e of this.#kv.list<number>({ prefix: K.runCountsPrefix() })) {
      counts.set(e.key[2] as string, e.value);
    }
    const out: Workspace[] = [];
    for await (const e of this.#kv.list<Workspace>({ prefix: K.workspacesPrefix() })) {
      const ws = withRefCount(e.value, counts.get(e.value.metadata.name) ?? 0);
      if (matchesSelector(ws, opts)) out.push(ws);
    }
    return out;
  }

  /** Atomic: -32602 AlreadyExistsError when the name is taken. Status defaults to pending. */
  async createWorkspace(input: WorkspaceInput): Promise<Workspace> {
    const name = assertName(input.metadata?.name, "metadata.name");
    const ws: Workspace = {
      kind: "Workspace",
      metadata: { ...structuredClone(input.metadata) },
      spec: structuredClone(input.spec),
      status: stripRefCount(structuredClone(input.status ?? { phase: "pending" })),
    };
    this.#stamp(ws);
    const key = K.workspaceKey(name);
    const op = this.#kv.atomic().check({ key, versionstamp: null }).set(key, ws);
    if (!await this.#commit(op, `workspace ${name}`)) {
      throw new AlreadyExistsError("Workspace", name);
    }
    return withRefCount(ws, await this.countRuns(name));
  }

  /** Full replace (create when absent); createdAt is kept. */
  async putWorkspace(input: WorkspaceInput): Promise<Workspace> {
    const name = assertName(input.metadata?.name, "metadata.name");
    return await this.#retry(`workspace ${name}`, async () => {
      const key = K.workspaceKey(name);
      const prev = await this.#kv.get<Workspace>(key);
      const ws: Workspace = {
        kind: "Workspace",
        metadata: structuredClone(input.metadata),
        spec: structuredClone(input.spec),
        status: stripRefCount(
          structuredClone(input.status ?? prev.value?.status ?? { phase: "pending" }),
        ),
      };
      this.#stamp(ws, prev.value?.metadata);
      const op = this.#kv.atomic().check(prev).set(key, ws);
      if (!await this.#commit(op, `workspace ${name}`)) return RETRY;
      return withRefCount(ws, await this.countRuns(name));
    });
  }

  /**
   * Check-and-set on a workspace's phase: applies `mutate` to a copy when the phase is one of
   * `expected`. Throws NotFoundError (-32602) or PhaseConflictError (-32001).
   */
  async casWorkspace(
    name: string,
    expected: readonly WorkspacePhase[],
    mutate: Mutator<Workspace>,
    opts: CasOptions = {},
  ): Promise<Workspace> {
    assertName(name, "workspace");
    return await this.#retry(`workspace ${name}`, async () => {
      const key = K.workspaceKey(name);
      const [cur, count] = await this.#workspaceAndRunCount(name);
      if (!cur.value) throw new NotFoundError(`workspace ${name} not found`);
      checkPhase("Workspace", name, cur.value.status.phase, expected, opts);
      const next = applyMutator(cur.value, mutate);
      next.kind = "Workspace";
      next.metadata.name = name;
      next.status = stripRefCount(next.status);
      this.#stamp(next, cur.value.metadata);
      const op = this.#kv.atomic().check(cur).set(key, next);
      if (!await this.#commit(op, `workspace ${name}`)) return RETRY;
      return withRefCount(next, count.value ?? 0);
    });
  }

  /** casWorkspace with any phase accepted. */
  async updateWorkspace(name: string, mutate: Mutator<Workspace>): Promise<Workspace> {
    return await this.casWorkspace(name, ALL_WORKSPACE_PHASES, mutate);
  }

  /**
   * First step of workspace/delete: atomically, when the workspace has no AgentRuns and is in
   * one of `from`, sets its phase to `deleting`, which makes createRun refuse it. Throws
   * NotFoundError, ConflictError when runs exist, or PhaseConflictError.
   */
  async beginWorkspaceDelete(
    name: string,
    from: readonly WorkspacePhase[] = ["pending", "ready", "error", "deleting"],
  ): Promise<Workspace> {
    assertName(name, "workspace");
    return await this.#retry(`workspace ${name}`, async () => {
      const key = K.workspaceKey(name);
      const [cur, count] = await this.#workspaceAndRunCount(name);
      if (!cur.value) throw new NotFoundError(`workspace ${name} not found`);
      if ((count.value ?? 0) > 0) throw runsExistError(name, count.value ?? 0);
      checkPhase("Workspace", name, cur.value.status.phase, from, {});
      const next = structuredClone(cur.value);
      next.status = { ...stripRefCount(next.status), phase: "deleting" };
      this.#stamp(next, cur.value.metadata);
      const op = this.#kv.atomic().check(cur).check(count).set(key, next);
      if (!await this.#commit(op, `workspace ${name}`)) return RETRY;
      return withRefCount(next, 0);
    });
  }

  /**
   * Deletes the workspace record only when no AgentRun exists in it, checked in the same
   * atomic operation (by the run counter's versionstamp). Returns false when absent; throws
   * ConflictError (-32001) "workspace X has N agent(s) and cannot be deleted".
   */
  async deleteWorkspaceIfNoRuns(name: string): Promise<boolean> {
    assertName(name, "workspace");
    return await this.#retry(`workspace ${name}`, async () => {
      const [cur, count] = await this.#workspaceAndRunCount(name);
      if (!cur.value) return false;
      if ((count.value ?? 0) > 0) throw runsExistError(name, count.value ?? 0);
      const op = this.#kv.atomic().check(cur).check(count)
        .delete(K.workspaceKey(name)).delete(K.runCountKey(name));
      return await this.#commit(op, `workspace ${name}`) ? true : RETRY;
    });
  }

  /** Number of AgentRun records in the workspace (its reference count). */
  async countRuns(workspace: string): Promise<number> {
    assertName(workspace, "workspace");
    return (await this.#kv.get<number>(K.runCountKey(workspace))).value ?? 0;
  }

  // ---------- agents ----------

  async getAgent(name: string): Promise<Agent | undefined> {
    assertName(name, "agent");
    return (await this.#kv.get<Agent>(K.agentKey(name))).value ?? undefined;
  }

  async listAgents(opts?: ListOptions | null): Promise<Agent[]> {
    assertListOptions("Agent", opts);
    const out: Agent[] = [];
    for await (const e of this.#kv.list<Agent>({ prefix: K.agentsPrefix() })) {
      if (matchesSelector(e.value, opts)) out.push(e.value);
    }
    return out;
  }

  /** Atomic: -32602 AlreadyExistsError when the name is taken. */
  async createAgent(input: AgentInput): Promise<Agent> {
    const agent = this.#newAgent(input);
    if (!await this.#createAgentRecord(agent)) {
      throw new AlreadyExistsError("Agent", agent.metadata.name);
    }
    return agent;
  }

  /** For seeding built-in agents: creates only when absent; returns whether it did. */
  async createAgentIfAbsent(input: AgentInput): Promise<boolean> {
    return await this.#createAgentRecord(this.#newAgent(input));
  }

  /**
   * agent/update: full replace of an existing agent (createdAt kept).
   * NotFoundError (-32602) when absent.
   */
  async replaceAgent(input: AgentInput): Promise<Agent> {
    const name = assertName(input.metadata?.name, "metadata.name");
    return await this.updateAgent(name, () => ({
      kind: "Agent",
      metadata: structuredClone(input.metadata),
      spec: structuredClone(input.spec),
    }));
  }

  /** Read-modify-write of an existing agent. NotFoundError (-32602) when absent. */
  async updateAgent(name: string, mutate: Mutator<Agent>): Promise<Agent> {
    assertName(name, "agent");
    return await this.#retry(`agent ${name}`, async () => {
      const key = K.agentKey(name);
      const cur = await this.#kv.get<Agent>(key);
      if (!cur.value) throw new NotFoundError(`agent ${name} not found`);
      const next = applyMutator(cur.value, mutate);
      next.kind = "Agent";
      next.metadata.name = name;
      this.#stamp(next, cur.value.metadata);
      const op = this.#kv.atomic().check(cur).set(key, next);
      return await this.#commit(op, `agent ${name}`) ? next : RETRY;
    });
  }

  /**
   * Deletes the agent only when no AgentRun names it, checked in the same atomic operation (by
   * the agent's run counter). Returns false when absent; throws {@link AgentInUseError} (-32001).
   */
  async deleteAgent(name: string): Promise<boolean> {
    assertName(name, "agent");
    return await this.#retry(`agent ${name}`, async () => {
      const [cur, count] = await this.#kv.getMany<[Agent, number]>([
        K.agentKey(name),
        K.agentRunCountKey(name),
      ]);
      if (cur.versionstamp === null) return false;
      if ((count.value ?? 0) > 0) throw new AgentInUseError(name, count.value ?? 0);
      const op = this.#kv.atomic().check(cur).check(count).delete(K.agentKey(name));
      return await this.#commit(op, `agent ${name}`) ? true : RETRY;
    });
  }

  /** Number of AgentRun records whose `spec.agent` is `agent`. */
  async countAgentRuns(agent: string): Promise<number> {
    assertName(agent, "agent");
    return (await this.#kv.get<number>(K.agentRunCountKey(agent))).value ?? 0;
  }

  #newAgent(input: AgentInput): Agent {
    assertName(input.metadata?.name, "metadata.name");
    const agent: Agent = {
      kind: "Agent",
      metadata: structuredClone(input.metadata),
      spec: structuredClone(input.spec),
    };
    this.#stamp(agent);
    return agent;
  }

  async #createAgentRecord(agent: Agent): Promise<boolean> {
    const key = K.agentKey(agent.metadata.name);
    const op = this.#kv.atomic().check({ key, versionstamp: null }).set(key, agent);
    return await this.#commit(op, `agent ${agent.metadata.name}`);
  }

  // ---------- agent-runs ----------

  async getRun(key: RunKey): Promise<AgentRun | undefined> {
    const { workspace, name } = assertRunKey(key);
    const id = `${workspace}/${name}`;
    const cached = this.#runCache.get(id);
    if (cached !== undefined) return cached === null ? undefined : structuredClone(cached);
    const before = this.#writes;
    const value = (await this.#kv.get<AgentRun>(K.runKey(workspace, name))).value;
    if (before === this.#writes) this.#runCache.set(id, value ?? null);
    return value ? structuredClone(value) : undefined;
  }

  /** Runs sorted by workspace then name, filtered by workspace, phase(s), labels, fields. */
  async listRuns(query: RunQuery = {}): Promise<AgentRun[]> {
    assertListOptions("AgentRun", query);
    if (query.workspace !== undefined) assertName(query.workspace, "workspace");
    const phases = query.phase === undefined
      ? undefined
      : (typeof query.phase === "string" ? [query.phase] : query.phase);
    const out: AgentRun[] = [];
    for await (const e of this.#kv.list<AgentRun>({ prefix: K.runsPrefix(query.workspace) })) {
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
  async createRun(input: AgentRunInput, opts: CreateRunOptions = {}): Promise<AgentRun> {
    const ws = assertName(input.metadata?.workspace, "metadata.workspace");
    const name = assertName(input.metadata?.name, "metadata.name");
    const agent = assertName(input.spec?.agent, "spec.agent");
    const requireReady = opts.requireReadyWorkspace ?? true;
    let purged = false;
    return await this.#retry(`agentrun ${ws}/${name}`, async () => {
      const [wsEntry, runEntry, count, agentEntry, agentCount] = await this.#kv.getMany<
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
        await this.#purgeInbox(ws, name);
        purged = true;
      }
      const run: AgentRun = {
        kind: "AgentRun",
        metadata: { ...structuredClone(input.metadata), workspace: ws, name },
        spec: structuredClone(input.spec),
        status: structuredClone(input.status ?? { phase: "creating" }),
      };
      this.#stamp(run);
      const op = this.#kv.atomic()
        .check(wsEntry).check(runEntry).check(count).check(agentCount)
        .set(K.runKey(ws, name), run)
        .set(K.runCountKey(ws), (count.value ?? 0) + 1)
        .set(K.agentRunCountKey(agent), (agentCount.value ?? 0) + 1)
        .delete(K.cursorKey(ws, name))
        .delete(K.stopIntentKey(ws, name))
        .delete(K.inboxSeqKey(ws, name));
      // The agent must not be deleted (or disabled) under the create.
      if (opts.requireAgent) op.check(agentEntry);
      return await this.#commit(op, `agentrun ${ws}/${name}`) ? run : RETRY;
    });
  }

  /**
   * Check-and-set on a run's phase: when the stored phase is one of `expected`, applies
   * `mutate` to a copy and writes it, retrying on concurrent writes while the precondition
   * holds. Throws NotFoundError (-32602 "agent ws/name not found") or PhaseConflictError
   * (-32001, `.actualPhase`). The key fields (kind, workspace, name) cannot be changed.
   */
  async casRun(
    key: RunKey,
    expected: readonly Phase[],
    mutate: Mutator<AgentRun>,
    opts: CasOptions = {},
  ): Promise<AgentRun> {
    const { workspace, name } = assertRunKey(key);
    return await this.#retry(`agentrun ${workspace}/${name}`, async () => {
      const cur = await this.#getRunEntry(workspace, name);
      const next = this.#nextRun(cur.value, expected, mutate, opts);
      const op = this.#kv.atomic().check(cur).set(K.runKey(workspace, name), next);
      return await this.#commit(op, `agentrun ${workspace}/${name}`) ? next : RETRY;
    });
  }

  /** casRun with any phase accepted. */
  async updateRun(key: RunKey, mutate: Mutator<AgentRun>): Promise<AgentRun> {
    return await this.casRun(key, ALL_RUN_PHASES, mutate);
  }

  /**
   * Deletes a run, its cursor and its inbox, and decrements the workspace's run counter in
   * the same atomic operation. With `expectedPhases`, refuses (PhaseConflictError) runs in
   * other phases. Returns false when absent.
   */
  async deleteRun(
    key: RunKey,
    opts: { expectedPhases?: readonly Phase[]; message?: (actual: string) => string } = {},
  ): Promise<boolean> {
    const { workspace, name } = assertRunKey(key);
    const deleted = await this.#retry(`agentrun ${workspace}/${name}`, async () => {
      const [cur, count] = await this.#kv.getMany<[AgentRun, number]>([
        K.runKey(workspace, name),
        K.runCountKey(workspace),
      ]);
      if (!cur.value) return false;
      if (opts.expectedPhases) {
        checkPhase(
          "AgentRun",
          `${workspace}/${name}`,
          cur.value.status.phase,
          opts.expectedPhases,
          {
            message: opts.message,
          },
        );
      }
      const agent = cur.value.spec.agent;
      const agentCount = await this.#kv.get<number>(K.agentRunCountKey(agent));
      const op = this.#kv.atomic().check(cur).check(count).check(agentCount)
        .delete(K.runKey(workspace, name))
        .delete(K.cursorKey(workspace, name))
        .delete(K.stopIntentKey(workspace, name))
        .delete(K.inboxSeqKey(workspace, name));
      setCount(op, K.runCountKey(workspace), (count.value ?? 1) - 1);
      setCount(op, K.agentRunCountKey(agent), (agentCount.value ?? 1) - 1);
      return await this.#commit(op, `agentrun ${workspace}/${name}`) ? true : RETRY;
    });
    if (deleted) await this.#purgeInbox(workspace, name);
    return deleted;
  }

  // ---------- event cursors ----------

  /** The last event seq agentd consumed for the run, or undefined when none yet. */
  async getCursor(key: RunKey): Promise<number | undefined> {
    const { workspace, name } = assertRunKey(key);
    return (await this.#kv.get<number>(K.cursorKey(workspace, name))).value ?? undefined;
  }

  /**
   * Moves the run's cursor forward to `seq` (never backwards, so a late or replayed write
   * cannot cause re-delivery). Returns the stored cursor. NotFoundError when the run is gone,
   * so a deleted run never gets its cursor back.
   */
  async advanceCursor(key: RunKey, seq: number): Promise<number> {
    const { workspace, name } = assertRunKey(key);
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new InvalidParamsError(`cursor seq must be a non-negative integer: ${seq}`);
    }
    return await this.#retry(`cursor ${workspace}/${name}`, async () => {
      const [run, cur] = await this.#kv.getMany<[AgentRun, number]>([
        K.runKey(workspace, name),
        K.cursorKey(workspace, name),
      ]);
      if (!run.value) throw new NotFoundError(`agent ${workspace}/${name} not found`);
      if (cur.value !== null && cur.value >= seq) return cur.value;
      const op = this.#kv.atomic().check(run).check(cur).set(K.cursorKey(workspace, name), seq);
      return await this.#commit(op, `cursor ${workspace}/${name}`) ? seq : RETRY;
    });
  }

  /** Forgets the run's cursor (the next consumer starts from the beginning). */
  async resetCursor(key: RunKey): Promise<void> {
    const { workspace, name } = assertRunKey(key);
    await this.#kv.delete(K.cursorKey(workspace, name));
  }

  // ---------- stop intents ----------

  /**
   * Records that agentd is stopping the agent-run `pid` of the run on request, so that a
   * recovery after an agentd crash in the middle of the stop does not restart it by policy.
   * Dropped with the run.
   */
  async setStopIntent(key: RunKey, pid: number): Promise<void> {
    const { workspace, name } = assertRunKey(key);
    await this.#kv.set(K.stopIntentKey(workspace, name), pid);
  }

  /** The pid recorded by {@link setStopIntent}, if any. */
  async getStopIntent(key: RunKey): Promise<number | undefined> {
    const { workspace, name } = assertRunKey(key);
    return (await this.#kv.get<number>(K.stopIntentKey(workspace, name))).value ?? undefined;
  }

  async clearStopIntent(key: RunKey): Promise<void> {
    const { workspace, name } = assertRunKey(key);
    await this.#kv.delete(K.stopIntentKey(workspace, name));
  }

  // ---------- inbox (workspace/send to a busy target) ----------

  /** Appends a message to the run's inbox. NotFoundError when the run does not exist. */
  async enqueueInbox(key: RunKey, msg: InboxMessage): Promise<InboxEntry> {
    const { workspace, name } = assertRunKey(key);
    return await this.#retry(`inbox ${workspace}/${name}`, async () => {
      const run = await this.#getRunEntry(workspace, name);
      const seq = await this.#kv.get<number>(K.inboxSeqKey(workspace, name));
      const entry = this.#inboxEntry(msg, (seq.value ?? 0) + 1);
      const op = this.#kv.atomic().check(run).check(seq)
        .set(K.inboxSeqKey(workspace, name), entry.seqNo)
        .set(K.inboxEntryKey(workspace, name, entry.seqNo), entry);
      return await this.#commit(op, `inbox message for ${workspace}/${name}`) ? entry : RETRY;
    });
  }

  /** Waiting messages, oldest first. */
  async listInbox(key: RunKey, opts: { limit?: number } = {}): Promise<InboxEntry[]> {
    const { workspace, name } = assertRunKey(key);
    const out: InboxEntry[] = [];
    const iter = this.#kv.list<InboxEntry>({ prefix: K.inboxPrefix(workspace, name) }, {
      limit: opts.limit,
    });
    for await (const e of iter) out.push(e.value);
    return out;
  }

  /** Removes one delivered message. Returns false when it was not there. */
  async ackInbox(key: RunKey, seqNo: number): Promise<boolean> {
    const { workspace, name } = assertRunKey(key);
    const k = K.inboxEntryKey(workspace, name, seqNo);
    const cur = await this.#kv.get(k);
    if (cur.versionstamp === null) return false;
    const res = await this.#kv.atomic().check(cur).delete(k).commit();
    return res.ok;
  }

  /**
   * Delivery of the oldest waiting message: in one atomic operation, removes it from the inbox
   * and applies the run CAS (`expected` phases, `mutate`, e.g. idle→running). Returns
   * undefined when the inbox is empty (nothing written); PhaseConflictError when the run is
   * not in `expected`.
   */
  async takeInbox(
    key: RunKey,
    expected: readonly Phase[],
    mutate: Mutator<AgentRun>,
    opts: CasOptions = {},
  ): Promise<{ run: AgentRun; entry: InboxEntry } | undefined> {
    const { workspace, name } = assertRunKey(key);
    return await this.#retry(`inbox ${workspace}/${name}`, async () => {
      const cur = await this.#getRunEntry(workspace, name);
      const oldest = await this.#oldestInbox(workspace, name);
      if (!oldest) return undefined;
      const next = this.#nextRun(cur.value, expected, mutate, opts);
      const op = this.#kv.atomic().check(cur).check(oldest)
        .delete(oldest.key)
        .set(K.runKey(workspace, name), next);
      return await this.#commit(op, `agentrun ${workspace}/${name}`)
        ? { run: next, entry: oldest.value }
        : RETRY;
    });
  }

  /**
   * workspace/send in one atomic step: reserve the target when it is in `reservePhases`,
   * queue the message when it is in `queuePhases`, else PhaseConflictError. Because both
   * branches check the run's versionstamp, a message can never be queued just after the
   * target went idle and then wait forever. See {@link ReserveOrEnqueueResult}.
   */
  async reserveOrEnqueue(
    key: RunKey,
    msg: InboxMessage,
    opts: ReserveOrEnqueueOptions,
  ): Promise<ReserveOrEnqueueResult> {
    const { workspace, name } = assertRunKey(key);
    const reservePhases = opts.reservePhases ?? ["idle"];
    const queuePhases = opts.queuePhases ?? ["creating", "running", "restarting"];
    return await this.#retry(`inbox ${workspace}/${name}`, async () => {
      const cur = await this.#getRunEntry(workspace, name);
      const phase = cur.value.status.phase;
      const oldest = await this.#oldestInbox(workspace, name);
      if (reservePhases.includes(phase) && !oldest) {
        const next = this.#nextRun(cur.value, reservePhases, opts.reserve, opts);
        // The inbox-seq check makes a concurrent enqueue retry this branch.
        const seq = await this.#kv.get<number>(K.inboxSeqKey(workspace, name));
        const op = this.#kv.atomic().check(cur).check(seq).set(K.runKey(workspace, name), next);
        return await this.#commit(op, `agentrun ${workspace}/${name}`)
          ? { reserved: true as const, run: next, deliver: structuredClone(msg) }
          : RETRY;
      }
      const seq = await this.#kv.get<number>(K.inboxSeqKey(workspace, name));
      const entry = this.#inboxEntry(msg, (seq.value ?? 0) + 1);
      const op = this.#kv.atomic().check(cur).check(seq)
        .set(K.inboxSeqKey(workspace, name), entry.seqNo)
        .set(K.inboxEntryKey(workspace, name, entry.seqNo), entry);
      if (reservePhases.includes(phase) && oldest) {
        // Older messages wait: queue this one behind them and deliver the oldest.
        const next = this.#nextRun(cur.value, reservePhases, opts.reserve, opts);
        op.check(oldest).delete(oldest.key).set(K.runKey(workspace, name), next);
        return await this.#commit(op, `inbox message for ${workspace}/${name}`)
          ? { reserved: true as const, run: next, deliver: oldest.value, queued: entry }
          : RETRY;
      }
      checkPhase("AgentRun", `${workspace}/${name}`, phase, [...reservePhases, ...queuePhases], {
        message: opts.message,
      });
      return await this.#commit(op, `inbox message for ${workspace}/${name}`)
        ? { reserved: false as const, run: cur.value, queued: entry }
        : RETRY;
    });
  }

  // ---------- internals ----------

  /**
   * Builds the per-agent run counters from the runs, once per store: stores written before the
   * counters existed have none (and a build cut short is redone, as the marker comes last).
   */
  async #ensureAgentRunCounts(): Promise<void> {
    if ((await this.#kv.get(K.agentRunCountsReadyKey())).versionstamp !== null) return;
    const counts = new Map<string, number>();
    for await (const e of this.#kv.list<AgentRun>({ prefix: K.runsPrefix() })) {
      const agent = e.value.spec.agent;
      counts.set(agent, (counts.get(agent) ?? 0) + 1);
    }
    const writes: [Deno.KvKey, number][] = [];
    for await (const e of this.#kv.list<number>({ prefix: K.agentRunCountsPrefix() })) {
      if (!counts.has(e.key[2] as string)) writes.push([e.key, 0]);
    }
    for (const [agent, n] of counts) writes.push([K.agentRunCountKey(agent), n]);
    for (let i = 0; i < writes.length; i += COUNTER_BATCH) {
      const op = this.#kv.atomic();
      for (const [key, n] of writes.slice(i, i + COUNTER_BATCH)) setCount(op, key, n);
      await this.#commit(op, "agent run counters");
    }
    await this.#commit(this.#kv.atomic().set(K.agentRunCountsReadyKey(), true), "store marker");
  }

  async #getRunEntry(ws: string, name: string): Promise<Deno.KvEntry<AgentRun>> {
    const cur = await this.#kv.get<AgentRun>(K.runKey(ws, name));
    if (cur.value === null) throw new NotFoundError(`agent ${ws}/${name} not found`);
    return cur as Deno.KvEntry<AgentRun>;
  }

  #nextRun(
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
    this.#stamp(next, cur.metadata);
    return next;
  }

  async #oldestInbox(ws: string, name: string): Promise<Deno.KvEntry<InboxEntry> | undefined> {
    for await (
      const e of this.#kv.list<InboxEntry>({ prefix: K.inboxPrefix(ws, name) }, { limit: 1 })
    ) {
      return e;
    }
    return undefined;
  }

  #inboxEntry(msg: InboxMessage, seqNo: number): InboxEntry {
    if (typeof msg.from !== "string" || !Array.isArray(msg.message)) {
      throw new InvalidParamsError("inbox message needs from and message[]");
    }
    const entry: InboxEntry = {
      seqNo,
      enqueuedAt: this.#now().toISOString(),
      from: msg.from,
      message: structuredClone(msg.message),
    };
    if (msg.needsReply !== undefined) entry.needsReply = msg.needsReply;
    return entry;
  }

  async #purgeInbox(ws: string, name: string): Promise<void> {
    for (;;) {
      const keys: Deno.KvKey[] = [];
      const iter = this.#kv.list({ prefix: K.inboxPrefix(ws, name) }, {
        limit: INBOX_PURGE_BATCH,
      });
      for await (const e of iter) keys.push(e.key);
      if (keys.length === 0) return;
      const op = this.#kv.atomic();
      for (const k of keys) op.delete(k);
      await op.commit();
    }
  }

  #stamp(obj: { metadata: ObjectMeta }, prev?: ObjectMeta): void {
    const now = this.#now().toISOString();
    obj.metadata.createdAt = prev?.createdAt ?? now;
    obj.metadata.updatedAt = now;
  }

  /** A workspace and its run counter, read together (their versionstamps guard commits). */
  #workspaceAndRunCount(name: string) {
    return this.#kv.getMany<[Workspace, number]>([K.workspaceKey(name), K.runCountKey(name)]);
  }

  async #commit(op: Deno.AtomicOperation, what: string): Promise<boolean> {
    this.#invalidate();
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
      this.#invalidate();
    }
  }

  #invalidate(): void {
    this.#writes++;
    this.#runCache.clear();
  }

  async #retry<T>(what: string, attempt: () => Promise<Attempt<T>>): Promise<T> {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const res = await attempt();
      if (res !== RETRY) return res;
    }
    throw new ConflictError(`${what}: too many concurrent writes, try again`);
  }
}

// ---------- pure helpers ----------

function assertRunKey(key: RunKey): RunKey {
  return {
    workspace: assertName(key?.workspace, "workspace"),
    name: assertName(key?.name, "name"),
  };
}

function applyMutator<T>(cur: T, mutate: Mutator<T>): T {
  const copy = structuredClone(cur);
  const res = mutate(copy);
  return res === undefined ? copy : structuredClone(res);
}

function checkPhase(
  kind: ObjectKind,
  key: string,
  actual: string,
  expected: readonly string[],
  opts: CasOptions,
): void {
  if (expected.includes(actual)) return;
  const message = opts.message?.(actual) ??
    `${KIND_WORDS[kind]} ${key} is ${actual}, expected ${expected.join("|")}`;
  throw new PhaseConflictError(message, actual, expected);
}

/** Writes a counter; zero (or less) removes the key, so absent means zero. */
function setCount(op: Deno.AtomicOperation, key: Deno.KvKey, n: number): void {
  if (n <= 0) op.delete(key);
  else op.set(key, n);
}

function runsExistError(ws: string, n: number): ConflictError {
  return new ConflictError(`workspace ${ws} has ${n} agent(s) and cannot be deleted`);
}

function stripRefCount(status: WorkspaceStatus): WorkspaceStatus {
  const { refCount: _ignored, ...rest } = status;
  return rest;
}

function withRefCount(ws: Workspace, refCount: number): Workspace {
  return { ...ws, status: { ...ws.status, refCount } };
}
