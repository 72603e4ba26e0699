/**
 * Prompt turns: one at a time, each under the turn timeout, and session/cancel.
 *
 * A turn that runs past `turnTimeoutSeconds` is cancelled; one that still does not end
 * within TURN_CANCEL_GRACE_MS stops the agent-run (exit code TurnTimeout).
 */
import * as acp from "@agentclientprotocol/sdk";
import type { ContentBlock } from "../specs/events.ts";
import { errorMessage } from "../specs/errors.ts";
import type { PromptResult } from "../specs/runner_rpc.ts";
import type { AcpClient } from "./acp/acp_connection.ts";
import type { EventDraft } from "./events/event_hub.ts";
import { ExitCode } from "./exit_code.ts";
import { waitFor } from "./launch/process_group.ts";
import { toRpcError } from "./rpc/to_rpc_error.ts";
import type { RunContext, Turn } from "./run_context.ts";
import type { StopReason } from "./termination.ts";

/** Repeats of session/cancel while the cancelled turn still runs (see Turns.cancel). */
const CANCEL_REPEATS = 5;
const CANCEL_REPEAT_MS = 250;

/** How long a timed-out turn gets to end after session/cancel before the agent is stopped. */
export const TURN_CANCEL_GRACE_MS = 5_000;

/** Starts the stop sequence (see termination.ts). */
export type Terminate = (reason: StopReason, code: number, message?: string) => Promise<number>;

function _deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Runs prompt turns and cancels them for one agent-run. */
export class Turns {
  readonly #ctx: RunContext;
  readonly #terminate: Terminate;
  #markSent: () => void = () => {};

  constructor(ctx: RunContext, terminate: Terminate) {
    this.#ctx = ctx;
    this.#terminate = terminate;
  }

  /** Runs one prompt turn; emits its events; the phase moves only after bootstrap. */
  async run(blocks: ContentBlock[], origin: "user" | "system"): Promise<PromptResult> {
    const ctx = this.#ctx;
    const finished = _deferred<void>();
    const sent = _deferred<void>();
    const turn: Turn = { done: finished.promise, sent: sent.promise };
    ctx.turn = turn;
    this.#markSent = sent.resolve;
    try {
      const begin = ctx.translator.beginTurn(origin);
      const turnId = begin.turnId;
      turn.turnId = turnId;
      await ctx.emit([...begin.drafts, ...ctx.translator.userPrompt(blocks, origin)]);
      if (ctx.bootstrapped) await ctx.emitPhase("idle", "running", "prompt-started");
      let stopReason = "error";
      let failure: unknown;
      try {
        stopReason = await this.#prompt(blocks, turnId);
      } catch (err) {
        failure = err;
      }
      const end: EventDraft[] = failure ? [ctx.draftError(errorMessage(failure), turnId)] : [];
      end.push(...ctx.translator.endTurn(failure ? "error" : stopReason));
      await ctx.emit(end);
      turn.ended = true;
      if (ctx.bootstrapped && !ctx.terminating) {
        await ctx.emitPhase("running", "idle", failure ? "prompt-failed" : "prompt-completed");
      }
      if (failure) throw toRpcError(failure);
      return { stopReason, turnId };
    } finally {
      ctx.turn = undefined;
      sent.resolve();
      finished.resolve();
    }
  }

  /** ACP session/prompt under the turn timeout: cancel, wait, then stop the agent-run. */
  async #prompt(blocks: ContentBlock[], turnId: string): Promise<string> {
    const ctx = this.#ctx;
    const client = ctx.client!;
    const sessionId = ctx.sessionId!;
    const request = client.agent.request(acp.methods.agent.session.prompt, {
      sessionId,
      prompt: blocks as acp.ContentBlock[],
    });
    this.#markSent();
    const secs = ctx.bundle.config.runtime.turnTimeoutSeconds;
    if (!(secs > 0)) return (await request).stopReason;
    const settled = request.then(
      (r) => ({ ok: true as const, stopReason: r.stopReason as string }),
      (err) => ({ ok: false as const, err }),
    );
    let outcome = await waitFor(settled, secs * 1000);
    if (!outcome) {
      await ctx.emit([ctx.draftError(`turn timed out after ${secs} s; cancelling`, turnId)]);
      client.agent.notify(acp.methods.agent.session.cancel, { sessionId }).catch(() => {});
      await ctx.permissions.cancelAll();
      outcome = await waitFor(settled, TURN_CANCEL_GRACE_MS);
      if (!outcome) {
        void this.#terminate(
          "turn-timeout",
          ExitCode.TurnTimeout,
          `turn did not end within ${TURN_CANCEL_GRACE_MS / 1000} s of cancel; stopping the agent`,
        );
        outcome = await settled;
      }
    }
    if (!outcome.ok) throw outcome.err;
    return outcome.stopReason;
  }

  /**
   * ACP session/cancel. A cancel that arrives while a turn is starting waits until its
   * session/prompt has been sent, so the agent never sees the cancel first and ignores it.
   */
  async cancel(client: AcpClient, sessionId: string): Promise<void> {
    const ctx = this.#ctx;
    const turn = ctx.turn;
    if (turn) await turn.sent;
    const send = () => client.agent.notify(acp.methods.agent.session.cancel, { sessionId });
    await send();
    // ACP: after session/cancel the client answers every pending permission request with
    // "cancelled".
    await ctx.permissions.cancelAll();
    if (!turn) return;
    // The SDK may still be writing session/prompt when the cancel goes out, and an agent
    // ignores a cancel for a turn it has not seen yet. Cancel is idempotent: repeat it a
    // few times while that same turn is still running.
    void (async () => {
      for (let i = 0; i < CANCEL_REPEATS; i++) {
        const ended = await waitFor(turn.done.then(() => true), CANCEL_REPEAT_MS);
        if (ended || ctx.turn !== turn || ctx.terminating) return;
        await send().catch(() => {});
      }
    })();
  }
}
