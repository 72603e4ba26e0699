/**
 * The agent-run event stream: envelope and payloads (see specs/events.md).
 *
 * One log per AgentRun; `seq` starts at 0 once and never restarts. Identical in the JSONL
 * log and in notifications, except that notifications also carry `watchId`.
 */
import { z } from "zod";
import type { AppliedSandbox } from "./sandbox.ts";

export const EVENT_TYPES = [
  "agent_message",
  "agent_thinking",
  "user_message",
  "tool_call",
  "tool_result",
  "plan",
  "turn_start",
  "turn_end",
  "error",
  "runtime_update",
  // Beyond the original: session boundaries, agent exit, notices and compaction.
  "session_start",
  "agent_exit",
  "notice",
  "compaction",
  // Beyond the original: permission requests and how each was answered.
  "permission_request",
  "permission_resolved",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const BlockStatusSchema = z.enum(["start", "streaming", "end"]);
export type BlockStatus = z.infer<typeof BlockStatusSchema>;

/**
 * An ACP content block as a client may send it in a prompt: one of ACP's block types with the
 * fields that type requires (checked at the door, so a malformed block is refused with
 * -32602 naming the field instead of failing the turn later). Objects stay open (passthrough)
 * since ACP may add fields.
 */
export const ContentBlockSchema: z.ZodType<ContentBlock> = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text"), text: z.string() }),
  z.looseObject({ type: z.literal("image"), data: z.string(), mimeType: z.string() }),
  z.looseObject({ type: z.literal("audio"), data: z.string(), mimeType: z.string() }),
  z.looseObject({ type: z.literal("resource_link"), uri: z.string(), name: z.string() }),
  z.looseObject({
    type: z.literal("resource"),
    resource: z.union([
      z.looseObject({ uri: z.string(), text: z.string() }),
      z.looseObject({ uri: z.string(), blob: z.string() }),
    ]),
  }),
]);
/** Typed open (a block's type is a plain string) so clients need no casts; checked above. */
export type ContentBlock = { type: string; [k: string]: unknown };

export interface ContentPayload {
  status: BlockStatus;
  content: ContentBlock;
  /** Set on user_message events of the system-prompt turn, so clients can tell it apart. */
  systemPrompt?: boolean;
}

export interface ToolCallPayload {
  _meta?: Record<string, unknown>;
  id: string;
  kind: string;
  title: string;
  /** ACP's programmatic tool name, when the agent sends one. */
  name?: string;
  status?: string;
  content?: unknown[];
  locations?: { path: string; line?: number; _meta?: unknown }[];
  rawInput?: unknown;
  rawOutput?: unknown;
}

export interface PlanPayload {
  _meta?: Record<string, unknown>;
  entries: { content: string; priority: string; status: string; _meta?: unknown }[];
}

export interface TurnStartPayload {
  /** "user" for prompts, "system" for the system-prompt turn. */
  origin?: "user" | "system";
}

export interface TurnEndPayload {
  stopReason: string;
}

export interface ErrorPayload {
  message: string;
}

export type Phase = "creating" | "idle" | "running" | "restarting" | "stopped" | "error";

export interface PhaseChange {
  previousPhase: Phase;
  phase: Phase;
  pid?: number;
  reason?: string;
  sessionChanged?: string[];
}

/** ACP's `_meta`, carried through on the sub-objects that ACP sends it on. */
type Meta = { _meta?: Record<string, unknown> };

export interface RuntimeUpdatePayload {
  phase?: PhaseChange;
  availableCommands?: {
    commands: { name: string; description: string; input?: unknown }[];
  } & Meta;
  currentMode?: { modeId: string } & Meta;
  configOptions?: { options: unknown[] } & Meta;
  sessionInfo?: { title?: string | null; updatedAt?: string | null } & Meta;
  usage?: {
    size: number;
    used: number;
    cost?: { amount: number; currency: string } | null;
  } & Meta;
  operationAudit?: { operation: string; params?: unknown; success: boolean; error?: string };
}

export interface SessionStartPayload {
  sessionId: string;
  /** How the session began: new, load (replayed by the agent) or resume. */
  mode: "new" | "load" | "resume";
  previousSessionId?: string;
  /** The OS sandbox the agent runs in (specs/runtime.md §Sandbox). */
  sandbox?: AppliedSandbox;
}

export interface AgentExitPayload {
  exitCode: number | null;
  signal: string | null;
  reason: string;
}

export interface NoticePayload {
  [k: string]: unknown;
}

/** One choice the agent offers (ACP PermissionOption). */
export interface PermissionOption {
  optionId: string;
  name: string;
  /** allow_once | allow_always | reject_once | reject_always. */
  kind: string;
  _meta?: Record<string, unknown>;
}

/** The tool call a permission is asked for: ACP's ToolCallUpdate, passed through. */
export interface PermissionToolCall {
  toolCallId: string;
  title?: string | null;
  kind?: string | null;
  status?: string | null;
  content?: unknown[] | null;
  locations?: { path: string; line?: number | null }[] | null;
  rawInput?: unknown;
  _meta?: Record<string, unknown>;
}

/** A request that waits for a client (policy `ask`). */
export interface PermissionRequestPayload {
  /** Chosen by the agent-run; the key for answering it. */
  requestId: string;
  toolCall: PermissionToolCall;
  options: PermissionOption[];
  /** When it will be rejected unanswered (absent: no bound). */
  expiresAt?: string;
}

/** Who decided: a client's answer, the fixed policy, the timeout, or a turn cancel/stop. */
export type PermissionResolver = "client" | "policy" | "timeout" | "cancel";

export interface PermissionResolvedPayload {
  requestId: string;
  outcome: "selected" | "cancelled";
  optionId?: string;
  by: PermissionResolver;
  /** With `by: "policy"` (no request event precedes it): the policy and the tool call. */
  policy?: string;
  toolCall?: { toolCallId: string; title?: string | null; kind?: string | null };
}

/** How a request was answered (the reply of `session/respond_permission` and its ARI twin). */
export interface PermissionAnswer {
  requestId: string;
  outcome: "selected" | "cancelled";
  optionId?: string;
}

/** A pending request as listed by `session/permissions` and `agentrun/permissions`. */
export interface PendingPermission extends PermissionRequestPayload {
  sessionId?: string;
  turnId?: string;
  createdAt: string;
}

export interface EventPayloads {
  agent_message: ContentPayload;
  agent_thinking: ContentPayload;
  user_message: ContentPayload;
  tool_call: ToolCallPayload;
  tool_result: ToolCallPayload;
  plan: PlanPayload;
  turn_start: TurnStartPayload;
  turn_end: TurnEndPayload;
  error: ErrorPayload;
  runtime_update: RuntimeUpdatePayload;
  session_start: SessionStartPayload;
  agent_exit: AgentExitPayload;
  notice: NoticePayload;
  compaction: NoticePayload;
  permission_request: PermissionRequestPayload;
  permission_resolved: PermissionResolvedPayload;
}

export interface AgentRunEventOf<T extends EventType> {
  runId: string;
  sessionId?: string;
  seq: number;
  time: string;
  type: T;
  turnId?: string;
  payload: EventPayloads[T];
}

export type AgentRunEvent = { [T in EventType]: AgentRunEventOf<T> }[EventType];

/** What a notification carries: the envelope plus the watch it belongs to. */
export type WatchedEvent = AgentRunEvent & { watchId: string };

/** Envelope schema: validates the frame, keeps payloads open. */
export const AgentRunEventSchema = z.object({
  runId: z.string(),
  sessionId: z.string().optional(),
  seq: z.number().int().nonnegative(),
  time: z.string(),
  type: z.enum(EVENT_TYPES),
  turnId: z.string().optional(),
  payload: z.record(z.string(), z.unknown()),
});

/** Concatenated text of an event's content block, or "" when it has none. */
export function eventText(ev: AgentRunEvent): string {
  if (ev.type === "agent_message" || ev.type === "agent_thinking" || ev.type === "user_message") {
    const c = ev.payload.content;
    return c.type === "text" && typeof c.text === "string" ? c.text : "";
  }
  return "";
}
