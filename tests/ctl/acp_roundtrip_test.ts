/**
 * The facade's event → ACP update mapping against the runner's real translator: every ACP
 * update the translator turns into events comes back as itself.
 */
import assert from "node:assert/strict";
import type * as acp from "@agentclientprotocol/sdk";
import { Translator } from "../../runner/events/translator.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { eventToUpdates } from "../../ctl/acp/event_to_updates.ts";

const text = (t: string) => ({ type: "text" as const, text: t });

/** Runs updates through the runner's translator and gives the events it would log. */
function events(updates: unknown[]): AgentRunEvent[] {
  const tr = new Translator({ sessionId: "s", newId: () => "t1" });
  const drafts = [...tr.beginTurn("user").drafts, ...updates.flatMap((u) => tr.translate(u))];
  drafts.push(...tr.endTurn("end_turn"));
  return drafts.map((d, seq) => ({ runId: "r", seq, time: "", ...d }) as AgentRunEvent);
}

Deno.test("eventToUpdates inverts the translator for every ACP update it maps", () => {
  const updates: acp.SessionUpdate[] = [
    { sessionUpdate: "agent_thought_chunk", content: text("hmm") },
    { sessionUpdate: "agent_message_chunk", content: text("Hel") },
    { sessionUpdate: "agent_message_chunk", content: text("lo") },
    { sessionUpdate: "user_message_chunk", content: text("me") },
    {
      sessionUpdate: "tool_call",
      toolCallId: "c1",
      title: "Read a",
      kind: "read",
      status: "pending",
      locations: [{ path: "/w/a" }],
      rawInput: { path: "a" },
      _meta: { x: 1 },
    },
    { sessionUpdate: "tool_call_update", toolCallId: "c1" },
    {
      sessionUpdate: "tool_call_update",
      toolCallId: "c1",
      status: "completed",
      content: [{ type: "content", content: text("done") }],
      rawOutput: { ok: true },
    },
    {
      sessionUpdate: "plan",
      entries: [{ content: "step", priority: "high", status: "pending" }],
    },
    {
      sessionUpdate: "available_commands_update",
      availableCommands: [{ name: "a", description: "b" }],
    },
    { sessionUpdate: "current_mode_update", currentModeId: "plan", _meta: { m: true } },
    {
      sessionUpdate: "config_option_update",
      configOptions: [{
        id: "model",
        name: "Model",
        type: "select",
        currentValue: "x",
        options: [{ value: "x", name: "X" }],
      }],
    },
    { sessionUpdate: "session_info_update", title: "T" },
    { sessionUpdate: "usage_update", size: 10, used: 3, cost: { amount: 1, currency: "USD" } },
    { sessionUpdate: "notice", severity: "info", title: "hi" } as acp.SessionUpdate,
    { sessionUpdate: "compaction_update", status: "started" } as unknown as acp.SessionUpdate,
    {
      sessionUpdate: "compaction_summary_chunk",
      content: text("s"),
    } as unknown as acp.SessionUpdate,
  ];
  assert.deepEqual(events(updates).flatMap(eventToUpdates), updates);
});

Deno.test("eventToUpdates: mass's own events and block ends map to nothing", () => {
  const own = events([{ sessionUpdate: "agent_message_chunk", content: text("x") }])
    .filter((e) => e.type !== "agent_message" || e.payload.status === "end");
  assert.deepEqual(own.map((e) => e.type), ["turn_start", "agent_message", "turn_end"]);
  const base = { runId: "r", seq: 0, time: "" };
  own.push(
    { ...base, type: "error", payload: { message: "m" } },
    { ...base, type: "session_start", payload: { sessionId: "s", mode: "new" } },
    { ...base, type: "agent_exit", payload: { exitCode: 0, signal: null, reason: "x" } },
    {
      ...base,
      type: "runtime_update",
      payload: {
        phase: { previousPhase: "idle", phase: "running" },
        operationAudit: { operation: "cancel", success: true },
      },
    },
    {
      ...base,
      type: "permission_resolved",
      payload: { requestId: "p", outcome: "cancelled", by: "timeout" },
    },
  );
  assert.deepEqual(own.flatMap(eventToUpdates), []);
});

Deno.test("eventToUpdates: a runtime_update with several parts gives one update per part", () => {
  const ev: AgentRunEvent = {
    runId: "r",
    seq: 0,
    time: "",
    type: "runtime_update",
    payload: { currentMode: { modeId: "a" }, usage: { size: 2, used: 1 } },
  };
  assert.deepEqual(eventToUpdates(ev), [
    { sessionUpdate: "current_mode_update", currentModeId: "a" },
    { sessionUpdate: "usage_update", size: 2, used: 1 },
  ]);
});
