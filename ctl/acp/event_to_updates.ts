/**
 * One agent-run event → the ACP `session/update`s it came from: the inverse of the runner's
 * translator (runner/events/translator.ts, specs/events.md "ACP session/update mapping").
 * Pure.
 */
import type * as acp from "@agentclientprotocol/sdk";
import type { AgentRunEvent, ToolCallPayload } from "../../specs/events.ts";

const CHUNKS = {
  agent_message: "agent_message_chunk",
  agent_thinking: "agent_thought_chunk",
  user_message: "user_message_chunk",
} as const;

/**
 * The ACP updates an event stands for, in order; `[]` for events that are mass's own (turn
 * and session boundaries, phases, audits, permissions, errors, agent exits) and for the
 * synthetic `end` of a content block.
 *
 * @example
 * ```ts
 * const [u] = eventToUpdates(ev); // ev: agent_message {status: "start", content}
 * // u = {sessionUpdate: "agent_message_chunk", content}
 * ```
 */
export function eventToUpdates(ev: AgentRunEvent): acp.SessionUpdate[] {
  switch (ev.type) {
    case "agent_message":
    case "agent_thinking":
    case "user_message": {
      if (ev.payload.status === "end") return [];
      const content = ev.payload.content as acp.ContentBlock;
      return [{ sessionUpdate: CHUNKS[ev.type], content }];
    }
    case "tool_call":
      return [
        { sessionUpdate: "tool_call", ..._toolFields(ev.payload, false) } as acp.SessionUpdate,
      ];
    case "tool_result":
      return [
        {
          sessionUpdate: "tool_call_update",
          ..._toolFields(ev.payload, true),
        } as acp.SessionUpdate,
      ];
    case "plan":
      return [{ sessionUpdate: "plan", ...ev.payload } as acp.SessionUpdate];
    case "runtime_update":
      return _runtimeUpdates(ev.payload);
    case "notice":
      return [{ sessionUpdate: "notice", ...ev.payload } as acp.SessionUpdate];
    case "compaction": {
      const { kind, ...rest } = ev.payload;
      const name = kind === "summary_chunk" ? "compaction_summary_chunk" : "compaction_update";
      return [{ sessionUpdate: name, ...rest } as acp.SessionUpdate];
    }
    default:
      return [];
  }
}

/**
 * ACP tool call fields from a payload. A result's `"unknown"` status and `""` kind/title
 * are the translator's fill-ins for fields ACP omitted, so they are omitted again.
 */
function _toolFields(p: ToolCallPayload, isResult: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { toolCallId: p.id };
  if (p._meta) out._meta = p._meta;
  if (p.title !== "" || !isResult) out.title = p.title;
  if (p.kind !== "") out.kind = p.kind;
  if (p.name !== undefined) out.name = p.name;
  if (p.status !== undefined && !(isResult && p.status === "unknown")) out.status = p.status;
  if (p.content !== undefined) out.content = p.content;
  if (p.locations !== undefined) out.locations = p.locations;
  if (p.rawInput !== undefined) out.rawInput = p.rawInput;
  if (p.rawOutput !== undefined) out.rawOutput = p.rawOutput;
  return out;
}

type RuntimePayload = Extract<AgentRunEvent, { type: "runtime_update" }>["payload"];

/** One update per ACP part of a runtime_update; `phase` and `operationAudit` are mass's own. */
function _runtimeUpdates(p: RuntimePayload): acp.SessionUpdate[] {
  const out: acp.SessionUpdate[] = [];
  if (p.availableCommands) {
    const { commands, ...meta } = p.availableCommands;
    out.push({
      sessionUpdate: "available_commands_update",
      availableCommands: commands as acp.AvailableCommand[],
      ...meta,
    });
  }
  if (p.currentMode) {
    const { modeId, ...meta } = p.currentMode;
    out.push({ sessionUpdate: "current_mode_update", currentModeId: modeId, ...meta });
  }
  if (p.configOptions) {
    const { options, ...meta } = p.configOptions;
    out.push({
      sessionUpdate: "config_option_update",
      configOptions: options as acp.SessionConfigOption[],
      ...meta,
    });
  }
  if (p.sessionInfo) out.push({ sessionUpdate: "session_info_update", ...p.sessionInfo });
  if (p.usage) out.push({ sessionUpdate: "usage_update", ...p.usage });
  return out;
}
