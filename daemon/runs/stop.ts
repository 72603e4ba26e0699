/**
 * Stop, restart and delete: each first interrupts what is queued or in flight on the run,
 * then, in the run's queue, ends its agent-run gracefully and bounded (runtime/stop, wait,
 * SIGTERM to the group, SIGKILL to the group).
 */
import { settlesWithin } from "../../specs/lib/settles_within.ts";
import type { AgentRun, RunKey } from "../../specs/ari.ts";
import { ConflictError } from "../../specs/errors.ts";
import { PhaseConflictError } from "../store/errors.ts";
import { removeBundle } from "./bundle.ts";
import { DELETE_FROM, STOP_FROM, transition } from "./phase.ts";
import { type Ctl, type Live, notFound, type RunContext, runId } from "./run_context.ts";
import {
  checkRunWorktreeDelete,
  removeRunWorktree,
  type RunWorktreeDeleteOptions,
} from "./run_worktree.ts";
import { signalGroup } from "./spawn.ts";

/**
 * agentrun/stop: graceful and bounded (runtime/stop, wait, SIGTERM group, SIGKILL group);
 * resolves once the run is stopped. Unknown run → -32602.
 */
export async function stopRun(cx: RunContext, key: RunKey): Promise<void> {
  if (!await cx.store.getRun(key)) throw notFound(key);
  const ctl = cx.interrupt(key);
  await cx.mutex.run(runId(key), () => stopLocked(cx, key, ctl, "stopped"));
}

/**
 * agentrun/restart: marks the run `restarting` and, in the background, stops it if needed
 * and starts a new agent-run on the same bundle (event log and seq continue; the ACP session
 * is resumed when the agent can). Returns the run as marked. Not counted in
 * `restartCount`, which counts the restarts agentd did on its own (restart policy).
 */
export async function restartRun(cx: RunContext, key: RunKey): Promise<AgentRun> {
  if (!await cx.store.getRun(key)) throw notFound(key);
  const ctl = cx.interrupt(key);
  const gen = ctl.generation;
  const marked = await cx.store.updateRun(key, (r) => {
    r.status.phase = transition(r.status.phase, "restart");
    delete r.status.errorMessage;
  });
  cx.background(cx.mutex.run(runId(key), async () => {
    if (ctl.generation !== gen) return;
    if (ctl.live) await terminate(cx, ctl.live, "restarting");
    if (ctl.generation !== gen) return;
    await cx.store.updateRun(key, (r) => {
      r.status.phase = transition(r.status.phase, "restart");
    });
    await cx.steps.startLocked(key, ctl, { resume: true });
  }));
  return cx.overlay(marked);
}

/**
 * agentrun/delete: only stopped/error runs (-32001 otherwise); removes the bundle and the
 * run's worktree (see run_worktree.ts for `opts`).
 */
export async function deleteRun(
  cx: RunContext,
  key: RunKey,
  opts: RunWorktreeDeleteOptions = {},
): Promise<void> {
  const run = await cx.store.getRun(key);
  if (!run) throw notFound(key);
  if (!DELETE_FROM.includes(run.status.phase)) {
    throw new ConflictError(
      `agent ${
        runId(key)
      } is ${run.status.phase}; stop it before deleting (phase must be stopped or error)`,
    );
  }
  await checkRunWorktreeDelete(run, opts);
  const ctl = cx.interrupt(key);
  await cx.mutex.run(runId(key), async () => {
    if (ctl.live) await terminate(cx, ctl.live, "stopped");
    const ws = await cx.store.getWorkspace(key.workspace);
    await removeRunWorktree(cx.paths.root, (await cx.store.getRun(key)) ?? run, ws, opts);
    await cx.store.deleteRun(key, {
      expectedPhases: DELETE_FROM,
      message: (p) => `agent ${runId(key)} is ${p}; stop it before deleting`,
    });
    await removeBundle(cx.bundlePathsOf(key));
    for (const w of [...ctl.watches]) w.end();
    cx.ctls.delete(runId(key));
  });
}

/** Stops the run inside its queue: its agent-run if live, else only the phase. */
export async function stopLocked(
  cx: RunContext,
  key: RunKey,
  ctl: Ctl,
  phase: "stopped",
): Promise<void> {
  if (ctl.live) {
    // Should agentd die before the exit is handled, recovery must not restart it by policy.
    await cx.store.setStopIntent(key, ctl.live.pid).catch(() => {});
    await terminate(cx, ctl.live, phase);
    return;
  }
  try {
    await cx.store.casRun(key, STOP_FROM, (r) => {
      r.status.phase = transition(r.status.phase, "stop");
      delete r.status.pid;
    });
  } catch (err) {
    if (!(err instanceof PhaseConflictError)) throw err;
  }
}

/** runtime/stop → wait → SIGTERM group → wait → SIGKILL group; resolves once handled. */
export async function terminate(
  cx: RunContext,
  live: Live,
  stopPhase: "stopped" | "restarting",
): Promise<void> {
  live.stopping = true;
  live.stopPhase = stopPhase;
  const t = cx.timeouts;
  if (!live.exited) {
    let graceful = t.gracefulMs;
    try {
      await live.client.stop(t.stopRpcMs);
    } catch {
      // Not answering (or already leaving): a short wait, then the signals do it.
      graceful = Math.min(graceful, 1_000);
    }
    let gone = await settlesWithin(live.gone, graceful);
    if (!gone) {
      signalGroup(live.pid, "SIGTERM");
      gone = await settlesWithin(live.gone, t.termMs);
    }
    if (!gone) {
      signalGroup(live.pid, "SIGKILL");
      gone = await settlesWithin(live.gone, t.killMs);
    }
    if (!gone) {
      // Still there after SIGKILL (uninterruptible?): handle it as gone anyway.
      cx.background(cx.steps.onGone(live, { code: null, signal: "SIGKILL" }));
    }
  }
  await live.finished;
}

/** Completes, after recovery, a stop that was under way when agentd went away. */
export function finishStop(cx: RunContext, key: RunKey, ctl: Ctl): void {
  const gen = ctl.generation;
  cx.background(cx.mutex.run(runId(key), async () => {
    if (ctl.generation !== gen || cx.closing.aborted) return;
    await stopLocked(cx, key, ctl, "stopped");
  }));
}
