/**
 * What the ARI handlers of agentd share. Everything is passed in (no globals) so a test
 * can run two daemons in one process.
 */
import type { AriMethodName, AriResult } from "../specs/ari_methods.ts";
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

/**
 * The paths inside a daemon root: socket, pid file, KV store, and the logs, workspaces and
 * runs directories.
 */
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

/**
 * The handler of ARI method `M`: params as received (validated by the handler against the
 * table's schema), the calling connection; answers the table's result type.
 */
export type AriHandler<M extends AriMethodName = AriMethodName> = (
  params: unknown,
  peer: RpcPeer,
) => AriResult<M> | Promise<AriResult<M>>;

/** A group of ARI handlers keyed by wire name: a name outside specs/ari_methods.ts is a type error. */
export type AriHandlers = { [M in AriMethodName]?: AriHandler<M> };
