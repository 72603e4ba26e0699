/**
 * What agentd does with an attached agent-run's events: the phase it reports (only over the
 * phases it owns), its session id, pending permission requests, the size of its event log.
 */
import type { AgentRun, RunKey } from "../../specs/ari.ts";
import { NotFoundError } from "../../specs/errors.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import type { EventLogInfo } from "../../specs/runtime.ts";
import { PhaseConflictError } from "../store/errors.ts";
import { RUNNER_PHASES, transition } from "./phase.ts";
import { EVENT_LOG_WARN_BYTES, type Live, type RunContext, runId } from "./run_context.ts";

/** Handles one event of an attached agent-run (in seq order). */
export async function onEvent(cx: RunContext, live: Live, ev: AgentRunEvent): Promise<void> {
  switch (ev.type) {
    case "agent_exit":
      live.agentExit = ev.payload;
      return;
    case "permission_request":
      // Older requests are history: the list seeded at attach already holds the live ones.
      if (ev.seq > live.attachSeq) live.pendingPermissions.add(ev.payload.requestId);
      return;
    case "permission_resolved":
      live.pendingPermissions.delete(ev.payload.requestId);
      return;
    case "session_start": {
      const sessionId = ev.payload.sessionId;
      if (sessionId) {
        await cx.store.updateRun(live.key, (r) => {
          r.status.sessionId = sessionId;
        }).catch(() => {});
      }
      return;
    }
    case "turn_end":
      if (ev.seq > live.attachSeq && !live.exited && !live.stopping) {
        await _idleAtTurnEnd(cx, live, ev.seq);
      }
      return;
    case "runtime_update": {
      const change = ev.payload.phase;
      if (!change || change.phase === change.previousPhase) return;
      if (ev.seq <= live.attachSeq || live.exited) return;
      if (change.phase === "idle" || change.phase === "running") {
        // The idle that follows a turn_end was applied at the turn_end already: applying it
        // again could undo the reservation of a prompt sent in between.
        const early = live.idleAtTurnEnd;
        live.idleAtTurnEnd = false;
        if (!(early && change.phase === "idle")) await applyPhase(cx, live, change.phase, ev.seq);
        if (change.phase === "idle") {
          cx.steps.drainSoon(live.key);
          cx.background(_refreshLog(cx, live));
        }
      }
      return;
    }
  }
}

/**
 * A turn's end makes the run idle here and now, before any watcher sees the turn_end (see
 * watch.ts): a client that waits for turn_end can prompt at once. Only a running run (not
 * the bootstrap's system-prompt turn) and only if agentd is not stopping it.
 */
async function _idleAtTurnEnd(cx: RunContext, live: Live, seq: number): Promise<void> {
  try {
    await cx.store.casRun(live.key, ["running"], (r) => {
      r.status.phase = transition(r.status.phase, "report_idle");
      r.status.lastSeq = seq;
    });
  } catch (err) {
    if (!(err instanceof PhaseConflictError) && !(err instanceof NotFoundError)) throw err;
    return;
  }
  live.idleAtTurnEnd = true;
  cx.steps.drainSoon(live.key);
}

/**
 * After a turn: the log's size and oldest seq from the agent-run, onto the run. In the
 * background: a request from inside the event handler would wait behind the handler.
 */
async function _refreshLog(cx: RunContext, live: Live): Promise<void> {
  if (live.exited || live.client.isClosed) return;
  let log: EventLogInfo | undefined;
  try {
    log = (await live.client.status()).state.eventLog;
  } catch {
    return; // leaving: its exit records the size from the files
  }
  if (!log || live.exited) return;
  try {
    await cx.store.updateRun(live.key, (r) => setLogStatus(r, log));
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  warnLogSize(cx, live.key, log);
}

/** Logs a warning each time a log kept whole passes another multiple of the threshold. */
export function warnLogSize(cx: RunContext, key: RunKey, log: EventLogInfo): void {
  const limit = cx.opts.eventLogWarnBytes ?? EVENT_LOG_WARN_BYTES;
  const ctl = cx.ctls.get(runId(key));
  if (!ctl || log.maxSegments !== 0 || !(limit > 0)) return;
  const level = Math.floor(log.bytes / limit);
  if (level <= ctl.logWarned) return;
  ctl.logWarned = level;
  cx.log.warn("event log keeps growing: nothing is removed (eventLog.maxSegments 0)", {
    run: runId(key),
    bytes: log.bytes,
    segments: log.segments,
    hint: "set spec.eventLog.maxSegments, or mass server --event-max-segments",
  });
}

/** Phase from the agent-run: only over creating/idle/running (never over our phases). */
export async function applyPhase(
  cx: RunContext,
  live: Live,
  phase: "idle" | "running",
  seq?: number,
): Promise<void> {
  try {
    await cx.store.casRun(live.key, RUNNER_PHASES, (r) => {
      r.status.phase = transition(
        r.status.phase,
        phase === "idle" ? "report_idle" : "report_running",
      );
      if (seq !== undefined) r.status.lastSeq = seq;
      if (phase === "running") delete r.status.errorMessage;
    });
  } catch (err) {
    if (!(err instanceof PhaseConflictError) && !(err instanceof NotFoundError)) throw err;
  }
}

/** Copies the event log's size and first seq to the run's status (the caller saves the run). */
export function setLogStatus(run: AgentRun, log: EventLogInfo): void {
  run.status.eventLogBytes = log.bytes;
  run.status.firstSeq = log.firstSeq;
}
