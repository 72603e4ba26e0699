/**
 * workspace/send and the inbox: a message to an idle target is delivered at once (the
 * reservation of phase.ts); to a busy one it waits in the target's durable inbox, delivered
 * oldest first, one per turn, whenever the target is idle again. The message format is
 * inbox.ts.
 */
import type { RunKey, SendParams, SendResult } from "../../specs/ari.ts";
import { ConflictError, InvalidParamsError, NotFoundError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import { PhaseConflictError } from "../store/errors.ts";
import { messagePrompt } from "./inbox.ts";
import { allows, QUEUE_PHASES, RESERVE_FROM, reserveTurn } from "./phase.ts";
import { type RunContext, runId } from "./run_context.ts";
import { dispatch, reportPromptFailure } from "./turns.ts";

/**
 * workspace/send: delivers to an idle target or queues for a busy one. -32602 bad params,
 * unknown sender or target; -32001 target stopped/error or without an agent-run. `delivered`
 * means handed to the target's agent-run; `queued` that it waits in the inbox.
 */
export async function sendMessage(cx: RunContext, params: SendParams): Promise<SendResult> {
  const ws = assertName(params.workspace, "workspace");
  const from = assertName(params.from, "from");
  const to = assertName(params.to, "to");
  if (!await cx.store.getRun({ workspace: ws, name: from })) {
    throw new InvalidParamsError(`sender ${ws}/${from} is not an agent in workspace ${ws}`);
  }
  const key = { workspace: ws, name: to };
  const target = await cx.store.getRun(key);
  if (!target) throw new InvalidParamsError(`target agent ${ws}/${to} not found`);
  const live = cx.ctls.get(runId(key))?.live;
  if (allows(target.status.phase, "reserve") && (!live || live.exited)) {
    throw new ConflictError(`target agent ${ws}/${to} is not running`);
  }
  const msg = {
    from,
    message: params.message,
    ...(params.needsReply === undefined ? {} : { needsReply: params.needsReply }),
  };
  const res = await cx.store.reserveOrEnqueue(key, msg, {
    reservePhases: RESERVE_FROM,
    queuePhases: QUEUE_PHASES,
    reserve: reserveTurn,
    message: (p) => `target agent ${ws}/${to} is not running (phase=${p})`,
  });
  if (!res.reserved) return { delivered: false, queued: true };
  const current = cx.ctls.get(runId(key))?.live;
  if (!current || current.exited) {
    // It left between the check and the reservation: report it on the run.
    await reportPromptFailure(cx, key, undefined, new Error("agent-run is gone"));
    throw new ConflictError(`target agent ${ws}/${to} is not running`);
  }
  dispatch(cx, current, messagePrompt(res.deliver.message, res.deliver));
  return res.queued ? { delivered: false, queued: true } : { delivered: true };
}

/** Delivers, in the background, the oldest waiting message if the run is idle. */
export function drainSoon(cx: RunContext, key: RunKey): void {
  cx.background(_drainInbox(cx, key));
}

/** Delivers the oldest waiting message if the run is idle (one per turn). */
async function _drainInbox(cx: RunContext, key: RunKey): Promise<void> {
  const live = cx.ctls.get(runId(key))?.live;
  if (!live || live.exited) return;
  let taken;
  try {
    taken = await cx.store.takeInbox(key, RESERVE_FROM, reserveTurn);
  } catch (err) {
    if (err instanceof PhaseConflictError || err instanceof NotFoundError) return;
    throw err;
  }
  if (!taken) return;
  cx.log.debug("inbox message delivered", { run: runId(key), seqNo: taken.entry.seqNo });
  dispatch(cx, live, messagePrompt(taken.entry.message, taken.entry));
}
