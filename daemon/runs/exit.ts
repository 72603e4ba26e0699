/**
 * The end of an agent-run and the restart policy: records how it ended (its agent's exit when
 * known), leaves no process of it behind, and starts it again after the backoff when its
 * restart policy says so (restart_policy.ts).
 */
import type { LastExit, RunKey } from "../../specs/ari.ts";
import { NotFoundError } from "../../specs/errors.ts";
import type { RuntimeState } from "../../specs/runtime.ts";
import { readState } from "./bundle.ts";
import { eventFileStats, readEventFiles } from "../../specs/eventlog/mod.ts";
import { killLeftoverAgent } from "./leftovers.ts";
import { allows, transition } from "./phase.ts";
import { agentExitReason } from "./recovery.ts";
import { backoffDelay, nextAttempt, shouldRestart } from "./restart_policy.ts";
import { type ExitStatus, type Live, type RunContext, runId } from "./run_context.ts";
import { signalGroup } from "./spawn.ts";

/**
 * The agent-run is gone: reads what the subscription missed, kills stragglers, records the
 * exit on the run and applies the restart policy.
 */
export async function onGone(cx: RunContext, live: Live, exit: ExitStatus): Promise<void> {
  if (live.exited) return live.resolveFinished();
  live.exited = true;
  live.pendingPermissions.clear();
  const ctl = cx.ctl(live.key);
  if (ctl.live === live) ctl.live = undefined;
  live.client.close();
  try {
    // Whatever the consumer missed before the socket closed is in the log.
    const from = live.consumer.lastSeq + 1;
    for await (const ev of readEventFiles(live.paths.events, from, { clamp: true })) {
      if (ev.type === "agent_exit") live.agentExit = ev.payload;
      live.consumer.advance(ev.seq);
    }
  } catch {
    // unreadable log: the cursor stays where it was
  }
  await live.consumer.close();
  const logFiles = await eventFileStats(live.paths.events).catch(() => undefined);
  // Stragglers of the agent-run's group, and the agent's own group.
  signalGroup(live.pid, "SIGKILL");
  const state = await readState(live.paths);
  if (!live.agentExit) await killLeftoverAgent(live.paths, state);

  const lastExit = _exitRecord(live, exit, state);
  const requested = live.stopping;
  const run = await cx.store.getRun(live.key);
  const restart = !requested && run !== undefined && allows(run.status.phase, "policy_restart") &&
    shouldRestart(run.spec.restartPolicy, {
      exitCode: lastExit.exitCode,
      signal: lastExit.signal,
      requested,
    });
  const upMs = Date.now() - live.startedAt;
  cx.log.info("agent-run exited", {
    run: live.id,
    requested,
    restart,
    ...lastExit,
  });
  try {
    await cx.store.updateRun(live.key, (r) => {
      delete r.status.pid;
      r.status.lastExit = lastExit;
      r.status.exitCode = lastExit.exitCode;
      r.status.lastSeq = Math.max(live.consumer.lastSeq, r.status.lastSeq ?? -1);
      if (logFiles) {
        r.status.eventLogBytes = logFiles.bytes;
        if (logFiles.firstSeq !== undefined) r.status.firstSeq = logFiles.firstSeq;
      }
      if (requested) {
        r.status.phase = transition(
          r.status.phase,
          live.stopPhase === "stopped" ? "stop_exit" : "restart",
        );
        delete r.status.errorMessage;
      } else if (restart && allows(r.status.phase, "policy_restart")) {
        r.status.phase = transition(r.status.phase, "policy_restart");
        r.status.errorMessage = lastExit.reason;
        r.status.restartCount = (r.status.restartCount ?? 0) + 1;
      } else if (r.status.phase !== "error") {
        // A run that never got through bootstrap is broken, not merely stopped.
        const event = state?.reason === "bootstrap-failed" ? "bootstrap_failed" : "exit";
        r.status.phase = transition(r.status.phase, event);
        r.status.errorMessage = lastExit.reason;
      }
    });
    if (requested) await cx.store.clearStopIntent(live.key).catch(() => {});
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  } finally {
    live.resolveFinished();
  }
  if (restart && !cx.closing.aborted) scheduleRestart(cx, live.key, upMs);
}

/** Starts the run again after the backoff of its next restart attempt. */
export function scheduleRestart(cx: RunContext, key: RunKey, upMs: number): void {
  const ctl = cx.ctl(key);
  ctl.attempt = nextAttempt(ctl.attempt, upMs);
  const wait = backoffDelay(ctl.attempt);
  const gen = ctl.generation;
  clearTimeout(ctl.restartTimer);
  cx.log.info("restart scheduled", { run: runId(key), inMs: wait, attempt: ctl.attempt });
  ctl.restartTimer = setTimeout(() => {
    ctl.restartTimer = undefined;
    cx.background(cx.mutex.run(runId(key), async () => {
      if (ctl.generation !== gen || cx.closing.aborted) return;
      const run = await cx.store.getRun(key);
      if (run?.status.phase !== "restarting" || ctl.live) return;
      await cx.steps.startLocked(key, ctl, { resume: true });
    }));
  }, wait);
}

/** What ended the run, from the agent's exit (agent_exit / state.json) or the agent-run's. */
function _exitRecord(live: Live, exit: ExitStatus, state: RuntimeState | undefined): LastExit {
  const time = new Date().toISOString();
  const ae = live.agentExit;
  if (ae) {
    return {
      exitCode: ae.exitCode,
      signal: ae.signal,
      reason: agentExitReason({
        exitCode: ae.exitCode,
        exitSignal: ae.signal,
        reason: ae.reason,
        errorMessage: state?.errorMessage,
      }),
      time,
    };
  }
  if (state && (typeof state.exitCode === "number" || state.exitSignal)) {
    return {
      exitCode: state.exitCode ?? null,
      signal: state.exitSignal ?? null,
      reason: agentExitReason(state),
      time,
    };
  }
  if (live.stopping) return { exitCode: exit.code, signal: exit.signal, reason: "stopped", time };
  const how = exit.signal
    ? `killed by ${exit.signal}`
    : exit.code !== null
    ? `exited with code ${exit.code}`
    : "exited unexpectedly (exit status unknown)";
  return {
    exitCode: exit.code,
    signal: exit.signal,
    reason: `agent-run ${how}`,
    time,
  };
}
