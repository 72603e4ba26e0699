/**
 * agentd's side of the runner RPC (specs/runner_rpc.ts): typed calls on one connection to
 * an agent-run socket, and event watches on dedicated connections.
 */
import type { ContentBlock } from "../../specs/events.ts";
import type { AgentRunEvent, PermissionAnswer } from "../../specs/events.ts";
import {
  type PermissionsResult,
  type PromptResult,
  type RespondPermissionParams,
  RunnerMethods,
  type StatusResult,
  type WatchErrorParams,
  type WatchEventResult,
} from "../../specs/runner_rpc.ts";
import { ErrorCode, errorCode } from "../../specs/errors.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { dialUnix } from "../../specs/wire/socket.ts";

export const CONTROL_TIMEOUT_MS = 5_000;

/**
 * One control connection from agentd to an agent-run's socket, with typed runner RPC calls;
 * open one with `RunnerClient.dial`.
 */
export class RunnerClient {
  readonly socketPath: string;
  readonly peer: RpcPeer;

  constructor(socketPath: string, peer: RpcPeer) {
    this.socketPath = socketPath;
    this.peer = peer;
  }

  static async dial(socketPath: string, connectTimeoutMs = 2_000): Promise<RunnerClient> {
    const peer = await dialUnix(socketPath, {
      connectTimeoutMs,
      requestTimeoutMs: CONTROL_TIMEOUT_MS,
    });
    return new RunnerClient(socketPath, peer);
  }

  get closed(): Promise<void> {
    return this.peer.closed;
  }

  get isClosed(): boolean {
    return this.peer.isClosed;
  }

  status(timeoutMs = CONTROL_TIMEOUT_MS): Promise<StatusResult> {
    return this.peer.request<StatusResult>(RunnerMethods.status, null, { timeoutMs });
  }

  /** Resolves when the turn ends: no timeout here (the agent-run bounds turns itself). */
  prompt(prompt: ContentBlock[]): Promise<PromptResult> {
    return this.peer.request<PromptResult>(RunnerMethods.prompt, { prompt }, { timeoutMs: 0 });
  }

  async cancel(): Promise<void> {
    await this.peer.request(RunnerMethods.cancel, null);
  }

  /** The agent's answer is not passed on: ARI replies null. */
  async setModel(modelId: string): Promise<void> {
    await this.peer.request(RunnerMethods.setModel, { modelId });
  }

  async setMode(modeId: string): Promise<void> {
    await this.peer.request(RunnerMethods.setMode, { modeId });
  }

  /** The agent's answer (ACP: `{configOptions}`). */
  setConfigOption(configId: string, value: string | boolean): Promise<unknown> {
    return this.peer.request(RunnerMethods.setConfigOption, { configId, value });
  }

  /** Pending permission requests; an agent-run from before policy `ask` has none. */
  async permissions(): Promise<PermissionsResult> {
    try {
      return await this.peer.request<PermissionsResult>(RunnerMethods.permissions, null);
    } catch (err) {
      if (errorCode(err) === ErrorCode.MethodNotFound) return { items: [] };
      throw err;
    }
  }

  respondPermission(params: RespondPermissionParams): Promise<PermissionAnswer> {
    return this.peer.request<PermissionAnswer>(RunnerMethods.respondPermission, params);
  }

  async stop(timeoutMs = CONTROL_TIMEOUT_MS): Promise<void> {
    await this.peer.request(RunnerMethods.stop, null, { timeoutMs });
  }

  close(): void {
    this.peer.close();
  }
}

export interface RunnerWatch {
  peer: RpcPeer;
  result: WatchEventResult;
  close(): void;
}

/**
 * Opens a dedicated connection and subscribes to events from `fromSeq` (absent = live only).
 * `onEvent` is awaited per event, so a slow handler slows the socket (back-pressure). The
 * stream ends when `peer.closed` resolves.
 */
export async function watchRunnerEvents(
  socketPath: string,
  opts: {
    watchId?: string;
    fromSeq?: number;
    onEvent: (ev: AgentRunEvent) => void | Promise<void>;
    /** The agent-run ended the watch because it cannot read its events. */
    onError?: (err: WatchErrorParams) => void;
  },
): Promise<RunnerWatch> {
  const watchId = opts.watchId ?? crypto.randomUUID();
  const peer = await dialUnix(socketPath, {
    connectTimeoutMs: 2_000,
    requestTimeoutMs: CONTROL_TIMEOUT_MS,
    setup: (p) =>
      p.onNotification(RunnerMethods.eventUpdate, async (params) => {
        const ev = params as AgentRunEvent & { watchId?: string };
        if (ev?.watchId !== watchId) return;
        const { watchId: _drop, ...envelope } = ev;
        await opts.onEvent(envelope as AgentRunEvent);
      }).onNotification(RunnerMethods.watchError, (params) => {
        const err = params as WatchErrorParams;
        if (err?.watchId === watchId) opts.onError?.(err);
      }),
  });
  try {
    const result = await peer.request<WatchEventResult>(RunnerMethods.watchEvent, {
      watchId,
      ...(opts.fromSeq === undefined ? {} : { fromSeq: opts.fromSeq }),
    });
    return { peer, result, close: () => peer.close() };
  } catch (err) {
    peer.close();
    throw err;
  }
}
