/**
 * The chat reducer: agent-run events (and a few local actions) in, a new chat model out.
 *
 * Follows the consumer guidance of the event model: late joins are tolerated (a chunk
 * without an open block opens one, results for unknown tool calls are ignored), runtime
 * phase changes double as turn boundaries, a prompt this client sent is not shown twice,
 * and a plan replaces the previous plan of the same turn.
 */
import type { AgentRunEvent } from "../../../specs/events.ts";
import type { ChatAction, ChatModel } from "./model.ts";
import { addItem, addNotice, closeOpen, updateItem } from "./items.ts";
import { applyContent } from "./content.ts";
import { applyToolCall, applyToolResult, toolScope } from "./tools.ts";
import { addPermission, resolvePermission } from "./permissions.ts";
import { applyPlan, applyRuntimeUpdate, applySession } from "./session.ts";

/** The next model after `action`. */
export function chatReducer(model: ChatModel, action: ChatAction): ChatModel {
  switch (action.type) {
    case "event":
      return _applyEvent(model, action.event);
    case "events":
      return {
        ...applyEvents(model, action.events),
        connection: action.events.length > 0 ? "live" : model.connection,
      };
    case "snapshot": {
      const status = action.run.status;
      const seen = status.lastSeq ?? -1;
      // A snapshot older than the events already applied would bring back a stale phase.
      if (seen < model.lastSeq) return model;
      return {
        ...model,
        phase: status.phase,
        phaseFloor: Math.max(model.phaseFloor, seen),
        sessionId: model.sessionId ?? status.sessionId,
      };
    }
    case "session":
      return applySession(model, action.session);
    case "prompt_sent": {
      const m = addItem(model, { kind: "user", text: action.text, pending: true });
      return { ...m, pending: [...m.pending, { itemId: model.nextId, text: action.text }] };
    }
    case "prompt_failed": {
      const entry = model.pending.find((p) => p.text === action.text);
      const m = entry
        ? {
          ...model,
          items: model.items.filter((i) => i.id !== entry.itemId),
          pending: model.pending.filter((p) => p !== entry),
        }
        : model;
      return addNotice(m, "error", action.message);
    }
    case "notice":
      return addNotice(model, action.level, action.text);
    case "connection":
      return { ...model, connection: action.state };
    case "toggle":
      return updateItem(model, action.itemId, (i) => ({ ...i, expanded: !i.expanded }));
    case "permission_dismiss":
      return {
        ...model,
        permissions: model.permissions.map((p) =>
          p.requestId === action.requestId ? { ...p, dismissed: true } : p
        ),
      };
    case "permission_restore":
      return { ...model, permissions: model.permissions.map(({ dismissed: _, ...p }) => p) };
    case "clear":
      return { ...model, items: [], tools: {}, open: undefined, pending: [] };
  }
}

/** Applies events in order; the convenience used by tests and replay. */
export function applyEvents(model: ChatModel, events: Iterable<AgentRunEvent>): ChatModel {
  let m = model;
  for (const ev of events) m = _applyEvent(m, ev);
  return m;
}

function _applyEvent(model: ChatModel, ev: AgentRunEvent): ChatModel {
  // seq is the dedup key: a resumed stream never applies an event twice.
  if (ev.seq <= model.lastSeq) return model;
  const m = { ...model, lastSeq: ev.seq, sessionId: ev.sessionId ?? model.sessionId };
  switch (ev.type) {
    case "agent_message":
    case "agent_thinking":
    case "user_message":
      return applyContent(m, ev.type, ev.payload);
    case "tool_call":
      return applyToolCall(closeOpen(m), ev.payload, toolScope(ev));
    case "tool_result":
      return applyToolResult(closeOpen(m), ev.payload, toolScope(ev));
    case "plan":
      return applyPlan(closeOpen(m), ev.turnId, ev.payload.entries);
    case "turn_start":
      return {
        ...closeOpen(m),
        turn: { id: ev.turnId, origin: ev.payload.origin === "system" ? "system" : "user" },
      };
    case "turn_end": {
      const ended = { ...closeOpen(m), turn: undefined };
      const reason = ev.payload.stopReason;
      if (!reason || reason === "end_turn") return ended;
      return addNotice(ended, reason === "error" ? "error" : "warn", `turn ended: ${reason}`);
    }
    case "error":
      return addNotice(closeOpen(m), "error", ev.payload.message || "error");
    case "runtime_update":
      return applyRuntimeUpdate(m, ev.seq, ev.payload);
    case "permission_request":
      return addPermission(closeOpen(m), ev.payload);
    case "permission_resolved":
      return resolvePermission(closeOpen(m), ev.payload);
    case "session_start": {
      const p = ev.payload;
      const how = p.mode === "new"
        ? "new session"
        : p.mode === "load"
        ? "session loaded"
        : "session resumed";
      // A new agent-run: what an earlier one asked can no longer be answered.
      return addNotice(
        { ...closeOpen(m), sessionId: p.sessionId, permissions: [] },
        "info",
        `${how} ${p.sessionId}`,
      );
    }
    case "agent_exit": {
      const p = ev.payload;
      const how = p.signal ? `signal ${p.signal}` : `code ${p.exitCode ?? "?"}`;
      return addNotice(
        { ...closeOpen(m), turn: undefined, permissions: [] },
        "warn",
        `agent exited (${how}${p.reason ? `, ${p.reason}` : ""})`,
      );
    }
    case "notice": {
      const text = typeof ev.payload.message === "string"
        ? ev.payload.message
        : JSON.stringify(ev.payload);
      return addNotice(m, "info", text);
    }
    case "compaction":
      return addNotice(m, "info", "event log compacted");
    default:
      return m;
  }
}
