/**
 * What agentd does with each non-terminal run when it starts again (after a crash, a
 * kill -9 or a clean stop), as a pure decision over what the probe of its socket found.
 *
 * Unlike the original: recovery runs after the ARI socket listens (the gate blocks mutating
 * calls meanwhile), a `creating` run whose agent-run is alive is re-attached rather than
 * left in `creating`, and `restarting` runs are finished instead of being stuck.
 */
import type { AgentRun } from "../../specs/ari.ts";
import type { RuntimeState } from "../../specs/runtime.ts";

export const NOT_RECOVERED = "agent-run not recovered after daemon restart";
export const BOOTSTRAP_LOST = "agent bootstrap lost: daemon restarted during creating phase";

/** What dialing the run's socket and asking `runtime/status` found. */
export type Probe =
  | { alive: true; state: RuntimeState; lastSeq: number }
  | { alive: false; reason: string };

export type RecoveryAction =
  /** Re-attach: resume the event consumer, reconcile the phase. */
  | { kind: "attach" }
  /** Finish an interrupted restart: start a new agent-run on the same bundle. */
  | { kind: "restart" }
  | { kind: "mark"; phase: "stopped" | "error"; errorMessage: string };

/** Phases that need recovery; stopped and error runs are left alone. */
export const RECOVERABLE_PHASES = ["creating", "idle", "running", "restarting"] as const;

export function recoveryAction(run: AgentRun, probe: Probe): RecoveryAction {
  const phase = run.status.phase;
  // An agent-run whose agent already exited is on its way out: treat it as dead.
  if (probe.alive && probe.state.phase !== "stopped") return { kind: "attach" };
  const reason = probe.alive ? agentExitReason(probe.state) : probe.reason;
  if (phase === "restarting") return { kind: "restart" };
  if (phase === "creating") return { kind: "mark", phase: "error", errorMessage: BOOTSTRAP_LOST };
  return { kind: "mark", phase: "stopped", errorMessage: `${NOT_RECOVERED}: ${reason}` };
}

/** "agent exited with code 3" / "agent killed by SIGKILL" / the state's own reason. */
export function agentExitReason(
  state: Pick<RuntimeState, "exitCode" | "exitSignal" | "reason">,
): string {
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
