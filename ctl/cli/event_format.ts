/**
 * One compact human line per event, for `massctl agentrun events`:
 * `  42 12:03:04.512 agent_message       streaming "Hello wor…"`.
 */
import { type AgentRunEvent, EVENT_TYPES } from "../../specs/events.ts";

const TEXT_LIMIT = 80;

function shorten(text: string, limit = TEXT_LIMIT): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > limit ? flat.slice(0, limit - 1) + "…" : flat;
}

function quoted(text: string): string {
  return JSON.stringify(shorten(text));
}

/** `HH:MM:SS.mmm` in local time, or the raw string when it is not a date. */
export function clockTime(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}.${
    p(t.getMilliseconds(), 3)
  }`;
}

/** The short description of an event's payload. */
export function eventSummary(ev: AgentRunEvent): string {
  switch (ev.type) {
    case "agent_message":
    case "agent_thinking":
    case "user_message": {
      const c = ev.payload.content;
      const body = c?.type === "text" && typeof c.text === "string"
        ? quoted(c.text)
        : `[${c?.type}]`;
      const sys = ev.type === "user_message" && ev.payload.systemPrompt ? " (system prompt)" : "";
      return `${ev.payload.status} ${body}${sys}`;
    }
    case "tool_call":
    case "tool_result": {
      const p = ev.payload;
      return [p.id, p.kind, p.status, p.title ? quoted(p.title) : ""].filter(Boolean).join(" ");
    }
    case "plan":
      return ev.payload.entries.map((e) => `[${e.status}] ${shorten(e.content, 30)}`).join("; ");
    case "turn_start":
      return ev.payload.origin ?? "";
    case "turn_end":
      return ev.payload.stopReason;
    case "error":
      return quoted(ev.payload.message);
    case "runtime_update": {
      const p = ev.payload;
      if (p.phase) {
        const why = p.phase.reason ? ` (${shorten(p.phase.reason, 60)})` : "";
        return `phase ${p.phase.previousPhase} → ${p.phase.phase}${why}`;
      }
      return Object.keys(p).join(", ");
    }
    case "session_start":
      return `${ev.payload.mode} ${ev.payload.sessionId}`;
    case "agent_exit": {
      const p = ev.payload;
      const how = p.signal ? `signal ${p.signal}` : `code ${p.exitCode}`;
      return `${how}${p.reason ? ` (${p.reason})` : ""}`;
    }
    case "permission_request": {
      const p = ev.payload;
      const tc = p.toolCall;
      return [p.requestId, tc?.kind, tc?.title ? quoted(tc.title) : "", "waiting"]
        .filter(Boolean).join(" ");
    }
    case "permission_resolved": {
      const p = ev.payload;
      const how = p.outcome === "selected" ? p.optionId : "cancelled";
      const title = p.toolCall?.title ? ` ${quoted(p.toolCall.title)}` : "";
      return `${p.requestId} ${how} by ${p.by}${p.policy ? ` (${p.policy})` : ""}${title}`;
    }
    default:
      return shorten(JSON.stringify(ev.payload ?? {}));
  }
}

/** The type column fits the longest event type, so summaries line up. */
const TYPE_WIDTH = Math.max(...EVENT_TYPES.map((t) => t.length));

/** One event as one text line: seq, clock time, padded type and a short summary. */
export function formatEventLine(ev: AgentRunEvent): string {
  return `${String(ev.seq).padStart(5)} ${clockTime(ev.time)} ${ev.type.padEnd(TYPE_WIDTH)} ${
    eventSummary(ev)
  }`.trimEnd();
}
