/**
 * Follows one prompt turn in a run's event stream (for `agentrun prompt --wait`).
 *
 * The stream starts at the `fromSeq` agentrun/prompt returned. The turn is the first
 * user-origin `turn_start` seen from there; only its `agent_message` text is passed on,
 * and it ends at its `turn_end`. Earlier turns (the system-prompt turn, previous prompts)
 * are never printed, whatever the replay contains.
 */
import type { AgentRunEvent, PermissionRequestPayload } from "../../specs/events.ts";
import { eventText } from "../../specs/events.ts";

export type TurnOutcome =
  | { kind: "ended"; stopReason: string }
  | { kind: "error"; message: string }
  | { kind: "stream_ended" };

export interface FollowTurnOptions {
  /** The seq agentrun/prompt returned; failures before the turn count only after it. */
  fromSeq?: number;
  /** Receives each text chunk of the turn's agent messages, as it arrives. */
  onText(text: string): void;
  /** A permission request of the turn now waits for an answer (policy `ask`). */
  onPermission?(request: PermissionRequestPayload): void;
}

/**
 * Follows the first user turn in `events`, passing its agent text to `opts.onText`, and
 * resolves with how it ended (see the module comment).
 */
export async function followTurn(
  events: AsyncIterable<AgentRunEvent>,
  opts: FollowTurnOptions,
): Promise<TurnOutcome> {
  let started = false;
  let turnId: string | undefined;
  for await (const ev of events) {
    if (!started) {
      if (ev.type === "turn_start" && ev.payload?.origin !== "system") {
        started = true;
        turnId = ev.turnId;
        continue;
      }
      // A failure before our turn began (e.g. the agent died on dispatch) ends the wait,
      // but only if it is newer than the prompt.
      if (opts.fromSeq === undefined || ev.seq > opts.fromSeq) {
        const failure = failureOf(ev);
        if (failure) return { kind: "error", message: failure };
      }
      continue;
    }
    if (turnId !== undefined && ev.turnId !== undefined && ev.turnId !== turnId) continue;
    if (ev.type === "agent_message") {
      const text = eventText(ev);
      if (text) opts.onText(text);
      continue;
    }
    if (ev.type === "permission_request") {
      opts.onPermission?.(ev.payload);
      continue;
    }
    if (ev.type === "turn_end") return { kind: "ended", stopReason: ev.payload.stopReason };
    const failure = failureOf(ev);
    if (failure) return { kind: "error", message: failure };
  }
  return { kind: "stream_ended" };
}

/** Events that mean the turn cannot finish normally. */
function failureOf(ev: AgentRunEvent): string | undefined {
  switch (ev.type) {
    case "error":
      return ev.payload.message || "agent reported an error";
    case "agent_exit": {
      const p = ev.payload;
      const how = p.signal ? `signal ${p.signal}` : `exit code ${p.exitCode}`;
      return `agent exited (${how}${p.reason ? `: ${p.reason}` : ""})`;
    }
    case "runtime_update": {
      const phase = ev.payload.phase?.phase;
      if (phase === "stopped" || phase === "error") {
        return `agent run became ${phase}${
          ev.payload.phase?.reason ? `: ${ev.payload.phase.reason}` : ""
        }`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
