/**
 * Attaching to a listening agent-run (fresh or found by recovery): agentd's event
 * subscription, the exit watch, the phase the agent-run reports, and reconnection after a
 * dropped connection (a slow-consumer eviction; a dead process is left to the exit).
 */
import { delay } from "../../specs/lib/delay.ts";
import type { RunKey } from "../../specs/ari.ts";
import type { Phase } from "../../specs/events.ts";
import type { StatusResult } from "../../specs/runner_rpc.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import type { BundlePaths } from "./bundle.ts";
import { EventConsumer } from "./event_consumer.ts";
import { syncMeshEndpoint } from "./mesh_endpoint.ts";
import { nextPhase, type PhaseEvent } from "./phase.ts";
import {
  type AttachOptions,
  type Ctl,
  type ExitStatus,
  type Live,
  type RunContext,
  runId,
} from "./run_context.ts";
import { applyPhase, onEvent, setLogStatus, warnLogSize } from "./run_events.ts";
import { RunnerClient } from "./runner_client.ts";
import { pidAlive, signalGroup } from "./spawn.ts";

/**
 * Attaches to a listening agent-run: subscribes to its events from agentd's cursor, watches
 * for its exit and takes the phase it reports. Throws (closing `opts.peer`) if it cannot.
 */
export async function attach(
  cx: RunContext,
  key: RunKey,
  ctl: Ctl,
  paths: BundlePaths,
  opts: AttachOptions,
): Promise<void> {
  const client = new RunnerClient(paths.socket, opts.peer);
  let st = opts.status;
  if (!st) {
    const s = await client.status();
    st = { state: s.state, lastSeq: s.recovery.lastSeq };
  }
  // Taken after the status: requests up to its lastSeq are in it, later ones come as events.
  const waiting = await client.permissions().catch(() => ({ items: [] }));
  const cursor = (await cx.store.getCursor(key)) ?? -1;
  let resolveFinished!: () => void;
  const finished = new Promise<void>((r) => (resolveFinished = r));
  const live: Live = {
    key,
    id: runId(key),
    paths,
    pid: opts.pid,
    child: opts.child,
    client,
    consumer: undefined as unknown as EventConsumer,
    attachSeq: st.lastSeq,
    startedAt: Date.now(),
    stopping: false,
    stopPhase: "stopped",
    pendingPermissions: new Set(waiting.items.map((i) => i.requestId)),
    exited: false,
    gone: undefined as unknown as Promise<ExitStatus>,
    finished,
    resolveFinished,
  };
  live.consumer = new EventConsumer({
    fromSeq: cursor + 1,
    onEvent: (ev) => onEvent(cx, live, ev),
    saveCursor: (seq) => cx.store.advanceCursor(key, seq),
    onSkipped: (from, to) =>
      cx.log.warn("events removed by retention before agentd read them", {
        run: runId(key),
        from,
        to,
      }),
  });
  live.gone = opts.child
    ? opts.child.status.then((s) => ({ code: s.signal ? null : s.code, signal: s.signal }))
    : _pollGone(cx, live);
  try {
    await live.consumer.start(opts.peer);
  } catch (err) {
    opts.peer.close();
    throw err;
  }
  ctl.live = live;
  live.gone.then((exit) => cx.background(cx.steps.onGone(live, exit)));
  opts.peer.closed.then(() => _onDisconnect(cx, live));

  const phase: Phase = st.state.phase;
  await cx.store.updateRun(key, (r) => {
    r.status.pid = opts.pid;
    r.status.bundle = paths.dir;
    r.status.socketPath = paths.socket;
    r.status.eventPath = paths.events;
    r.status.lastSeq = Math.max(st.lastSeq, r.status.lastSeq ?? -1);
    if (st.state.eventLog) setLogStatus(r, st.state.eventLog);
    if (st.state.sessionId) r.status.sessionId = st.state.sessionId;
    if (opts.fresh) delete r.status.errorMessage;
    const event = ATTACH_EVENTS[phase];
    // Refused (e.g. creating over idle): the phase stays as recorded.
    const next = event && nextPhase(r.status.phase, event);
    if (next) r.status.phase = next;
  });
  cx.log.info("agent-run attached", { run: live.id, pid: opts.pid, phase, fresh: opts.fresh });
  // Found by recovery (agentd restarted): its mesh endpoint is served again.
  if (!opts.fresh) await syncMeshEndpoint(cx, key, paths);
  if (st.state.eventLog) warnLogSize(cx, key, st.state.eventLog);
  for (const wake of [...ctl.liveWaiters]) wake();
  if (phase === "creating") cx.background(_settleBootstrap(cx, live));
  if (phase === "idle") cx.steps.drainSoon(key);
}

/** The agent-run listens before its bootstrap ended: poll until it reports a phase. */
async function _settleBootstrap(cx: RunContext, live: Live): Promise<void> {
  while (!live.exited && !cx.closing.aborted) {
    await delay(100, { signal: cx.closing });
    if (live.exited || cx.closing.aborted) return;
    let phase: Phase;
    try {
      phase = (await live.client.status()).state.phase;
    } catch {
      return;
    }
    if (phase === "creating") continue;
    if (phase === "idle" || phase === "running") await applyPhase(cx, live, phase);
    if (phase === "idle") cx.steps.drainSoon(live.key);
    return;
  }
}

/**
 * For a recovered agent-run (not our child): resolves when its pid is gone, or, when the
 * pid is unknown, when its connection is closed and stays closed.
 */
async function _pollGone(cx: RunContext, live: Live): Promise<ExitStatus> {
  const closing = cx.closing;
  while (!live.exited && !closing.aborted) {
    if (live.pid > 1) {
      if (!pidAlive(live.pid)) break;
      // An exiting agent-run closes its socket first: poll fast from then on.
      if (live.client.isClosed) await delay(20, { signal: closing });
      else await delay(500, { signal: closing, wake: live.client.closed });
    } else {
      await live.client.closed;
      await delay(2_000, { signal: closing });
      if (live.client.isClosed) break;
    }
  }
  return { code: null, signal: null };
}

/**
 * The connection dropped: a slow-consumer eviction is resumed; a dead process is not. A log
 * the agent-run cannot read past some seq is reported on the run and skipped (resuming at
 * the same seq would fail the same way); drops that keep coming back off.
 */
async function _onDisconnect(cx: RunContext, live: Live): Promise<void> {
  if (live.exited || live.stopping || cx.closing.aborted) return;
  const failure = live.consumer.failure;
  if (failure) await _skipUnreadable(cx, live, failure);
  // Drops in quick succession (a failure that repeats) wait longer each time, up to 30 s.
  const now = Date.now();
  live.drops = now - (live.lastDropAt ?? 0) < 60_000 ? (live.drops ?? 0) + 1 : 0;
  live.lastDropAt = now;
  const backoff = Math.min(100 * 2 ** (live.drops ?? 0), 30_000);
  for (let attempt = 0; attempt < 5; attempt++) {
    await delay(attempt === 0 ? backoff : 100 * 2 ** attempt, { signal: cx.closing });
    if (live.exited || live.stopping || cx.closing.aborted) return;
    if (live.pid > 1 && !pidAlive(live.pid)) return; // gone: its exit handling (exit.ts) does the rest
    try {
      const peer = await dialUnix(live.paths.socket, { connectTimeoutMs: 1_000 });
      const client = new RunnerClient(live.paths.socket, peer);
      live.client = client;
      await live.consumer.start(peer);
      peer.closed.then(() => _onDisconnect(cx, live));
      cx.log.info("agent-run reconnected", { run: live.id });
      return;
    } catch {
      // try again
    }
  }
  if (live.exited || live.stopping || cx.closing.aborted) return;
  // Alive but not answering: it cannot be controlled any more; leave no orphan.
  cx.log.warn("agent-run unreachable, killing its process group", { run: live.id });
  signalGroup(live.pid, "SIGKILL");
}

/** Records why the log cannot be read on the run, and moves agentd's cursor past the damage. */
async function _skipUnreadable(
  cx: RunContext,
  live: Live,
  failure: { message: string; seq?: number },
): Promise<void> {
  const error = failure.seq === undefined
    ? { message: failure.message }
    : { message: failure.message, seq: failure.seq };
  cx.log.error("event log unreadable: skipping to its end", { run: live.id, ...error });
  let st: StatusResult | undefined;
  try {
    const c = await RunnerClient.dial(live.paths.socket, 1_000);
    try {
      st = await c.status();
    } finally {
      c.close();
    }
  } catch {
    // Not answering: the reconnect below finds out.
  }
  if (st) {
    live.consumer.advance(st.recovery.lastSeq);
    // Phase changes among the skipped events were not applied: take the current one.
    const phase = st.state.phase;
    if (phase === "idle" || phase === "running") await applyPhase(cx, live, phase);
  }
  await cx.store.updateRun(live.key, (r) => {
    r.status.eventLogError = error;
  }).catch(() => {});
}

/** What attaching to an agent-run in each of its phases does to the run's phase. */
const ATTACH_EVENTS: Partial<Record<Phase, PhaseEvent>> = {
  idle: "attach_idle",
  running: "attach_running",
  creating: "attach_creating",
};
