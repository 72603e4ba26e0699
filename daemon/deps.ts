/**
 * Everything agentd's parts need, passed in explicitly: one object per daemon, so two
 * daemons can run in one process (tests) and each part can be tested with its own deps.
 *
 * Engineers of other parts extend this interface with what they need (optional fields
 * first, so partial daemons in unit tests still type-check).
 */
import type { SendParams, SendResult } from "../specs/ari.ts";
import type { AriHandlers, RecoveryState, RootPaths } from "./context.ts";
import type { Logger } from "./logging.ts";
import type { Store } from "./store/store.ts";
import type { VersionInfo } from "./version.ts";
import type { WorkspaceManager } from "./workspace/workspace_manager.ts";

/** What agentd needs from the run supervisor (daemon/runs/). */
export interface RunSupervisorPort {
  /** The agentrun/* ARI methods (incl. agentrun/watch). */
  handlers?: AriHandlers;
  /** Re-attaches to live agent-runs; called once, after the socket listens. */
  recover?(): Promise<void>;
  /** workspace/send after validation: reserve the idle target or queue in its inbox. */
  deliverSend?(params: SendParams): Promise<SendResult>;
  /** Detaches from agent-runs without stopping them. */
  close(): Promise<void>;
}

export interface DaemonDeps {
  paths: RootPaths;
  store: Store;
  /** Prepares and cleans up workspace directories (daemon/workspace/). */
  workspaces: WorkspaceManager;
  /** Mutated in place as recovery progresses; the ARI gate reads it on every call. */
  recovery: RecoveryState;
  logger: Logger;
  version: VersionInfo;
  /** The daemon's pid (reported by system/info). */
  pid: number;
  /** Aborted when the daemon shuts down; background work must stop on it. */
  signal: AbortSignal;
  /** Set once the supervisor exists (it is built from these deps). */
  runs?: RunSupervisorPort;
}
