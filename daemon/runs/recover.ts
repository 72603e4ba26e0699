/**
 * Recovery after agentd (re)starts: probes every active run's agent-run and applies the
 * decision of recovery.ts: re-attach, finish an interrupted restart or stop, restart by
 * policy, or mark it stopped (creating → error). Afterwards nothing is left in
 * creating/restarting without an agent-run on its way.
 */
import type { AgentRun } from "../../specs/ari.ts";
import { errorMessage } from "../../specs/errors.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import { eventFileStats, lastEventSeq } from "../../specs/eventlog/mod.ts";
import { delay } from "../../specs/lib/delay.ts";
import { DEFAULT_STARTUP_SECONDS, readState } from "./bundle.ts";
import { scheduleRestart } from "./exit.ts";
import { killLeftoverAgent } from "./leftovers.ts";
import { ACTIVE_PHASES, transition } from "./phase.ts";
import { forEachLimited, isAttachable, type Probe, recoveryAction } from "./recovery.ts";
import { type RunContext, runId } from "./run_context.ts";
import { RunnerClient } from "./runner_client.ts";
import { findAgentRunLeader, pidMatches, signalGroup, waitForSocket } from "./spawn.ts";
import { finishStop } from "./stop.ts";

export interface RecoverySummary {
  attached: number;
  stopped: number;
  failed: number;
  restarted: number;
}

/**
 * Re-attaches to every non-terminal run after agentd (re)starts and finishes interrupted
 * restarts. Runs whose agent-run died meanwhile get their restart policy: marked
 * `restarting` (counted) and started again after the backoff, in the background, so
 * recovery does not wait for them; the others are marked stopped (creating → error).
 * Afterwards nothing is left in creating/restarting without an agent-run on its way.
 */
export async function recoverRuns(cx: RunContext): Promise<RecoverySummary> {
  const runs = await cx.store.listRuns({ phase: ACTIVE_PHASES });
  const summary: RecoverySummary = { attached: 0, stopped: 0, failed: 0, restarted: 0 };
  await forEachLimited(runs, cx.opts.recoveryConcurrency ?? 16, async (run) => {
    const key = { workspace: run.metadata.workspace, name: run.metadata.name };
    try {
      const outcome = await cx.mutex.run(runId(key), () => _recoverLocked(cx, run));
      summary[outcome]++;
    } catch (err) {
      summary.failed++;
      cx.log.error("recovery failed", { run: runId(key), error: errorMessage(err) });
    }
  });
  cx.log.info("recovery complete", { ...summary });
  return summary;
}

async function _recoverLocked(cx: RunContext, run: AgentRun): Promise<keyof RecoverySummary> {
  const key = { workspace: run.metadata.workspace, name: run.metadata.name };
  const ctl = cx.ctl(key);
  if (ctl.live) return "attached";
  const paths = cx.bundlePathsOf(key);
  const socket = run.status.socketPath ?? paths.socket;
  let peer: RpcPeer | undefined;
  let probe: Probe;
  try {
    peer = run.status.phase === "creating"
      ? await _bootingSocket(cx, run, socket, paths.dir)
      : await dialUnix(socket, { connectTimeoutMs: 1_000, requestTimeoutMs: 3_000 });
    const client = new RunnerClient(socket, peer);
    const st = await client.status(3_000);
    probe = { alive: true, state: st.state, lastSeq: st.recovery.lastSeq };
  } catch (err) {
    peer?.close();
    peer = undefined;
    probe = { alive: false, reason: errorMessage(err) };
  }
  // A stop agentrun/stop had begun when agentd went away (see stopLocked in stop.ts).
  const intent = await cx.store.getStopIntent(key);
  if (peer && probe.alive && isAttachable(probe)) {
    const pid = probe.state.runnerPid ?? run.status.pid ?? findAgentRunLeader(paths.dir) ?? 0;
    try {
      await cx.steps.attach(key, ctl, paths, {
        pid,
        peer,
        fresh: false,
        status: { state: probe.state, lastSeq: probe.lastSeq },
      });
      if (intent === pid) finishStop(cx, key, ctl);
      else if (intent !== undefined) await cx.store.clearStopIntent(key);
      return "attached";
    } catch (err) {
      peer.close();
      probe = { alive: false, reason: errorMessage(err) };
    }
  }
  peer?.close();
  // Dead or dying: leave no process of it behind.
  const state = await readState(paths);
  for (const pid of [state?.runnerPid, run.status.pid, findAgentRunLeader(paths.dir)]) {
    if (pid && pidMatches(pid, paths.dir)) signalGroup(pid, "SIGKILL");
  }
  await killLeftoverAgent(paths, state);
  const stopRequested = intent !== undefined &&
    (intent === run.status.pid || intent === state?.runnerPid);
  const found: Probe = probe.alive ? probe : { ...probe, state };
  const decided = recoveryAction(run, found, { stopRequested });
  if (intent !== undefined) await cx.store.clearStopIntent(key);
  if (decided.kind === "finish-restart" || decided.kind === "start") {
    const resume = decided.kind === "finish-restart";
    cx.background(cx.mutex.run(runId(key), async () => {
      if (cx.closing.aborted || ctl.live) return;
      await cx.steps.startLocked(key, ctl, { resume });
    }));
    return "restarted";
  }
  if (decided.kind === "restart") {
    // Counted and shown like a live exit; the start waits for the backoff, outside recovery.
    const { lastExit } = decided;
    await cx.store.updateRun(key, (r) => {
      r.status.phase = transition(r.status.phase, "policy_restart");
      r.status.errorMessage = lastExit.reason;
      r.status.lastExit = lastExit;
      r.status.exitCode = lastExit.exitCode;
      r.status.restartCount = (r.status.restartCount ?? 0) + 1;
      delete r.status.pid;
    });
    cx.log.warn("agent-run gone across daemon restart, restarting by policy", {
      run: runId(key),
      policy: run.spec.restartPolicy,
      reason: lastExit.reason,
    });
    if (!cx.closing.aborted) scheduleRestart(cx, key, 0);
    return "restarted";
  }
  if (decided.kind === "mark") {
    // The agent-run may have logged more while agentd was away: record the log's real end.
    const logEnd = await lastEventSeq(paths.events).catch(() => -1);
    const logFiles = await eventFileStats(paths.events).catch(() => undefined);
    await cx.store.updateRun(key, (r) => {
      r.status.lastSeq = Math.max(logEnd, r.status.lastSeq ?? -1);
      if (logFiles) {
        r.status.eventLogBytes = logFiles.bytes;
        if (logFiles.firstSeq !== undefined) r.status.firstSeq = logFiles.firstSeq;
      }
      // Gone while agentd was away: a lost bootstrap is an error, anything else an exit.
      r.status.phase = transition(
        r.status.phase,
        decided.phase === "error" ? "bootstrap_failed" : "exit",
      );
      if (decided.errorMessage) r.status.errorMessage = decided.errorMessage;
      else delete r.status.errorMessage;
      delete r.status.pid;
      r.status.lastExit = decided.lastExit;
      r.status.exitCode = decided.lastExit.exitCode;
    });
    cx.log.warn("agent-run not recovered", {
      run: runId(key),
      phase: decided.phase,
      error: decided.errorMessage ?? decided.lastExit.reason,
    });
  }
  return "stopped";
}

/**
 * The socket of a `creating` run: an agent-run agentd spawned just before it went away may
 * still be booting, so wait for it (bounded by the startup timeout) while its process lives.
 */
async function _bootingSocket(
  cx: RunContext,
  run: AgentRun,
  socket: string,
  bundleDir: string,
): Promise<RpcPeer> {
  const pid = run.status.pid ?? findAgentRunLeader(bundleDir);
  const dial = () => dialUnix(socket, { connectTimeoutMs: 1_000, requestTimeoutMs: 3_000 });
  if (!pid || !pidMatches(pid, bundleDir)) return await dial();
  const agent = await cx.store.getAgent(run.spec.agent);
  const seconds = agent?.spec.startupTimeoutSeconds ?? DEFAULT_STARTUP_SECONDS;
  const done = new AbortController();
  const signal = AbortSignal.any([cx.closing, done.signal]);
  const gone = (async () => {
    while (pidMatches(pid, bundleDir) && !signal.aborted) await delay(100, { signal });
  })();
  try {
    return await waitForSocket(socket, {
      timeoutMs: seconds * 1_000,
      exited: gone,
      signal: cx.closing,
      dial,
    });
  } finally {
    done.abort();
  }
}
