/**
 * bwrap reports a sandboxed command killed by a signal as exit code 128 + signal number.
 * Read back, so that "the agent-run was killed by SIGKILL" stays what agentd sees.
 */

const SIGNALS: Record<number, Deno.Signal> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  10: "SIGUSR1",
  11: "SIGSEGV",
  12: "SIGUSR2",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
};

/**
 * The status of the command bwrap ran: `code` 128+N becomes signal N (mass run's own exit
 * codes are all below 128); anything else as it is.
 *
 * @example
 * ```ts
 * bwrapExitStatus({ success: false, code: 137, signal: null }); // signal "SIGKILL"
 * ```
 */
export function bwrapExitStatus(status: Deno.CommandStatus): Deno.CommandStatus {
  const signal = status.signal === null ? SIGNALS[status.code - 128] : undefined;
  return signal ? { success: false, code: status.code, signal } : status;
}
