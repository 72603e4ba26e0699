import assert from "node:assert/strict";
import type { AgentRun, RestartPolicy } from "../../specs/ari.ts";
import type { RuntimeState } from "../../specs/runtime.ts";
import { AGENT_RUN_LOST, BOOTSTRAP_LOST, NOT_RECOVERED, recoveryAction } from "./recovery.ts";

Deno.test("recovery decisions", () => {
  const run = (phase: AgentRun["status"]["phase"]): AgentRun => ({
    kind: "AgentRun",
    metadata: { workspace: "ws", name: "a" },
    spec: { agent: "x" },
    status: { phase },
  });
  const state = (
    phase: RuntimeState["phase"],
    extra: Partial<RuntimeState> = {},
  ): RuntimeState => ({
    massVersion: "0.1.0",
    id: "a",
    bundle: "/b",
    phase,
    updatedAt: "",
    ...extra,
  });
  const dead = { alive: false as const, reason: "connect refused" };
  const now = "2026-01-02T03:04:05.000Z";
  const lost = { exitCode: null, signal: null, reason: AGENT_RUN_LOST, time: now };
  assert.deepEqual(
    recoveryAction(run("idle"), { alive: true, state: state("running"), lastSeq: 3 }),
    {
      kind: "attach",
    },
  );
  assert.deepEqual(
    recoveryAction(run("creating"), { alive: true, state: state("creating"), lastSeq: 0 }),
    { kind: "attach" },
  );
  assert.deepEqual(recoveryAction(run("running"), dead, { now }), {
    kind: "mark",
    phase: "stopped",
    errorMessage: `${NOT_RECOVERED}: connect refused`,
    lastExit: lost,
  });
  // Its agent-run started (it wrote its state) and died during bootstrap: an error.
  const booted = { ...dead, state: state("creating") };
  assert.deepEqual(recoveryAction(run("creating"), booted, { now }), {
    kind: "mark",
    phase: "error",
    errorMessage: BOOTSTRAP_LOST,
    lastExit: lost,
  });
  // No agent-run ever got going (agentd stopped mid-create): start it.
  assert.deepEqual(recoveryAction(run("creating"), dead, { now }), { kind: "start" });
  assert.deepEqual(recoveryAction(run("restarting"), dead), { kind: "finish-restart" });
  const exited = recoveryAction(run("idle"), {
    alive: true,
    state: state("stopped", { exitCode: 3, updatedAt: now }),
    lastSeq: 9,
  });
  assert.deepEqual(exited, {
    kind: "mark",
    phase: "stopped",
    errorMessage: `${NOT_RECOVERED}: agent exited with code 3`,
    lastExit: { exitCode: 3, signal: null, reason: "agent exited with code 3", time: now },
  });
});

Deno.test("recovery decisions: restart policies of runs found dead", () => {
  const run = (
    phase: AgentRun["status"]["phase"],
    restartPolicy?: RestartPolicy,
  ): AgentRun => ({
    kind: "AgentRun",
    metadata: { workspace: "ws", name: "a" },
    spec: { agent: "x", ...(restartPolicy ? { restartPolicy } : {}) },
    status: { phase },
  });
  const now = "2026-01-02T03:04:05.000Z";
  const lost = { exitCode: null, signal: null, reason: AGENT_RUN_LOST, time: now };
  const vanished = { alive: false as const, reason: "connect refused" };
  // Vanished without a recorded exit: a failure, for every phase the run may have been in
  // (a creating run's agent-run had started: it wrote its state).
  for (const phase of ["creating", "idle", "running"] as const) {
    const probe = phase === "creating"
      ? {
        ...vanished,
        state: { massVersion: "0.1.0", id: "a", bundle: "/b", phase, updatedAt: now },
      }
      : vanished;
    for (const policy of ["always", "on-failure"] as const) {
      assert.deepEqual(
        recoveryAction(run(phase, policy), probe, { now }),
        { kind: "restart", lastExit: lost },
        `${phase} ${policy}`,
      );
    }
    const never = recoveryAction(run(phase, "never"), probe, { now });
    assert.equal(never.kind, "mark", phase);
    assert.equal(recoveryAction(run(phase), probe, { now }).kind, "mark", "default never");
  }
  // A creating run whose agent-run never started is started, whatever its policy.
  assert.deepEqual(recoveryAction(run("creating", "never"), vanished, { now }), { kind: "start" });
  // A recorded clean exit restarts only under `always`.
  const clean = {
    alive: false as const,
    reason: "connect refused",
    state: {
      massVersion: "0.1.0",
      id: "a",
      bundle: "/b",
      phase: "stopped" as const,
      exitCode: 0,
      updatedAt: now,
    },
  };
  assert.equal(recoveryAction(run("idle", "always"), clean, { now }).kind, "restart");
  assert.equal(recoveryAction(run("idle", "on-failure"), clean, { now }).kind, "mark");
  // Stopped on request (agentd died mid-stop): never restarted, no error.
  assert.deepEqual(
    recoveryAction(run("running", "always"), vanished, { now, stopRequested: true }),
    {
      kind: "mark",
      phase: "stopped",
      lastExit: { exitCode: null, signal: null, reason: "stopped", time: now },
    },
  );
  // An interrupted restart is finished whatever the policy, unless a stop came after it.
  assert.deepEqual(recoveryAction(run("restarting", "never"), vanished), {
    kind: "finish-restart",
  });
  const stopAfterRestart = recoveryAction(run("restarting"), vanished, { stopRequested: true });
  assert.equal(stopAfterRestart.kind, "mark");
});
