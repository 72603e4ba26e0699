/**
 * The chat's pure state: agent-run events (and a few local actions) in, an immutable chat
 * model out. Everything the TUI shows is derived from this model, so the whole event
 * handling is testable without a terminal. One module per concern under state/: the model
 * (model.ts), the reducer (reducer.ts), streamed content (content.ts), tool cards
 * (tools.ts), permission requests (permissions.ts), session metadata (session.ts) and what
 * the views derive (views.ts).
 */
export type {
  AgentCommand,
  AssistantItem,
  ChatAction,
  ChatItem,
  ChatModel,
  Choice,
  ConnectionState,
  NoticeItem,
  NoticeLevel,
  PermissionPrompt,
  PlanEntry,
  PlanItem,
  SystemPromptItem,
  ThinkingItem,
  ToolItem,
  ToolOutput,
  Usage,
  UserItem,
} from "./state/model.ts";
export { initialChatModel } from "./state/model.ts";
export { applyEvents, chatReducer } from "./state/reducer.ts";
export { blockText } from "./state/content.ts";
export { TOOL_TEXT_LIMIT, toolName, toolOutputs, truncateMiddle } from "./state/tools.ts";
export { activePermission } from "./state/permissions.ts";
export { formatTokens, isBusy } from "./state/views.ts";
