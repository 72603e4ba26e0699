/**
 * How an agent-run ends. Whatever ends it (runtime/stop, SIGTERM, the agent exiting, a
 * failed bootstrap, a turn that will not end, its socket file removed), the same sequence
 * runs once: cancel the turn, stop the agent's process group with bounded waits, record the
 * exit in state.json and the event log, close the socket, resolve the exit code.
 */
import type { AcpClient } from "./acp/acp_connection.ts";
import { ExitCode } from "./exit_code.ts";
import { signalGroupSync, stopProcessGroup, waitFor } from "./launch/process_group.ts";
import type { RunContext } from "./run_context.ts";

export interface StopTimeouts {
  /** Wait for the running turn to end after session/cancel. */
  cancelMs: number;
  /** Wait after closing the agent's stdin. */
  graceMs: number;
  /** Wait after SIGTERM to the group. */
  termMs: number;
  /** Wait after SIGKILL to the group. */
  killMs: number;
}

export const DEFAULT_STOP_TIMEOUTS: StopTimeouts = {
  cancelMs: 2_000,
  graceMs: 2_000,
  termMs: 2_000,
  killMs: 2_000,
};

/** How often the agent-run checks that its socket file still exists. */
export const SOCKET_CHECK_MS = 5_000;

/** Why an agent-run stopped (state.json `reason`, agent_exit `reason`). */
export type StopReason =
  | "runtime-stop"
  | "process-exited"
  | "bootstrap-failed"
  | "turn-timeout"
  | "protocol-error"
  | "bundle-removed"
  | "internal-error";

/** What the stop sequence needs besides the context. */
export interface TerminationDeps {
  timeouts: StopTimeouts;
  /** ACP session/cancel of the running turn (see turns.ts). */
  cancel(client: AcpClient, sessionId: string): Promise<void>;
  /** Receives the exit code once the agent-run has stopped. */
  done(code: number): void;
}

function _describeStatus(s: Deno.CommandStatus): string {
  return s.signal ? `signal ${s.signal}` : `exit code ${s.code}`;
}

/** The stop sequence of one agent-run and the watchers that trigger it. */
export class Termination {
  readonly #ctx: RunContext;
  readonly #deps: TerminationDeps;
  #watchdog?: ReturnType<typeof setInterval>;

  constructor(ctx: RunContext, deps: TerminationDeps) {
    this.#ctx = ctx;
    this.#deps = deps;
  }

  /** The one stop sequence. Idempotent: later callers get the first caller's exit code. */
  terminate(reason: StopReason, code: number, message?: string): Promise<number> {
    const ctx = this.#ctx;
    if (ctx.terminating) return ctx.terminating;
    ctx.terminating = this.#run(reason, code, message).catch((err) => {
      ctx.log.error("stop sequence failed: {error}", { error: String(err) });
      this.emergencyStop();
      this.#deps.done(ExitCode.Internal);
      return ExitCode.Internal;
    });
    return ctx.terminating;
  }

  /**
   * Last resort for crashes of the agent-run itself: kill the agent's group and record
   * `stopped` synchronously. The caller exits right after.
   */
  emergencyStop(): void {
    const ctx = this.#ctx;
    if (ctx.proc) signalGroupSync(ctx.proc.pid, "SIGKILL");
    ctx.terminals?.killAllSync();
    if (ctx.state) {
      ctx.phase = "stopped";
      void ctx.state.update((s) => {
        s.phase = "stopped";
        s.reason = "internal-error";
      }).catch(() => {});
      ctx.state.writeSync();
    }
  }

  /** Stops the agent-run when its socket file disappears (checked every SOCKET_CHECK_MS). */
  watchSocket(): void {
    this.#watchdog = setInterval(() => this.#checkSocket(), SOCKET_CHECK_MS);
  }

  /** The agent process ended: stop, as an exit or as a failed bootstrap. */
  onAgentExit(status: Deno.CommandStatus): void {
    const ctx = this.#ctx;
    ctx.exitStatus = status;
    ctx.log.info("agent exited: {status}", { status: _describeStatus(status) });
    if (ctx.terminating) return;
    if (ctx.bootstrapped) {
      void this.terminate("process-exited", ExitCode.AgentExited);
    } else {
      void this.terminate(
        "bootstrap-failed",
        ExitCode.BootstrapFailed,
        `agent exited during bootstrap (${_describeStatus(status)})`,
      );
    }
  }

  /** The agent closed its ACP connection. */
  async onConnectionClosed(): Promise<void> {
    const ctx = this.#ctx;
    // Usually the agent is exiting; give its exit status the first word.
    await waitFor(ctx.proc!.status, 1_000);
    if (ctx.terminating || ctx.exitStatus) return;
    void this.terminate(
      "protocol-error",
      ExitCode.AgentExited,
      "the agent closed its ACP connection",
    );
  }

  /** A removed bundle (or socket file) leaves this agent-run unreachable: stop, no orphan. */
  async #checkSocket(): Promise<void> {
    try {
      await Deno.lstat(this.#ctx.bundle.paths.socket);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound) || this.#ctx.terminating) return;
      void this.terminate(
        "bundle-removed",
        ExitCode.Orphaned,
        "the agent-run socket file was removed; stopping",
      );
    }
  }

  async #run(reason: StopReason, code: number, message?: string): Promise<number> {
    const ctx = this.#ctx;
    ctx.log.info("stopping: {reason}", { reason });
    clearInterval(this.#watchdog);
    const t = this.#deps.timeouts;
    if (message) await ctx.emit([ctx.draftError(message)]);
    const turn = ctx.turn;
    if (turn && !ctx.exitStatus && ctx.sessionId && ctx.client) {
      await this.#deps.cancel(ctx.client, ctx.sessionId).catch(() => {});
      await waitFor(turn.done, t.cancelMs);
    }
    // Requests outside a turn (or left after it) must not outlive the agent-run unanswered.
    await ctx.permissions.cancelAll();
    const status = await this.#stopAgent();
    ctx.client?.close();
    if (ctx.turn) await waitFor(ctx.turn.done, 2_000);
    await ctx.terminals?.closeAll().catch(() => {});
    await this.#recordExit(reason, status, message);

    if (ctx.server && ctx.hub) {
      await ctx.server.flushWatches(ctx.hub.lastSeq, 1_000);
      await ctx.server.close().catch(() => {});
    }
    await ctx.hub?.close().catch(() => {});
    await ctx.eventLog?.close().catch(() => {});
    if (ctx.proc) await waitFor(ctx.proc.stderrDone, 500);
    ctx.log.info("stopped: {reason}, exit code {code}", { reason, code });
    this.#deps.done(code);
    return code;
  }

  /** Stops the agent's process group; its exit status, when known. */
  async #stopAgent(): Promise<Deno.CommandStatus | undefined> {
    const ctx = this.#ctx;
    if (!ctx.proc) return ctx.exitStatus;
    const t = this.#deps.timeouts;
    const client = ctx.client;
    const res = await stopProcessGroup(ctx.proc, {
      closeInput: client ? () => client.closeInput() : undefined,
      graceMs: t.graceMs,
      termMs: t.termMs,
      killMs: t.killMs,
    });
    if (res.steps.length > 1) {
      ctx.log.info("agent stop steps: {steps}", { steps: res.steps.join(",") });
    }
    return res.status ?? ctx.exitStatus;
  }

  /** The exit in state.json, the agent_exit event and the last phase change. */
  async #recordExit(
    reason: StopReason,
    status: Deno.CommandStatus | undefined,
    message: string | undefined,
  ): Promise<void> {
    const ctx = this.#ctx;
    const exitCode = status ? (status.signal ? null : status.code) : null;
    const signal = status?.signal ?? null;
    if (ctx.state) {
      await ctx.state.update((s) => {
        if (status) {
          s.exitCode = exitCode;
          s.exitSignal = signal;
        }
        if (message) s.errorMessage = message;
      }).catch(() => {});
    }
    if (ctx.proc) {
      await ctx.emit([{
        type: "agent_exit",
        ...(ctx.sessionId ? { sessionId: ctx.sessionId } : {}),
        payload: { exitCode, signal, reason },
      }]);
    }
    if (ctx.hub) await ctx.emitPhase(ctx.phase, "stopped", reason).catch(() => {});
  }
}
