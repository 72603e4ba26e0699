import assert from "node:assert/strict";
import type { AgentRunEvent } from "../../specs/events.ts";
import { eventToUpdates } from "./event_to_updates.ts";

const base = { runId: "r", seq: 0, time: "", turnId: "t" };
const text = (t: string) => ({ type: "text", text: t });

function of(type: string, payload: Record<string, unknown>): AgentRunEvent {
  return { ...base, type, payload } as AgentRunEvent;
}

Deno.test("eventToUpdates: content blocks become chunks; their synthetic end nothing", () => {
  assert.deepEqual(eventToUpdates(of("agent_message", { status: "start", content: text("a") })), [
    { sessionUpdate: "agent_message_chunk", content: text("a") },
  ]);
  assert.deepEqual(
    eventToUpdates(of("agent_thinking", { status: "streaming", content: text("b") })),
    [{ sessionUpdate: "agent_thought_chunk", content: text("b") }],
  );
  assert.deepEqual(
    eventToUpdates(of("user_message", { status: "start", content: text("c"), systemPrompt: true })),
    [{ sessionUpdate: "user_message_chunk", content: text("c") }],
  );
  assert.deepEqual(eventToUpdates(of("agent_message", { status: "end", content: text("") })), []);
});

Deno.test("eventToUpdates: tool results drop the translator's fill-ins", () => {
  assert.deepEqual(
    eventToUpdates(of("tool_result", { id: "c", kind: "", title: "", status: "unknown" })),
    [{ sessionUpdate: "tool_call_update", toolCallId: "c" }],
  );
  assert.deepEqual(
    eventToUpdates(of("tool_call", { id: "c", kind: "read", title: "", status: "pending" })),
    [{ sessionUpdate: "tool_call", toolCallId: "c", title: "", kind: "read", status: "pending" }],
  );
});

Deno.test("eventToUpdates: a runtime_update gives one update per ACP part, none for mass's own", () => {
  assert.deepEqual(
    eventToUpdates(of("runtime_update", {
      phase: { previousPhase: "idle", phase: "running" },
      currentMode: { modeId: "a", _meta: { x: 1 } },
      usage: { size: 2, used: 1 },
      operationAudit: { operation: "set_mode", success: true },
    })),
    [
      { sessionUpdate: "current_mode_update", currentModeId: "a", _meta: { x: 1 } },
      { sessionUpdate: "usage_update", size: 2, used: 1 },
    ],
  );
  assert.deepEqual(
    eventToUpdates(of("compaction", { kind: "summary_chunk", content: text("s") })),
    [{ sessionUpdate: "compaction_summary_chunk", content: text("s") }],
  );
  for (
    const type of ["turn_start", "turn_end", "error", "session_start", "agent_exit"]
  ) assert.deepEqual(eventToUpdates(of(type, {})), [], type);
  assert.deepEqual(
    eventToUpdates(of("permission_request", { requestId: "p", toolCall: {}, options: [] })),
    [],
  );
});
