/**
 * Typed ARI client derived from specs/ari_methods.ts: `call(method, params)` takes the
 * table's params and answers its result type; the named methods (`workspaceGet`,
 * `agentrunPrompt`, ...) are one-line conveniences over it. Errors the daemon answers are
 * `AriError`s (`.code`, `.kind`); `watch` resumes from the last seq by itself.
 *
 * An orchestrator embeds this (it is exported from mod.ts); massctl, the chat TUI and the
 * mesh server use it.
 *
 * @example
 * ```ts
 * import { AriClient } from "../../mod.ts";
 * const client = await AriClient.connect("/home/me/.mass/mass.sock");
 * const info = await client.call("system/info");
 * const runs = await client.call("agentrun/list", { labels: { team: "a" } });
 * console.log(info.version, runs.items.length);
 * client.close();
 * ```
 */
import type { Agent, AgentRun, ListOptions, RunKey, Workspace } from "../../specs/ari.ts";
import type { AriMethodName, AriParams, AriResult } from "../../specs/ari_methods.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import { toAriError } from "./errors.ts";
import type { AriClientOptions, WatchOptions } from "./options.ts";
import { watchRun } from "./watch.ts";

export type { AriClientOptions, WatchOptions } from "./options.ts";

/** Input shapes: the server fills kind, timestamps and status. */
export type AgentInput = Omit<Agent, "kind"> & { kind?: "Agent" };
export type WorkspaceInput = Omit<Workspace, "kind" | "status"> & { kind?: "Workspace" };
export type AgentRunInput = Omit<AgentRun, "kind" | "status"> & { kind?: "AgentRun" };

/** `call`'s arguments after the method: params optional where the method accepts none. */
export type AriCallArgs<M extends AriMethodName> = undefined extends AriParams<M>
  ? [params?: AriParams<M>, timeoutMs?: number]
  : [params: AriParams<M>, timeoutMs?: number];

/**
 * The ARI client: one connection to agentd's socket.
 *
 * @example
 * ```ts
 * import { AriClient, isNotFound } from "../../mod.ts";
 * const ari = await AriClient.connect(`${Deno.env.get("HOME")}/.mass/mass.sock`);
 * const run = await ari.call("agentrun/get", { workspace: "w", name: "a1" }).catch((err: unknown) => {
 *   if (isNotFound(err)) return undefined;
 *   throw err;
 * });
 * console.log(run?.status.phase);
 * ari.close();
 * ```
 */
export class AriClient {
  readonly #peer: RpcPeer;
  readonly socketPath: string;
  readonly #opts: AriClientOptions;

  private constructor(peer: RpcPeer, socketPath: string, opts: AriClientOptions) {
    this.#peer = peer;
    this.socketPath = socketPath;
    this.#opts = opts;
  }

  /** Dials agentd's socket; rejects (Deno's NotFound/ConnectionRefused) when nobody listens. */
  static async connect(socketPath: string, opts: AriClientOptions = {}): Promise<AriClient> {
    const peer = await dialUnix(socketPath, {
      requestTimeoutMs: opts.requestTimeoutMs ?? 60_000,
      connectTimeoutMs: opts.connectTimeoutMs,
    });
    return new AriClient(peer, socketPath, opts);
  }

  /** Calls a method of the ARI table with its typed params; answers its typed result. */
  call<M extends AriMethodName>(method: M, ...args: AriCallArgs<M>): Promise<AriResult<M>> {
    const [params, timeoutMs] = args;
    return this.request<AriResult<M>>(method, params, timeoutMs);
  }

  /** Untyped call by wire name (for names or params outside the table, e.g. bad-input tests). */
  async request<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T> {
    try {
      return await this.#peer.request<T>(method, params, { timeoutMs });
    } catch (err) {
      throw toAriError(err);
    }
  }

  get closed(): Promise<void> {
    return this.#peer.closed;
  }

  close(): void {
    this.#peer.close();
  }

  // Conveniences over `call` (used by massctl, the TUI and README examples); their result
  // types come from the table.
  systemInfo() {
    return this.call("system/info", {});
  }
  workspaceCreate(ws: WorkspaceInput) {
    return this.call("workspace/create", ws);
  }
  workspaceGet(name: string) {
    return this.call("workspace/get", { name });
  }
  workspaceList(opts: ListOptions = {}) {
    return this.call("workspace/list", opts);
  }
  workspaceDelete(name: string) {
    return this.call("workspace/delete", { name });
  }
  workspaceSend(params: AriParams<"workspace/send">) {
    return this.call("workspace/send", params);
  }
  agentCreate(agent: AgentInput) {
    return this.call("agent/create", agent);
  }
  agentUpdate(agent: AgentInput) {
    return this.call("agent/update", agent);
  }
  agentGet(name: string) {
    return this.call("agent/get", { name });
  }
  agentList(opts: ListOptions = {}) {
    return this.call("agent/list", opts);
  }
  agentDelete(name: string) {
    return this.call("agent/delete", { name });
  }
  agentrunCreate(run: AgentRunInput) {
    return this.call("agentrun/create", run);
  }
  agentrunGet(key: RunKey) {
    return this.call("agentrun/get", key);
  }
  agentrunList(opts: ListOptions = {}) {
    return this.call("agentrun/list", opts);
  }
  /** `force` removes a worktree with uncommitted changes; `deleteBranch` its branch too. */
  agentrunDelete(key: RunKey & { force?: boolean; deleteBranch?: boolean }) {
    return this.call("agentrun/delete", key);
  }
  /** `{accepted, fromSeq}`: watch from `fromSeq` to see just this turn. */
  agentrunPrompt(params: AriParams<"agentrun/prompt">) {
    return this.call("agentrun/prompt", params);
  }
  agentrunCancel(key: RunKey) {
    return this.call("agentrun/cancel", key);
  }
  /** Blocks until the run is stopped (bounded by the daemon's stop timeouts). */
  agentrunStop(key: RunKey) {
    return this.call("agentrun/stop", key, 120_000);
  }
  agentrunRestart(key: RunKey) {
    return this.call("agentrun/restart", key);
  }
  /** Sets the model of the run's live ACP session. */
  agentrunSetModel(params: AriParams<"agentrun/set_model">) {
    return this.call("agentrun/set_model", params);
  }
  /** Sets the mode of the run's live ACP session. */
  agentrunSetMode(params: AriParams<"agentrun/set_mode">) {
    return this.call("agentrun/set_mode", params);
  }
  /** The agent-run's runtime state (session models, mode, commands) and last seq. */
  agentrunStatus(key: RunKey) {
    return this.call("agentrun/status", key);
  }
  /** A worktree run's changes against its base (`stat`: a summary). */
  agentrunDiff(params: RunKey & { stat?: boolean }) {
    return this.call("agentrun/diff", params);
  }
  /** Writes a task file in the run's bundle and prompts the agent with it (attempt 1). */
  agentrunTaskDo(params: AriParams<"agentrun/task/do">) {
    return this.call("agentrun/task/do", params);
  }
  agentrunTaskGet(params: AriParams<"agentrun/task/get">) {
    return this.call("agentrun/task/get", params);
  }
  /** The run's tasks in id order. */
  agentrunTaskList(key: RunKey) {
    return this.call("agentrun/task/list", key);
  }
  /** Next attempt of a task that is not done; prompts the agent to finish or continue. */
  agentrunTaskRetry(params: AriParams<"agentrun/task/retry">) {
    return this.call("agentrun/task/retry", params);
  }
  /** Permission requests of the run waiting for an answer (policy `ask`), oldest first. */
  agentrunPermissions(key: RunKey) {
    return this.call("agentrun/permissions", key);
  }
  /** Answers one pending permission request: `optionId`, or `cancel: true`. */
  agentrunRespondPermission(params: AriParams<"agentrun/respond_permission">) {
    return this.call("agentrun/respond_permission", params);
  }

  /**
   * Streams a run's events over ARI. Each attempt uses its own connection; after a
   * disconnect it redials and resumes from the last seq received + 1, so the caller sees
   * every event exactly once and in order. Ends when the caller stops iterating, the
   * signal aborts, or a permanent error (bad params, unknown run) occurs.
   */
  watch(opts: WatchOptions): AsyncIterable<AgentRunEvent> {
    return watchRun(this.socketPath, opts, this.#opts);
  }
}
