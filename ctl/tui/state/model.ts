/**
 * The chat model: what the TUI shows, as immutable data. Built only by the reducer
 * (reducer.ts) from agent-run events and a few local actions.
 */
import type { AgentRun } from "../../../specs/ari.ts";
import type { SessionState } from "../../../specs/runtime.ts";
import type { AgentRunEvent, PermissionOption, Phase } from "../../../specs/events.ts";

export type NoticeLevel = "info" | "warn" | "error";

/** One piece of a tool call's output. */
export type ToolOutput =
  | { type: "text"; text: string }
  | { type: "diff"; path: string; oldText?: string; newText: string }
  | { type: "terminal"; terminalId: string };

export interface PlanEntry {
  content: string;
  priority: string;
  status: string;
}

interface ItemBase {
  /** Local id, stable for the item's life (React key, expand toggles). */
  id: number;
  /** Set on items that can be expanded and collapsed. */
  expanded?: boolean;
}

export interface UserItem extends ItemBase {
  kind: "user";
  text: string;
  /** Sent by this client and not yet echoed by the run. */
  pending?: boolean;
}
export interface SystemPromptItem extends ItemBase {
  kind: "system_prompt";
  text: string;
}
export interface AssistantItem extends ItemBase {
  kind: "assistant";
  text: string;
  streaming: boolean;
}
export interface ThinkingItem extends ItemBase {
  kind: "thinking";
  text: string;
  streaming: boolean;
}
export interface ToolItem extends ItemBase {
  kind: "tool";
  toolId: string;
  /** Display name: kind, else title without "Tool: ", else title, else "tool". */
  name: string;
  title: string;
  toolKind: string;
  status: string;
  outputs: ToolOutput[];
  locations: { path: string; line?: number }[];
  rawInput?: unknown;
}
export interface PlanItem extends ItemBase {
  kind: "plan";
  turnId?: string;
  entries: PlanEntry[];
}
export interface NoticeItem extends ItemBase {
  kind: "notice";
  level: NoticeLevel;
  text: string;
}

/** A permission request waiting for an answer (policy `ask`). */
export interface PermissionPrompt {
  requestId: string;
  title: string;
  /** Tool kind, "" when the agent gave none. */
  toolKind: string;
  options: readonly PermissionOption[];
  /** Set by Esc: still pending, but the dialog shows the next one (or none). */
  dismissed?: boolean;
}

export type ChatItem =
  | UserItem
  | SystemPromptItem
  | AssistantItem
  | ThinkingItem
  | ToolItem
  | PlanItem
  | NoticeItem;

export interface AgentCommand {
  name: string;
  description: string;
  hint?: string;
}

export interface Choice {
  id: string;
  name: string;
}

export interface Usage {
  used: number;
  size: number;
  cost?: { amount: number; currency: string } | null;
}

export type ConnectionState = "connecting" | "live" | "reconnecting" | "closed";

export type ContentType = "agent_message" | "agent_thinking" | "user_message";

export interface ChatModel {
  readonly items: readonly ChatItem[];
  readonly nextId: number;
  /** The content block being streamed, if any; `echo` blocks repeat our own prompt. */
  readonly open?: { type: ContentType; itemId: number; echo?: boolean };
  /** Tool call id → item id. */
  readonly tools: Readonly<Record<string, number>>;
  /** Prompts sent by this client whose user_message echo has not arrived yet. */
  readonly pending: readonly { itemId: number; text: string }[];
  readonly phase?: Phase;
  /** Phase events at or below this seq are history older than the snapshot phase. */
  readonly phaseFloor: number;
  /** Last event seq applied; -1 before any. */
  readonly lastSeq: number;
  readonly turn?: { id?: string; origin: "user" | "system" };
  readonly sessionId?: string;
  readonly title?: string;
  readonly usage?: Usage;
  readonly model?: string;
  readonly models: readonly Choice[];
  readonly mode?: string;
  readonly modes: readonly Choice[];
  readonly commands: readonly AgentCommand[];
  readonly connection: ConnectionState;
  /** Pending permission requests, oldest first. */
  readonly permissions: readonly PermissionPrompt[];
}

export type ChatAction =
  | { type: "event"; event: AgentRunEvent }
  /** A batch of events from the watch; marks the connection live. */
  | { type: "events"; events: readonly AgentRunEvent[] }
  /** The run as agentrun/get returned it when the chat connected. */
  | { type: "snapshot"; run: AgentRun }
  /** Session metadata from a runtime status snapshot (models, modes, commands). */
  | { type: "session"; session: SessionState }
  /** This client is sending a prompt (shown at once, de-duplicated against its echo). */
  | { type: "prompt_sent"; text: string }
  | { type: "prompt_failed"; text: string; message: string }
  | { type: "notice"; level: NoticeLevel; text: string }
  | { type: "connection"; state: ConnectionState }
  | { type: "toggle"; itemId: number }
  /** Esc on the permission dialog: leave the request pending, stop showing it. */
  | { type: "permission_dismiss"; requestId: string }
  /** Show every dismissed request again. */
  | { type: "permission_restore" }
  | { type: "clear" };

/** The model before anything is known about the run. */
export function initialChatModel(): ChatModel {
  return {
    items: [],
    nextId: 1,
    tools: {},
    pending: [],
    phaseFloor: -1,
    lastSeq: -1,
    models: [],
    modes: [],
    commands: [],
    connection: "connecting",
    permissions: [],
  };
}
