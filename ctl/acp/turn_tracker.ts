/**
 * Finds how a prompt's turn ended in a run's event stream, so `session/prompt` can answer with
 * the real stop reason. Fed every event in order; pure apart from the promises it settles.
 */
import type { AgentRunEvent } from "../../specs/events.ts";

/** How a turn ended: its ACP stop reason, or why it cannot end normally. */
export type TurnOutcome = { stopReason: string } | { error: string };

/** Events kept for a prompt whose `fromSeq` is already behind the stream. */
const KEEP = 512;

interface Waiter {
  fromSeq: number;
  turnId?: string;
  resolve(outcome: TurnOutcome): void;
}

/**
 * Watches a run's event stream to tell how the turn of each prompt ended (see the module comment).
 */
export class TurnTracker {
  #recent: AgentRunEvent[] = [];
  #waiters = new Set<Waiter>();
  #own = new Set<string>();
  #claims: number[] = [];

  /**
   * The outcome of the first user turn that starts at or after `fromSeq` (the seq
   * `agentrun/prompt` returned), whether its events were already seen or are still to come.
   *
   * @example
   * ```ts
   * const outcome = await tracker.outcome(accepted.fromSeq!);
   * ```
   */
  outcome(fromSeq: number): Promise<TurnOutcome> {
    return new Promise((resolve) => {
      const w: Waiter = { fromSeq, resolve };
      for (const ev of this.#recent) {
        const done = this.#feed(w, ev);
        if (done) return resolve(done);
      }
      this.#waiters.add(w);
    });
  }

  /** Whether `turnId` was started by this client's prompt. */
  isOwn(turnId: string | undefined): boolean {
    return turnId !== undefined && this.#own.has(turnId);
  }

  /** Marks the user turn that starts at or after `fromSeq` as this client's, when it comes. */
  claim(fromSeq: number): void {
    this.#claims.push(fromSeq);
  }

  /** Feeds the next event of the stream. */
  onEvent(ev: AgentRunEvent): void {
    if (ev.type === "turn_start" && ev.payload.origin !== "system" && ev.turnId) {
      const i = this.#claims.findIndex((s) => ev.seq >= s);
      if (i >= 0) {
        this.#claims.splice(i, 1);
        this.#own.add(ev.turnId);
      }
    }
    if (_relevant(ev)) {
      this.#recent.push(ev);
      if (this.#recent.length > KEEP) this.#recent.shift();
    }
    for (const w of this.#waiters) {
      const done = this.#feed(w, ev);
      if (done) {
        this.#waiters.delete(w);
        w.resolve(done);
      }
    }
  }

  /** Ends every wait (the stream is gone). */
  close(reason: string): void {
    for (const w of this.#waiters) w.resolve({ error: reason });
    this.#waiters.clear();
  }

  #feed(w: Waiter, ev: AgentRunEvent): TurnOutcome | undefined {
    if (ev.seq < w.fromSeq) return undefined;
    if (w.turnId === undefined) {
      if (ev.type === "turn_start" && ev.payload.origin !== "system") {
        w.turnId = ev.turnId ?? "";
        return undefined;
      }
      // Before the turn began: the prompt never reached the agent.
      return _failure(ev, true);
    }
    if (ev.type === "turn_end" && (ev.turnId ?? "") === w.turnId) {
      return { stopReason: ev.payload.stopReason };
    }
    return _failure(ev, false);
  }
}

function _relevant(ev: AgentRunEvent): boolean {
  return ev.type === "turn_start" || ev.type === "turn_end" || _failure(ev, true) !== undefined;
}

/** Events after which the turn cannot end normally (errors count only before it began). */
function _failure(ev: AgentRunEvent, beforeTurn: boolean): TurnOutcome | undefined {
  switch (ev.type) {
    case "error":
      return beforeTurn ? { error: ev.payload.message || "agent reported an error" } : undefined;
    case "agent_exit": {
      const p = ev.payload;
      const how = p.signal ? `signal ${p.signal}` : `exit code ${p.exitCode}`;
      return { error: `agent exited (${how}${p.reason ? `: ${p.reason}` : ""})` };
    }
    case "runtime_update": {
      const phase = ev.payload.phase;
      if (phase?.phase !== "stopped" && phase?.phase !== "error") return undefined;
      return { error: `agent run became ${phase.phase}${phase.reason ? `: ${phase.reason}` : ""}` };
    }
    default:
      return undefined;
  }
}
