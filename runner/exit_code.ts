/** Exit codes of `mass run`. */
export const ExitCode = {
  /** Stopped on request (runtime/stop, SIGTERM, SIGINT). */
  Stopped: 0,
  /** Bad bundle or command line: nothing was started. */
  BadBundle: 1,
  /** The agent could not be started or bootstrapped. */
  BootstrapFailed: 2,
  /** The agent exited (or dropped its ACP connection) on its own. */
  AgentExited: 3,
  /** A turn ran past its timeout and did not end after cancel. */
  TurnTimeout: 4,
  /** The bundle's socket file was removed under it: nobody can reach it any more. */
  Orphaned: 5,
  /** An error inside the agent-run itself. */
  Internal: 70,
} as const;
