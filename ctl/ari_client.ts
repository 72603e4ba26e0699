/**
 * Typed ARI client: one method per ARI method, typed params and results, errors as
 * `RpcError` (with `.code`), and event watching that resumes from the last seq by itself.
 *
 * An orchestrator embeds this (it is exported from mod.ts); massctl and the chat TUI use it.
 */
import type {
  Agent,
  AgentRun,
  AgentRunPermissions,
  AgentRunRuntimeStatus,
  AriPromptParams,
  AriRespondPermissionParams,
  AriSetModelParams,
  AriSetModeParams,
  ListOptions,
  ListResult,
  PromptAccepted,
  RunKey,
  SendParams,
  SendResult,
  SystemInfo,
  Workspace,
} from "../specs/ari.ts";
import { AriMethods } from "../specs/ari_methods.ts";
import type { AgentTask, TaskDoParams, TaskKeyParams } from "../specs/tasks.ts";
import { errorCode, RpcError } from "../specs/errors.ts";
import type { AgentRunEvent, PermissionAnswer } from "../specs/events.ts";
import type { RpcPeer } from "../specs/wire/peer.ts";
import { dialUnix } from "../specs/wire/socket.ts";

export interface AriClientOptions {
  /** Timeout for each request (ms). */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Input shapes: the server fills kind, timestamps and status. */
export type AgentInput = Omit<Agent, "kind"> & { kind?: "Agent" };
export type WorkspaceInput = Omit<Workspace, "kind" | "status"> & { kind?: "Workspace" };
export type AgentRunInput = Omit<AgentRun, "kind" | "status"> & { kind?: "AgentRun" };

export interface WatchOptions extends RunKey {
  /** Replay from this seq (inclusive); omitted = live only. */
  fromSeq?: number;
  /** Give up after this many consecutive failed reconnects (default: never). */
  maxRetries?: number;
  /** Called when the stream reconnects (for UIs). */
  onReconnect?: (nextSeq: number, err: unknown) => void;
  signal?: AbortSignal;
}

/** Error codes after which retrying a watch cannot help. */
const PERMANENT_WATCH_CODES = new Set([-32602, -32601]);

export class AriClient {
  readonly #peer: RpcPeer;
  readonly socketPath: string;
  readonly #opts: AriClientOptions;

  private constructor(peer: RpcPeer, socketPath: string, opts: AriClientOptions) {
    this.#peer = peer;
    this.socketPath = socketPath;
    this.#opts = opts;
  }

  static async connect(socketPath: string, opts: AriClientOptions = {}): Promise<AriClient> {
    const peer = await dialUnix(socketPath, {
      requestTimeoutMs: opts.requestTimeoutMs ?? 60_000,
      connectTimeoutMs: opts.connectTimeoutMs,
    });
    return new AriClient(peer, socketPath, opts);
  }

  /** Raw call, for methods this client does not wrap yet. */
  call<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T> {
    return this.#peer.request<T>(method, params, { timeoutMs });
  }

  get closed(): Promise<void> {
    return this.#peer.closed;
  }

  close(): void {
    this.#peer.close();
  }

  // ---- system ----
  systemInfo(): Promise<SystemInfo> {
    return this.call(AriMethods.systemInfo, {});
  }

  // ---- workspaces ----
  workspaceCreate(ws: WorkspaceInput): Promise<Workspace> {
    return this.call(AriMethods.workspaceCreate, ws);
  }
  workspaceGet(name: string): Promise<Workspace> {
    return this.call(AriMethods.workspaceGet, { name });
  }
  workspaceList(opts: ListOptions = {}): Promise<ListResult<Workspace>> {
    return this.call(AriMethods.workspaceList, opts);
  }
  workspaceDelete(name: string): Promise<null> {
    return this.call(AriMethods.workspaceDelete, { name });
  }
  workspaceSend(params: SendParams): Promise<SendResult> {
    return this.call(AriMethods.workspaceSend, params);
  }

  // ---- agents ----
  agentCreate(agent: AgentInput): Promise<Agent> {
    return this.call(AriMethods.agentCreate, agent);
  }
  agentUpdate(agent: AgentInput): Promise<Agent> {
    return this.call(AriMethods.agentUpdate, agent);
  }
  agentGet(name: string): Promise<Agent> {
    return this.call(AriMethods.agentGet, { name });
  }
  agentList(opts: ListOptions = {}): Promise<ListResult<Agent>> {
    return this.call(AriMethods.agentList, opts);
  }
  agentDelete(name: string): Promise<null> {
    return this.call(AriMethods.agentDelete, { name });
  }

  // ---- agent-runs ----
  agentrunCreate(run: AgentRunInput): Promise<AgentRun> {
    return this.call(AriMethods.agentrunCreate, run);
  }
  agentrunGet(key: RunKey): Promise<AgentRun> {
    return this.call(AriMethods.agentrunGet, key);
  }
  agentrunList(opts: ListOptions = {}): Promise<ListResult<AgentRun>> {
    return this.call(AriMethods.agentrunList, opts);
  }
  agentrunDelete(key: RunKey): Promise<null> {
    return this.call(AriMethods.agentrunDelete, key);
  }
  agentrunPrompt(params: AriPromptParams): Promise<PromptAccepted> {
    return this.call(AriMethods.agentrunPrompt, params);
  }
  agentrunCancel(key: RunKey): Promise<null> {
    return this.call(AriMethods.agentrunCancel, key);
  }
  /** Blocks until the run is stopped (bounded by the daemon's stop timeouts). */
  agentrunStop(key: RunKey): Promise<null> {
    return this.call(AriMethods.agentrunStop, key, 120_000);
  }
  agentrunRestart(key: RunKey): Promise<AgentRun> {
    return this.call(AriMethods.agentrunRestart, key);
  }
  /** Sets the model of the run's live ACP session. */
  agentrunSetModel(params: AriSetModelParams): Promise<null> {
    return this.call(AriMethods.agentrunSetModel, params);
  }
  /** Sets the mode of the run's live ACP session. */
  agentrunSetMode(params: AriSetModeParams): Promise<null> {
    return this.call(AriMethods.agentrunSetMode, params);
  }
  /** The agent-run's runtime state (session models, mode, commands) and last seq. */
  agentrunStatus(key: RunKey): Promise<AgentRunRuntimeStatus> {
    return this.call(AriMethods.agentrunStatus, key);
  }

  // ---- agent tasks (specs/tasks.md) ----
  /** Writes a task file in the run's bundle and prompts the agent with it (attempt 1). */
  agentrunTaskDo(params: TaskDoParams): Promise<AgentTask> {
    return this.call(AriMethods.agentrunTaskDo, params);
  }
  agentrunTaskGet(params: TaskKeyParams): Promise<AgentTask> {
    return this.call(AriMethods.agentrunTaskGet, params);
  }
  /** The run's tasks in id order. */
  agentrunTaskList(key: RunKey): Promise<ListResult<AgentTask>> {
    return this.call(AriMethods.agentrunTaskList, key);
  }
  /** Next attempt of a task that is not done; prompts the agent to finish or continue. */
  agentrunTaskRetry(params: TaskKeyParams): Promise<AgentTask> {
    return this.call(AriMethods.agentrunTaskRetry, params);
  }

  /** Permission requests of the run waiting for an answer (policy `ask`), oldest first. */
  agentrunPermissions(key: RunKey): Promise<AgentRunPermissions> {
    return this.call(AriMethods.agentrunPermissions, key);
  }
  /** Answers one pending permission request: `optionId`, or `cancel: true`. */
  agentrunRespondPermission(params: AriRespondPermissionParams): Promise<PermissionAnswer> {
    return this.call(AriMethods.agentrunRespondPermission, params);
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

/** Watch without an existing client (one connection per attempt). */
export async function* watchRun(
  socketPath: string,
  opts: WatchOptions,
  clientOpts: AriClientOptions = {},
): AsyncGenerator<AgentRunEvent> {
  let next = opts.fromSeq;
  let failures = 0;
  let backoff = 200;
  while (!opts.signal?.aborted) {
    let peer: RpcPeer | undefined;
    const queue = new EventQueue();
    try {
      peer = await dialUnix(socketPath, {
        requestTimeoutMs: clientOpts.requestTimeoutMs ?? 30_000,
        connectTimeoutMs: clientOpts.connectTimeoutMs,
        setup: (p) => p.onNotification(AriMethods.agentrunEvent, (params) => queue.push(params)),
      });
      const closeOnAbort = () => peer?.close();
      opts.signal?.addEventListener("abort", closeOnAbort, { once: true });
      peer.closed.then(() => queue.end());
      const watchId = crypto.randomUUID();
      await peer.request(AriMethods.agentrunWatch, {
        workspace: opts.workspace,
        name: opts.name,
        watchId,
        ...(next === undefined ? {} : { fromSeq: next }),
      });
      while (true) {
        const ev = await queue.next();
        if (!ev) break;
        // Duplicates can only come from a resume overlap; seq is the dedup key.
        if (next !== undefined && ev.seq < next) continue;
        next = ev.seq + 1;
        failures = 0;
        backoff = 200;
        yield ev;
      }
      opts.signal?.removeEventListener("abort", closeOnAbort);
    } catch (err) {
      const code = errorCode(err);
      if (code !== undefined && PERMANENT_WATCH_CODES.has(code)) throw err;
      failures++;
      if (opts.maxRetries !== undefined && failures > opts.maxRetries) {
        throw err instanceof RpcError ? err : new RpcError(-32603, String(err));
      }
      opts.onReconnect?.(next ?? -1, err);
    } finally {
      peer?.close();
    }
    if (opts.signal?.aborted) break;
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, 5_000);
  }
}

/**
 * Hands notifications to the consumer one at a time; the producer's promise resolves only
 * when there is room, which slows the socket reader instead of growing memory.
 */
class EventQueue {
  #items: AgentRunEvent[] = [];
  #waiter?: (ev: AgentRunEvent | undefined) => void;
  #room?: () => void;
  #ended = false;
  readonly #limit = 1024;

  async push(params: unknown): Promise<void> {
    if (this.#ended) return;
    const ev = params as AgentRunEvent & { watchId?: string };
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w(ev);
      return;
    }
    this.#items.push(ev);
    if (this.#items.length >= this.#limit) await new Promise<void>((r) => (this.#room = r));
  }

  next(): Promise<AgentRunEvent | undefined> {
    const ev = this.#items.shift();
    if (this.#room && this.#items.length < this.#limit) {
      const r = this.#room;
      this.#room = undefined;
      r();
    }
    if (ev) return Promise.resolve(ev);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((r) => (this.#waiter = r));
  }

  end(): void {
    this.#ended = true;
    this.#room?.();
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w(undefined);
    }
  }
}
