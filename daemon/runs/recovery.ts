/**
 * What agentd does with each non-terminal run when it starts again (after a crash, a
 * kill -9, a clean stop or a reboot), as a pure decision over what the probe of its socket
 * found.
 *
 * Unlike the original: recovery runs after the ARI socket listens (the gate blocks mutating
 * calls meanwhile), a `creating` run whose agent-run is alive is re-attached rather than
 * left in `creating`, `restarting` runs are finished instead of being stuck, and a run whose
 * agent-run died while agentd was away gets its restart policy, like a container whose
 * restart policy outlives a containerd or host restart. Only runs in ACTIVE_PHASES (phase.ts)
 * are recovered; stopped and error runs are left alone.
 */
import type { AgentRun, LastExit } from "../../specs/ari.ts";
import type { RuntimeState } from "../../specs/runtime.ts";
import { shouldRestart } from "./restart_policy.ts";

export const NOT_RECOVERED = "agent-run not recovered after daemon restart";
export const BOOTSTRAP_LOST = "agent bootstrap lost: daemon restarted during creating phase";
/** lastExit.reason of a run whose agent-run vanished (no exit recorded) while agentd was away. */
export const AGENT_RUN_LOST = "agent-run lost across daemon restart";

/** What dialing the run's socket and asking `runtime/status` found. */
export type Probe =
  | { alive: true; state: RuntimeState; lastSeq: number }
  /** `state`: what the agent-run left in its state.json, if anything. */
  | { alive: false; reason: string; state?: RuntimeState };

export interface RecoveryContext {
  /** agentd had asked this very agent-run to stop (agentrun/stop) when it went away. */
  stopRequested?: boolean;
  /** Time stamped on a lastExit nobody recorded (default: now). */
  now?: string;
}

export type RecoveryAction =
  /** Re-attach: resume the event consumer, reconcile the phase. */
  | { kind: "attach" }
  /** Finish an interrupted restart: start a new agent-run on the same bundle now. */
  | { kind: "finish-restart" }
  /** A run whose first agent-run never got going (agentd stopped mid-create): start it now. */
  | { kind: "start" }
  /** Restart policy: mark `restarting` (counted), start again after the backoff. */
  | { kind: "restart"; lastExit: LastExit }
  | { kind: "mark"; phase: "stopped" | "error"; errorMessage?: string; lastExit: LastExit };

/** An agent-run that answers and whose agent has not exited: re-attach to it. */
export function isAttachable(probe: Probe): boolean {
  return probe.alive && probe.state.phase !== "stopped";
}

/**
 * Decides what recovery does with one run from its record and the probe of its socket:
 * attach, finish a restart, restart by policy, or mark it stopped or error.
 */
export function recoveryAction(
  run: AgentRun,
  probe: Probe,
  ctx: RecoveryContext = {},
): RecoveryAction {
  // An agent-run whose agent already exited is on its way out: treat it as dead.
  if (isAttachable(probe)) return { kind: "attach" };
  const phase = run.status.phase;
  const state = probe.state;
  const now = ctx.now ?? new Date().toISOString();
  // The last word was a stop (it may have come after a restart): honour it.
  if (ctx.stopRequested) {
    return { kind: "mark", phase: "stopped", lastExit: lostExit(state, now, "stopped") };
  }
  if (phase === "restarting") return { kind: "finish-restart" };
  // No agent-run ever wrote its state: agentd went away before (or just as) it started one.
  if (phase === "creating" && !probe.alive && !state) return { kind: "start" };
  const reason = probe.alive ? agentExitReason(probe.state) : probe.reason;
  const lastExit = lostExit(state, now);
  const exit = { exitCode: lastExit.exitCode, signal: lastExit.signal, requested: false };
  if (shouldRestart(run.spec.restartPolicy, exit)) return { kind: "restart", lastExit };
  if (phase === "creating") {
    return { kind: "mark", phase: "error", errorMessage: BOOTSTRAP_LOST, lastExit };
  }
  return { kind: "mark", phase: "stopped", errorMessage: `${NOT_RECOVERED}: ${reason}`, lastExit };
}

/**
 * The exit of an agent-run found gone: the agent's, when its agent-run recorded it; else
 * unknown, which the restart policy counts as a failure.
 */
export function lostExit(
  state: RuntimeState | undefined,
  now: string,
  unrecorded = AGENT_RUN_LOST,
): LastExit {
  if (state && (typeof state.exitCode === "number" || state.exitSignal)) {
    return {
      exitCode: state.exitCode ?? null,
      signal: state.exitSignal ?? null,
      reason: agentExitReason(state),
      time: state.updatedAt || now,
    };
  }
  return { exitCode: null, signal: null, reason: unrecorded, time: now };
}

/** "agent exited with code 3" / "agent killed by SIGKILL" / the state's own reason. */
export function agentExitReason(
  state: Pick<RuntimeState, "exitCode" | "exitSignal" | "reason" | "errorMessage">,
): string {
  // The agent-run's own account (e.g. why bootstrap failed) says more than how the agent
  // ended, which after a failed bootstrap is just our stop.
  if (state.errorMessage) return state.errorMessage;
  if (state.exitSignal) return `agent killed by ${state.exitSignal}`;
  if (typeof state.exitCode === "number") return `agent exited with code ${state.exitCode}`;
  return state.reason ? `agent-run stopped (${state.reason})` : "agent-run stopped";
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
