/**
 * The run phase machine: the one place that says which phase a run moves to, and from which
 * phases agentd may move it. Pure: the supervisor asks it before every write of
 * `status.phase`, and takes the expected-phase lists of its store check-and-set calls from it.
 *
 * The agent-run owns idle/running once bootstrapped (its events are reported here as
 * `report_*`); agentd writes only the idle→running reservation (`reserve`) and the phases of
 * its own doing: creating, restarting, stopped and error.
 *
 * @example
 * ```ts
 * import { nextPhase, phasesAllowing } from "./phase.ts";
 *
 * nextPhase("idle", "reserve"); // "running"
 * nextPhase("running", "reserve"); // undefined: refused
 * phasesAllowing("reserve"); // ["idle"]
 * ```
 */
import type { AgentRun } from "../../specs/ari.ts";
import type { Phase } from "../../specs/events.ts";

/** Every run phase, in the order the expected-phase lists use. */
export const PHASES: readonly Phase[] = [
  "creating",
  "idle",
  "running",
  "restarting",
  "stopped",
  "error",
];

/** The phase a run is recorded with by agentrun/create. */
export const INITIAL_PHASE: Phase = "creating";

/** What moves a run from one phase to another. */
export type PhaseEvent =
  /** A prompt, task or inbox message takes the idle run's next turn. */
  | "reserve"
  /** The agent-run's events say idle / running (only over the phases it owns). */
  | "report_idle"
  | "report_running"
  /** Attached to an agent-run that reports idle / running / still bootstrapping. */
  | "attach_idle"
  | "attach_running"
  | "attach_creating"
  /** agentrun/stop of a run without a live agent-run. */
  | "stop"
  /** The agent-run agentd asked to stop has exited. */
  | "stop_exit"
  /** agentrun/restart, and the exit of the agent-run it stopped. */
  | "restart"
  /** Ended on its own (or lost across a daemon restart); the restart policy starts it again. */
  | "policy_restart"
  /** Ended on its own, not restarted. */
  | "exit"
  /** Ended before its bootstrap was through (or lost during it). */
  | "bootstrap_failed"
  /** A start that failed, or was aborted by a stop/restart/delete. */
  | "start_failed"
  | "start_aborted"
  /** A turn could not be handed over and the agent-run does not answer. */
  | "prompt_failed";

/** Phases a run may be in while it has (or is getting) an agent-run. */
export const ACTIVE_PHASES: readonly Phase[] = ["creating", "idle", "running", "restarting"];
/** Phases without an agent-run; the only ones a run may be deleted from. */
export const TERMINAL_PHASES: readonly Phase[] = ["stopped", "error"];
/** Phases the agent-run's own events may move (never over agentd's restarting/stopped/error). */
export const RUNNER_PHASES: readonly Phase[] = ["creating", "idle", "running"];
/** Phases in which a workspace message waits in the inbox instead of being delivered. */
export const QUEUE_PHASES: readonly Phase[] = ["creating", "running", "restarting"];

type Row = Partial<Record<PhaseEvent, Phase>>;

/**
 * The transition table (phase × event → phase), written out row by row: an event absent
 * from a phase's row is refused in that phase. phase_test.ts checks every pair.
 */
export const TRANSITIONS: Readonly<Record<Phase, Row>> = {
  creating: {
    report_idle: "idle",
    report_running: "running",
    attach_idle: "idle",
    attach_running: "running",
    attach_creating: "creating",
    stop: "stopped",
    stop_exit: "stopped",
    restart: "restarting",
    policy_restart: "restarting",
    exit: "stopped",
    bootstrap_failed: "error",
    start_failed: "error",
    start_aborted: "stopped",
  },
  idle: {
    reserve: "running",
    report_idle: "idle",
    report_running: "running",
    attach_idle: "idle",
    attach_running: "running",
    stop: "stopped",
    stop_exit: "stopped",
    restart: "restarting",
    policy_restart: "restarting",
    exit: "stopped",
    bootstrap_failed: "error",
    start_failed: "error",
    start_aborted: "stopped",
    prompt_failed: "error",
  },
  running: {
    report_idle: "idle",
    report_running: "running",
    attach_idle: "idle",
    attach_running: "running",
    stop: "stopped",
    stop_exit: "stopped",
    restart: "restarting",
    policy_restart: "restarting",
    exit: "stopped",
    bootstrap_failed: "error",
    start_failed: "error",
    start_aborted: "stopped",
    prompt_failed: "error",
  },
  restarting: {
    attach_idle: "idle",
    attach_running: "running",
    // Still in its system-prompt turn: a restart is now a bootstrap like any other.
    attach_creating: "creating",
    stop: "stopped",
    stop_exit: "stopped",
    restart: "restarting",
    policy_restart: "restarting",
    exit: "stopped",
    bootstrap_failed: "error",
    start_failed: "error",
    start_aborted: "stopped",
  },
  stopped: {
    stop_exit: "stopped",
    // policy_restart refused: a stop that came while the exit was handled is not overridden.
    restart: "restarting",
    exit: "stopped",
    bootstrap_failed: "error",
    start_failed: "error",
    start_aborted: "stopped",
  },
  error: {
    stop_exit: "stopped",
    restart: "restarting",
    policy_restart: "restarting",
    // An error already recorded (e.g. an unreachable agent-run) is kept by its exit.
    exit: "error",
    bootstrap_failed: "error",
    start_failed: "error",
    start_aborted: "stopped",
  },
};

/** The phase `event` moves a run in `from` to; undefined when `from` refuses it. */
export function nextPhase(from: Phase, event: PhaseEvent): Phase | undefined {
  return TRANSITIONS[from][event];
}

/** Whether a run in `from` accepts `event`. */
export function allows(from: Phase, event: PhaseEvent): boolean {
  return nextPhase(from, event) !== undefined;
}

/** The phases that accept `event`: the expected-phase list of the store write it makes. */
export function phasesAllowing(event: PhaseEvent): readonly Phase[] {
  return PHASES.filter((p) => allows(p, event));
}

/** Refused transition (a bug in the caller: it checks with the store first). */
export class PhaseTransitionError extends Error {
  constructor(readonly from: Phase, readonly event: PhaseEvent) {
    super(`phase ${from} does not accept ${event}`);
    this.name = "PhaseTransitionError";
  }
}

/** Like nextPhase, but throws PhaseTransitionError when refused. */
export function transition(from: Phase, event: PhaseEvent): Phase {
  const to = nextPhase(from, event);
  if (to === undefined) throw new PhaseTransitionError(from, event);
  return to;
}

/** Phases a turn may be reserved from (idle): the expected phases of every reservation. */
export const RESERVE_FROM: readonly Phase[] = phasesAllowing("reserve");

/**
 * The idle→running reservation, as a store mutator: takes the next turn and clears the error
 * of the previous one. Use with RESERVE_FROM as the expected phases.
 */
export function reserveTurn(run: AgentRun): void {
  run.status.phase = transition(run.status.phase, "reserve");
  delete run.status.errorMessage;
}

/** Phases agentrun/delete accepts: a run with an agent-run must be stopped first. */
export const DELETE_FROM: readonly Phase[] = TERMINAL_PHASES;
/** Phases a stop of a run without a live agent-run moves to stopped (others: nothing to do). */
export const STOP_FROM: readonly Phase[] = phasesAllowing("stop");
/** Phases agentrun/restart accepts: every one. */
export const RESTART_FROM: readonly Phase[] = phasesAllowing("restart");
