/**
 * Turns: agentrun/prompt reserves idle→running (phase.ts) and hands the prompt to the
 * agent-run; its result is awaited in the background and a failure reported on the run
 * (errorMessage, phase from the agent-run), never dropped.
 */
import { settlesWithin } from "../../specs/lib/settles_within.ts";
import type { PromptAccepted, RunKey } from "../../specs/ari.ts";
import { errorMessage } from "../../specs/errors.ts";
import type { ContentBlock, Phase } from "../../specs/events.ts";
import { phasesAllowing, RESERVE_FROM, reserveTurn, transition } from "./phase.ts";
import { type Live, type RunContext, runId } from "./run_context.ts";

/**
 * agentrun/prompt: reserves idle→running, hands the prompt to the agent-run and returns at
 * once with the seq the turn's events start from. A delivery failure is reported on the
 * run (errorMessage, phase from the agent-run), never dropped.
 */
export async function promptRun(
  cx: RunContext,
  key: RunKey,
  prompt: ContentBlock[],
): Promise<PromptAccepted> {
  const live = await cx.requireLive(key);
  await cx.store.casRun(key, RESERVE_FROM, reserveTurn, {
    message: (p) => `agent ${runId(key)} is not idle (phase=${p})`,
  });
  const fromSeq = await _nextSeq(live);
  dispatch(cx, live, prompt);
  return { accepted: true, fromSeq };
}

async function _nextSeq(live: Live): Promise<number> {
  try {
    return (await live.client.status()).recovery.lastSeq + 1;
  } catch {
    return live.consumer.lastSeq + 1;
  }
}

/** Sends session/prompt; its result is awaited in the background and failures reported. */
export function dispatch(cx: RunContext, live: Live, prompt: ContentBlock[]): void {
  cx.background(
    live.client.prompt(prompt).then(
      () => {},
      (err) => reportPromptFailure(cx, live.key, live, err),
    ),
  );
}

/**
 * Records a failed prompt delivery on the run, never dropping it: an agent-run on its way out
 * gets the reason added to its errorMessage, otherwise the phase follows the agent-run's own.
 */
export async function reportPromptFailure(
  cx: RunContext,
  key: RunKey,
  live: Live | undefined,
  err: unknown,
): Promise<void> {
  // On agentd shutdown the connection closes under the turn, which goes on: not a failure.
  if (cx.closing.aborted) return;
  const message = `prompt failed: ${errorMessage(err)}`;
  cx.log.warn("prompt failed", { run: runId(key), error: errorMessage(err) });
  let phase: Phase | undefined;
  if (live && !live.exited && !live.client.isClosed) {
    try {
      phase = (await live.client.status()).state.phase;
    } catch {
      phase = undefined;
    }
  }
  if (live && phase !== "idle" && phase !== "running") {
    // The agent-run is leaving (or left): its exit handling sets the phase; add the reason.
    if (await settlesWithin(live.gone, 5_000)) {
      await live.finished;
      await cx.store.updateRun(key, (r) => {
        r.status.errorMessage = r.status.errorMessage
          ? `${r.status.errorMessage}; ${message}`
          : message;
      }).catch(() => {});
      return;
    }
  }
  await cx.store.casRun(key, phasesAllowing("prompt_failed"), (r) => {
    if (phase === "idle" || phase === "running") {
      r.status.phase = transition(
        r.status.phase,
        phase === "idle" ? "report_idle" : "report_running",
      );
      r.status.errorMessage = message;
    } else {
      r.status.phase = transition(r.status.phase, "prompt_failed");
      r.status.errorMessage = `${message} (agent-run unreachable)`;
    }
  }).catch(() => {});
  if (phase === "idle") cx.steps.drainSoon(key);
}
