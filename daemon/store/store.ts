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
  ListOptions,
  RunKey,
  Workspace,
  WorkspacePhase,
} from "../../specs/ari.ts";
import type { Phase } from "../../specs/events.ts";
import * as agents from "./agents.ts";
import type { AgentInput } from "./agents.ts";
import type { CasOptions, Mutator } from "./cas.ts";
import type { StoreContext } from "./context.ts";
import { ensureAgentRunCounts } from "./counters.ts";
import * as cursors from "./cursors.ts";
import * as inbox from "./inbox.ts";
import type {
  InboxEntry,
  InboxMessage,
  ReserveOrEnqueueOptions,
  ReserveOrEnqueueResult,
} from "./inbox.ts";
import { RunCache } from "./run_cache.ts";
import * as runs from "./runs.ts";
import type { AgentRunInput, CreateRunOptions, RunQuery } from "./runs.ts";
import * as stopIntents from "./stop_intents.ts";
import * as workspaces from "./workspaces.ts";
import type { WorkspaceInput } from "./workspaces.ts";

export type { AgentInput } from "./agents.ts";
export type { CasOptions, Mutator } from "./cas.ts";
export { MAX_VALUE_BYTES } from "./commit.ts";
export type {
  InboxEntry,
  InboxMessage,
  ReserveOrEnqueueOptions,
  ReserveOrEnqueueResult,
} from "./inbox.ts";
export type { AgentRunInput, CreateRunOptions, RunQuery } from "./runs.ts";
export type { WorkspaceInput } from "./workspaces.ts";

/** Options of {@link Store.open} and the constructor. */
export interface StoreOptions {
  /** Clock for timestamps (tests). */
  now?: () => Date;
}

/**
 * The facade over the aggregate modules (workspaces.ts, agents.ts, runs.ts, cursors.ts,
 * stop_intents.ts, inbox.ts): it owns the KV handle and the run read cache and delegates
 * every method to the module named in its section.
 */
export class Store {
  readonly #ctx: StoreContext;
  #closed = false;

  /** Wraps an open KV handle; the Store owns it from now on (close() closes it). */
  constructor(kv: Deno.Kv, opts: StoreOptions = {}) {
    this.#ctx = { kv, now: opts.now ?? (() => new Date()), runCache: new RunCache() };
  }

  /** Opens (creating if needed) the KV file at `path`. Its directory must exist. */
  static async open(path: string, opts: StoreOptions = {}): Promise<Store> {
    const store = new Store(await Deno.openKv(path), opts);
    try {
      await ensureAgentRunCounts(store.#ctx);
    } catch (err) {
      store.close();
      throw err;
    }
    return store;
  }

  /** Closes the KV handle; a second call does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ctx.kv.close();
  }

  // ---------- workspaces (workspaces.ts) ----------

  /** See {@link workspaces.getWorkspace}. */
  getWorkspace(name: string): Promise<Workspace | undefined> {
    return workspaces.getWorkspace(this.#ctx, name);
  }

  /** See {@link workspaces.listWorkspaces}. */
  listWorkspaces(opts?: ListOptions | null): Promise<Workspace[]> {
    return workspaces.listWorkspaces(this.#ctx, opts);
  }

  /** See {@link workspaces.createWorkspace}. */
  createWorkspace(input: WorkspaceInput): Promise<Workspace> {
    return workspaces.createWorkspace(this.#ctx, input);
  }

  /** See {@link workspaces.putWorkspace}. */
  putWorkspace(input: WorkspaceInput): Promise<Workspace> {
    return workspaces.putWorkspace(this.#ctx, input);
  }

  /** See {@link workspaces.casWorkspace}. */
  casWorkspace(
    name: string,
    expected: readonly WorkspacePhase[],
    mutate: Mutator<Workspace>,
    opts: CasOptions = {},
  ): Promise<Workspace> {
    return workspaces.casWorkspace(this.#ctx, name, expected, mutate, opts);
  }

  /** See {@link workspaces.updateWorkspace}. */
  updateWorkspace(name: string, mutate: Mutator<Workspace>): Promise<Workspace> {
    return workspaces.updateWorkspace(this.#ctx, name, mutate);
  }

  /** See {@link workspaces.beginWorkspaceDelete}. */
  beginWorkspaceDelete(name: string, from?: readonly WorkspacePhase[]): Promise<Workspace> {
    return workspaces.beginWorkspaceDelete(this.#ctx, name, from);
  }

  /** See {@link workspaces.deleteWorkspaceIfNoRuns}. */
  deleteWorkspaceIfNoRuns(name: string): Promise<boolean> {
    return workspaces.deleteWorkspaceIfNoRuns(this.#ctx, name);
  }

  /** See {@link workspaces.countRuns}. */
  countRuns(workspace: string): Promise<number> {
    return workspaces.countRuns(this.#ctx, workspace);
  }

  // ---------- agents (agents.ts) ----------

  /** See {@link agents.getAgent}. */
  getAgent(name: string): Promise<Agent | undefined> {
    return agents.getAgent(this.#ctx, name);
  }

  /** See {@link agents.listAgents}. */
  listAgents(opts?: ListOptions | null): Promise<Agent[]> {
    return agents.listAgents(this.#ctx, opts);
  }

  /** See {@link agents.createAgent}. */
  createAgent(input: AgentInput): Promise<Agent> {
    return agents.createAgent(this.#ctx, input);
  }

  /** See {@link agents.createAgentIfAbsent}. */
  createAgentIfAbsent(input: AgentInput): Promise<boolean> {
    return agents.createAgentIfAbsent(this.#ctx, input);
  }

  /** See {@link agents.replaceAgent}. */
  replaceAgent(input: AgentInput): Promise<Agent> {
    return agents.replaceAgent(this.#ctx, input);
  }

  /** See {@link agents.updateAgent}. */
  updateAgent(name: string, mutate: Mutator<Agent>): Promise<Agent> {
    return agents.updateAgent(this.#ctx, name, mutate);
  }

  /** See {@link agents.deleteAgent}. */
  deleteAgent(name: string): Promise<boolean> {
    return agents.deleteAgent(this.#ctx, name);
  }

  /** See {@link agents.countAgentRuns}. */
  countAgentRuns(agent: string): Promise<number> {
    return agents.countAgentRuns(this.#ctx, agent);
  }

  // ---------- agent-runs (runs.ts) ----------

  /** See {@link runs.getRun}. */
  getRun(key: RunKey): Promise<AgentRun | undefined> {
    return runs.getRun(this.#ctx, key);
  }

  /** See {@link runs.listRuns}. */
  listRuns(query: RunQuery = {}): Promise<AgentRun[]> {
    return runs.listRuns(this.#ctx, query);
  }

  /** See {@link runs.createRun}. */
  createRun(input: AgentRunInput, opts: CreateRunOptions = {}): Promise<AgentRun> {
    return runs.createRun(this.#ctx, input, opts);
  }

  /** See {@link runs.casRun}. */
  casRun(
    key: RunKey,
    expected: readonly Phase[],
    mutate: Mutator<AgentRun>,
    opts: CasOptions = {},
  ): Promise<AgentRun> {
    return runs.casRun(this.#ctx, key, expected, mutate, opts);
  }

  /** See {@link runs.updateRun}. */
  updateRun(key: RunKey, mutate: Mutator<AgentRun>): Promise<AgentRun> {
    return runs.updateRun(this.#ctx, key, mutate);
  }

  /** See {@link runs.deleteRun}. */
  deleteRun(
    key: RunKey,
    opts: { expectedPhases?: readonly Phase[]; message?: (actual: string) => string } = {},
  ): Promise<boolean> {
    return runs.deleteRun(this.#ctx, key, opts);
  }

  // ---------- event cursors (cursors.ts) ----------

  /** See {@link cursors.getCursor}. */
  getCursor(key: RunKey): Promise<number | undefined> {
    return cursors.getCursor(this.#ctx, key);
  }

  /** See {@link cursors.advanceCursor}. */
  advanceCursor(key: RunKey, seq: number): Promise<number> {
    return cursors.advanceCursor(this.#ctx, key, seq);
  }

  /** See {@link cursors.resetCursor}. */
  resetCursor(key: RunKey): Promise<void> {
    return cursors.resetCursor(this.#ctx, key);
  }

  // ---------- stop intents (stop_intents.ts) ----------

  /** See {@link stopIntents.setStopIntent}. */
  setStopIntent(key: RunKey, pid: number): Promise<void> {
    return stopIntents.setStopIntent(this.#ctx, key, pid);
  }

  /** See {@link stopIntents.getStopIntent}. */
  getStopIntent(key: RunKey): Promise<number | undefined> {
    return stopIntents.getStopIntent(this.#ctx, key);
  }

  /** See {@link stopIntents.clearStopIntent}. */
  clearStopIntent(key: RunKey): Promise<void> {
    return stopIntents.clearStopIntent(this.#ctx, key);
  }

  // ---------- inbox: workspace/send to a busy target (inbox.ts) ----------

  /** See {@link inbox.enqueueInbox}. */
  enqueueInbox(key: RunKey, msg: InboxMessage): Promise<InboxEntry> {
    return inbox.enqueueInbox(this.#ctx, key, msg);
  }

  /** See {@link inbox.listInbox}. */
  listInbox(key: RunKey, opts: { limit?: number } = {}): Promise<InboxEntry[]> {
    return inbox.listInbox(this.#ctx, key, opts);
  }

  /** See {@link inbox.ackInbox}. */
  ackInbox(key: RunKey, seqNo: number): Promise<boolean> {
    return inbox.ackInbox(this.#ctx, key, seqNo);
  }

  /** See {@link inbox.takeInbox}. */
  takeInbox(
    key: RunKey,
    expected: readonly Phase[],
    mutate: Mutator<AgentRun>,
    opts: CasOptions = {},
  ): Promise<{ run: AgentRun; entry: InboxEntry } | undefined> {
    return inbox.takeInbox(this.#ctx, key, expected, mutate, opts);
  }

  /** See {@link inbox.reserveOrEnqueue}. */
  reserveOrEnqueue(
    key: RunKey,
    msg: InboxMessage,
    opts: ReserveOrEnqueueOptions,
  ): Promise<ReserveOrEnqueueResult> {
    return inbox.reserveOrEnqueue(this.#ctx, key, msg, opts);
  }
}
