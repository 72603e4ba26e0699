/**
 * What the ARI handlers of agentd share. Everything is passed in (no globals) so a test
 * can run two daemons in one process.
 */
import type { RpcPeer } from "../specs/wire/peer.ts";

/** Fixed layout of a daemon root. */
export interface RootPaths {
  root: string;
  socket: string; // <root>/mass.sock
  pidFile: string; // <root>/mass.pid
  kv: string; // <root>/mass.kv
  logs: string; // <root>/logs
  workspaces: string; // <root>/workspaces
  runs: string; // <root>/runs
}

export function rootPaths(root: string): RootPaths {
  return {
    root,
    socket: `${root}/mass.sock`,
    pidFile: `${root}/mass.pid`,
    kv: `${root}/mass.kv`,
    logs: `${root}/logs`,
    workspaces: `${root}/workspaces`,
    runs: `${root}/runs`,
  };
}

export type RecoveryPhase = "idle" | "recovering" | "complete";

/** Recovery progress; mutating ARI calls are refused (-32001) while `phase` is "recovering". */
export interface RecoveryState {
  phase: RecoveryPhase;
  startedAt?: string;
  finishedAt?: string;
}

/** One ARI method: params as received (validated by the handler), the calling connection. */
export type AriHandler = (params: unknown, peer: RpcPeer) => unknown | Promise<unknown>;

/** A group of ARI methods keyed by full method name (e.g. "workspace/get"). */
export type AriHandlers = Record<string, AriHandler>;

/** Methods that change state; blocked during recovery. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set([
  "workspace/create",
  "workspace/delete",
  "workspace/send",
  "agent/create",
  "agent/update",
  "agent/delete",
  "agentrun/create",
  "agentrun/delete",
  "agentrun/prompt",
  "agentrun/cancel",
  "agentrun/stop",
  "agentrun/restart",
  // They change the live ACP session, so they wait for recovery like prompt does.
  "agentrun/set_model",
  "agentrun/set_mode",
  "agentrun/set_config_option",
  // An answer changes what the agent does next.
  "agentrun/respond_permission",
  // They prompt the agent, like agentrun/prompt (specs/tasks.md).
  "agentrun/task/do",
  "agentrun/task/retry",
]);
