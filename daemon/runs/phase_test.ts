import assert from "node:assert/strict";
import type { AgentRun } from "../../specs/ari.ts";
import type { Phase } from "../../specs/events.ts";
import {
  ACTIVE_PHASES,
  allows,
  DELETE_FROM,
  nextPhase,
  type PhaseEvent,
  PHASES,
  phasesAllowing,
  PhaseTransitionError,
  QUEUE_PHASES,
  RESERVE_FROM,
  reserveTurn,
  RESTART_FROM,
  RUNNER_PHASES,
  STOP_FROM,
  TERMINAL_PHASES,
  transition,
} from "./phase.ts";

const EVENTS: readonly PhaseEvent[] = [
  "reserve",
  "report_idle",
  "report_running",
  "attach_idle",
  "attach_running",
  "attach_creating",
  "stop",
  "stop_exit",
  "restart",
  "policy_restart",
  "exit",
  "bootstrap_failed",
  "start_failed",
  "start_aborted",
  "prompt_failed",
];

/** The expected table, written out in full: every phase × event; "-" = refused. */
const EXPECTED: Record<Phase, Record<PhaseEvent, Phase | "-">> = {
  creating: {
    reserve: "-",
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
    prompt_failed: "-",
  },
  idle: {
    reserve: "running",
    report_idle: "idle",
    report_running: "running",
    attach_idle: "idle",
    attach_running: "running",
    attach_creating: "-",
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
    reserve: "-",
    report_idle: "idle",
    report_running: "running",
    attach_idle: "idle",
    attach_running: "running",
    attach_creating: "-",
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
    reserve: "-",
    report_idle: "-",
    report_running: "-",
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
    prompt_failed: "-",
  },
  stopped: {
    reserve: "-",
    report_idle: "-",
    report_running: "-",
    attach_idle: "-",
    attach_running: "-",
    attach_creating: "-",
    stop: "-",
    stop_exit: "stopped",
    restart: "restarting",
    policy_restart: "-",
    exit: "stopped",
    bootstrap_failed: "error",
    start_failed: "error",
    start_aborted: "stopped",
    prompt_failed: "-",
  },
  error: {
    reserve: "-",
    report_idle: "-",
    report_running: "-",
    attach_idle: "-",
    attach_running: "-",
    attach_creating: "-",
    stop: "-",
    stop_exit: "stopped",
    restart: "restarting",
    policy_restart: "restarting",
    exit: "error",
    bootstrap_failed: "error",
    start_failed: "error",
    start_aborted: "stopped",
    prompt_failed: "-",
  },
};

for (const from of PHASES) {
  for (const event of EVENTS) {
    const want = EXPECTED[from][event];
    Deno.test(`phase: ${from} × ${event} → ${want === "-" ? "refused" : want}`, () => {
      if (want === "-") {
        assert.equal(nextPhase(from, event), undefined);
        assert.equal(allows(from, event), false);
        assert.throws(() => transition(from, event), PhaseTransitionError);
        assert.ok(!phasesAllowing(event).includes(from));
      } else {
        assert.equal(nextPhase(from, event), want);
        assert.equal(allows(from, event), true);
        assert.equal(transition(from, event), want);
        assert.ok(phasesAllowing(event).includes(from));
      }
    });
  }
}

Deno.test("phase: the table covers exactly the Phase type's phases", () => {
  const all: Record<Phase, true> = {
    creating: true,
    idle: true,
    running: true,
    restarting: true,
    stopped: true,
    error: true,
  };
  assert.deepEqual([...PHASES].sort(), Object.keys(all).sort());
});

Deno.test("phase: named sets", () => {
  assert.deepEqual(RESERVE_FROM, ["idle"]);
  assert.deepEqual(ACTIVE_PHASES, ["creating", "idle", "running", "restarting"]);
  assert.deepEqual(TERMINAL_PHASES, ["stopped", "error"]);
  assert.deepEqual(DELETE_FROM, TERMINAL_PHASES);
  assert.deepEqual(STOP_FROM, ACTIVE_PHASES);
  assert.deepEqual(RESTART_FROM, PHASES);
  assert.deepEqual(RUNNER_PHASES, phasesAllowing("report_idle"));
  assert.deepEqual(RUNNER_PHASES, phasesAllowing("report_running"));
  // A message either reserves or waits in every active phase, and in no other.
  assert.deepEqual([...RESERVE_FROM, ...QUEUE_PHASES].sort(), [...ACTIVE_PHASES].sort());
  assert.deepEqual(PHASES.filter((p) => !ACTIVE_PHASES.includes(p)), TERMINAL_PHASES);
});

Deno.test("phase: reserveTurn takes an idle run's turn and clears the last error", () => {
  const run = { status: { phase: "idle", errorMessage: "prompt failed: x" } } as AgentRun;
  reserveTurn(run);
  assert.equal(run.status.phase, "running");
  assert.equal(run.status.errorMessage, undefined);
});

Deno.test("phase: reserveTurn refuses a run that is not idle", () => {
  for (const phase of PHASES.filter((p) => p !== "idle")) {
    const run = { status: { phase, errorMessage: "kept" } } as AgentRun;
    assert.throws(() => reserveTurn(run), PhaseTransitionError);
    assert.equal(run.status.phase, phase);
    assert.equal(run.status.errorMessage, "kept");
  }
});
